"""A small rewriter apart from the answer model: it writes the search query, the other model the answer."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from batchrag.cli import app
from batchrag.service import Assistant
from batchrag.settings import get_settings
from tests.support.asking import answer
from tests.support.corpus import QUESTIONS
from tests.support.ollama_wire import Reply, ScriptedOllama

QUESTION = "Наскільки швидше тануть альпійські льодовики після 2010 року?"
ENGLISH = "How much faster have Alpine glaciers melted since 2010?"
GLACIERS = "Satellites and Neural Nets Track Melting Glaciers"


@pytest.fixture
def two_models(corpus, monkeypatch):
    srv = ScriptedOllama(
        models=["llama3.1:8b", "qwen2.5:1.5b"],
        per_model={
            "qwen2.5:1.5b": Reply([ENGLISH]),
            "llama3.1:8b": Reply(["Альпійські льодовики ", "тануть значно швидше, ніж до 2010 року [1]."]),
        },
    ).start()
    monkeypatch.setenv("OLLAMA_HOST", srv.url)
    monkeypatch.setenv("BATCHRAG_EMBEDDER", "use-m3")
    get_settings.cache_clear()
    corpus.build(get_settings().store.data_dir, "use-m3")
    yield srv
    srv.stop()


def test_auto_rewrites_with_the_small_model_and_answers_with_the_big_one(two_models):
    a = answer(get_settings(), QUESTION)
    chats = [b["model"] for b in two_models.chat_requests()]
    assert chats == ["qwen2.5:1.5b", "llama3.1:8b"]
    assert (a.rewrite, a.searched_query) == ("ollama:qwen2.5:1.5b", ENGLISH)
    assert (a.backend, a.model) == ("ollama", "llama3.1:8b") and a.sources[0].title == GLACIERS
    assert a.answer.startswith("Альпійські льодовики") and not a.warnings
    assert a.to_json()["rewrite"] == "ollama:qwen2.5:1.5b"


def test_a_configured_rewriter_wins_and_none_turns_it_off(two_models, monkeypatch):
    monkeypatch.setenv("BATCHRAG_REWRITE_MODEL", "ollama:llama3.1:8b")
    get_settings.cache_clear()
    two_models.per_model["llama3.1:8b"] = Reply([ENGLISH])
    r = Assistant(get_settings()).search(QUESTION)
    assert r.rewrite == "ollama:llama3.1:8b"
    monkeypatch.setenv("BATCHRAG_REWRITE_MODEL", "none")
    get_settings.cache_clear()
    r = Assistant(get_settings()).search(QUESTION)
    assert r.rewrite == "skipped: rewriting is off (BATCHRAG_REWRITE_MODEL=none)"


def test_eval_with_a_rewriter_records_its_model_and_latency_and_the_second_run_is_cached(two_models):
    runner = CliRunner()
    args = ["eval", str(QUESTIONS), "--rewriter", "ollama:qwen2.5:1.5b", "--json"]
    first = json.loads(runner.invoke(app, args).stdout)["rewrites"]
    calls = len(two_models.chat_requests())
    assert first["source"] == "ollama:qwen2.5:1.5b" and first["model"] == "qwen2.5:1.5b"
    assert first["count"] > 0 and first["p50_ms"] is not None and first["p95_ms"] >= first["p50_ms"]
    assert first["cached"] == 0 and calls == first["count"] + first["failed"]
    second = json.loads(runner.invoke(app, args).stdout)["rewrites"]
    assert second["cached"] == first["count"] and second["p50_ms"] is None
    assert len(two_models.chat_requests()) == calls  # no model call the second time
