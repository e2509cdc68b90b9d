"""Each reader's choice on `batchrag ask` reaches the search or the answer (issue 39): --k, --mode, --from/--to,
--tag, --reranker, --backend and --model; a bad one is one `error: …` line."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from batchrag.cli import app
from batchrag.service.conversations import Conversations
from batchrag.settings import get_settings
from tests.support.ollama_wire import Reply, ScriptedOllama

QUESTION = "How fast are Alpine glaciers melting?"
CLIMATE = {"Satellites and Neural Nets Track Melting Glaciers", "AI Forecasts Beat Physics Models for Storms"}


@pytest.fixture(scope="module")
def library(corpus, tmp_path_factory):
    return corpus.build(tmp_path_factory.mktemp("cli_choices") / "data", "use-m3").store.data_dir


@pytest.fixture
def env(library, monkeypatch):
    monkeypatch.setenv("BATCHRAG_DATA_DIR", str(library))
    monkeypatch.setenv("BATCHRAG_EMBEDDER", "use-m3")
    monkeypatch.setenv("BATCHRAG_LLM_BACKEND", "extractive")
    monkeypatch.setenv("BATCHRAG_REWRITE", "off")
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def ask(*flags: str, question: str = QUESTION) -> dict:
    r = CliRunner().invoke(app, ["ask", question, "--json", "--keep", *flags])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def searched(*flags: str, question: str) -> dict:
    """The search's own steps (the kept turn's timings): which signals ran, whether the reranker did."""
    return Conversations(get_settings()).answer(ask(*flags, question=question)["answer_id"]).timings_ms


def test_k_reaches_the_answer(env):
    assert len(ask("--k", "2")["sources"]) == 2
    assert len(ask("--k", "4")["sources"]) == 4


def test_mode_reaches_the_search(env):
    vector = searched("--mode", "vector", question="Which chip runs speech recognition for a year?")
    hybrid = searched("--mode", "hybrid", question="Which chip listens for voice commands on a coin cell?")
    assert "dense" in vector and not any("bm25" in step for step in vector)
    assert any("bm25" in step for step in hybrid), hybrid


def test_dates_reach_the_search(env):
    later = ask("--from", "2030-02-01", "--k", "4")["sources"]
    assert later and all(s["date"] >= "2030-02-01" for s in later)
    earlier = ask("--to", "2030-01-10", "--k", "4")["sources"]
    assert earlier and all(s["date"] <= "2030-01-10" for s in earlier)


def test_tags_reach_the_search(env):
    sources = ask("--tag", "climate", "--k", "5", question="What did scientists find?")["sources"]
    assert sources and {s["title"] for s in sources} <= CLIMATE


def test_the_reranker_reaches_the_search(env):
    assert "rerank" not in searched(question="How do birds get identified by song?")
    assert "rerank" in searched("--reranker", "e5", question="Can a model identify birds by their songs?")


def test_the_backend_and_the_ollama_model_reach_the_answer(env):
    srv = ScriptedOllama(models=["llama3.1:8b", "qwen2.5:7b"],
                         default=Reply(["Льодовики в Альпах тануть дедалі швидше [1]."])).start()
    try:
        env.setenv("OLLAMA_HOST", srv.url)
        get_settings.cache_clear()
        assert ask()["backend"] == "extractive" and srv.chat_requests() == []  # nothing chosen: the settings'
        a = ask("--backend", "ollama", "--model", "qwen2.5:7b")
        assert a["backend"] == "ollama" and a["model"] == "qwen2.5:7b"
        assert srv.chat_requests()[-1]["model"] == "qwen2.5:7b"
        assert ask("--backend", "auto", "--model", "qwen2.5:7b")["backend"] == "ollama"
        assert srv.chat_requests()[-1]["model"] == "qwen2.5:7b"
    finally:
        srv.stop()


@pytest.mark.parametrize(("flags", "says"), [
    (["--backend", "nope"], "unknown LLM backend 'nope'"), (["--reranker", "nope"], "unknown reranker 'nope'"),
    (["--mode", "dense"], "mode:"), (["--k", "0"], "k:"),
])
def test_a_bad_choice_is_one_line(env, flags, says):
    r = CliRunner().invoke(app, ["ask", QUESTION, *flags])
    assert r.exit_code == 1 and says in r.stderr and r.stderr.count("\n") == 1
