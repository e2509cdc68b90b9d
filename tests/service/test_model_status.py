"""`batchrag model status`: which model answers, whether it can, and what to do if not."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from batchrag.cli import app
from batchrag.service.llm_status import model_status
from batchrag.settings import Settings, get_settings
from tests.support.net import closed_port_url
from tests.support.ollama_wire import ScriptedOllama


def test_without_ollama_the_quotes_answer_and_the_download_is_offered():
    # The packaged demo model is passed over by `auto` (docs/decisions/0016): the quotes answer, at once.
    st = model_status(Settings(ollama_host=closed_port_url()))
    assert (st.backend, st.capable, st.quotes_only) == ("extractive", False, True)
    assert "Ollama is not reachable" in st.why and "only the packaged demo model" in st.why and "batchrag model pull` (the gemma-3-4b GGUF, 2.5 GB" in st.hint
    assert {b.name for b in st.backends} >= {"ollama", "embedded", "extractive"}


def test_with_ollama_and_the_model_pulled_it_is_capable():
    srv = ScriptedOllama().start()
    try:
        st = model_status(Settings(ollama_host=srv.url))
    finally:
        srv.stop()
    assert (st.backend, st.model, st.capable, st.hint) == ("ollama", "llama3.1:8b", True, "")


def test_cli_json_and_the_hint_line(monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", closed_port_url())
    get_settings.cache_clear()
    r = CliRunner().invoke(app, ["model", "status", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["backend"] == "extractive" and out["capable"] is False and out["backends"][0]["name"] == "ollama"
    r = CliRunner().invoke(app, ["model", "status"])
    assert r.exit_code == 0 and "answers: extractive" in r.stdout and "batchrag model pull" in r.stderr


def test_with_ollama_up_but_the_model_missing_the_hint_is_to_pull_it_through_ollama():
    srv = ScriptedOllama(models=["qwen2.5:1.5b"]).start()
    try:
        st = model_status(Settings(ollama_host=srv.url))
    finally:
        srv.stop()
    assert not st.capable and "`batchrag model pull` (Ollama pulls llama3.1:8b)" in st.hint
