"""Each reader's choice in POST /ask's body reaches the search or the answer (issue 39): the number of sources, the
search mode, dates, tags, the reranker, the backend and the Ollama model; a bad one is a 400 of one line."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from batchrag.api import create_app
from tests.support.ollama_wire import Reply, ScriptedOllama

QUESTION = "How fast are Alpine glaciers melting?"
CLIMATE = {"Satellites and Neural Nets Track Melting Glaciers", "AI Forecasts Beat Physics Models for Storms"}


def ask(client, **body) -> dict:
    r = client.post("/ask", json={"question": QUESTION, "stream": False, **body})
    assert r.status_code == 200, r.text
    return r.json()


def searched(client, **body) -> dict:
    """The search's own steps (the kept turn's timings): which signals ran, whether the reranker did."""
    return client.get(f"/answers/{ask(client, **body)['answer_id']}").json()["timings_ms"]


def test_the_number_of_sources_reaches_the_answer(client):
    assert len(ask(client, k=2)["sources"]) == 2
    assert len(ask(client, k=4)["sources"]) == 4


def test_the_search_mode_reaches_the_search(client):
    # Questions of their own: the retriever remembers a ranking it has made (its steps then take no time).
    vector = searched(client, question="Which chip runs speech recognition for a year?", mode="vector")
    hybrid = searched(client, question="Which chip listens for voice commands on a coin cell?", mode="hybrid")
    assert "dense" in vector and not any("bm25" in step for step in vector)
    assert any("bm25" in step for step in hybrid), hybrid


def test_dates_reach_the_search(client):
    later = ask(client, date_from="2030-02-01", k=4)["sources"]
    assert later and all(s["date"] >= "2030-02-01" for s in later)
    earlier = ask(client, date_to="2030-01-10", k=4)["sources"]
    assert earlier and all(s["date"] <= "2030-01-10" for s in earlier)


def test_tags_reach_the_search(client):
    sources = ask(client, question="What did scientists find?", tags=["climate"], k=5)["sources"]
    assert sources and {s["title"] for s in sources} <= CLIMATE


def test_the_reranker_reaches_the_search(client):
    assert "rerank" not in searched(client, question="How do birds get identified by song?")  # the settings': none
    assert "rerank" in searched(client, question="Can a model identify birds by their songs?", reranker="e5")


@pytest.mark.parametrize(("field", "value", "says"), [
    ("backend", "nope", "unknown LLM backend 'nope'"), ("reranker", "nope", "unknown reranker 'nope'"),
    ("mode", "dense", "mode:"), ("k", 0, "k:"), ("date_from", "yesterday", "date_from:"), ("owner", "key_x", "owner:"),
])
def test_a_bad_choice_is_one_line_400(client, field, value, says):
    r = client.post("/ask", json={"question": QUESTION, "stream": False, field: value})
    assert r.status_code == 400 and says in r.json()["error"] and "\n" not in r.json()["error"]


@pytest.fixture
def ollama():
    srv = ScriptedOllama(models=["llama3.1:8b", "qwen2.5:7b"],
                         default=Reply(["Льодовики в Альпах тануть дедалі швидше [1]."])).start()
    yield srv
    srv.stop()


def test_the_backend_and_the_ollama_model_reach_the_answer(api_settings, ollama):
    app = create_app(api_settings.with_changes(ollama_host=ollama.url))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        assert ask(client)["backend"] == "extractive"  # nothing chosen: the settings' backend
        assert ollama.chat_requests() == []
        a = ask(client, backend="ollama", model="qwen2.5:7b")
        assert a["backend"] == "ollama" and a["model"] == "qwen2.5:7b"
        assert ollama.chat_requests()[-1]["model"] == "qwen2.5:7b"
        assert ask(client, backend="ollama")["model"] == "llama3.1:8b"  # the settings' model
        assert ollama.chat_requests()[-1]["model"] == "llama3.1:8b"
        b = ask(client, backend="auto", model="qwen2.5:7b")  # auto picks the running Ollama, with the reader's model
        assert b["backend"] == "ollama" and ollama.chat_requests()[-1]["model"] == "qwen2.5:7b"
