"""`batchrag model status` and the page's notice: which model answers, whether it can, and what to do if not."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from batchrag.cli import app
from batchrag.service.llm_status import model_status
from batchrag.settings import Settings, get_settings
from batchrag.ui.app import APP_PATH
from tests.support.net import closed_port_url
from tests.support.ollama_wire import ScriptedOllama


def test_without_ollama_the_demo_model_answers_and_is_said_not_capable():
    st = model_status(Settings(ollama_host=closed_port_url()))
    assert (st.backend, st.capable) == ("embedded", False) and "packaged demo" in st.model
    assert "Ollama is not reachable" in st.why and "ollama pull llama3.1:8b" in st.hint
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
    assert out["backend"] == "embedded" and out["capable"] is False and out["backends"][0]["name"] == "ollama"
    r = CliRunner().invoke(app, ["model", "status"])
    assert r.exit_code == 0 and "answers: embedded" in r.stdout and "ollama pull" in r.stderr


def test_the_page_says_at_the_top_that_no_model_can_answer(monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", closed_port_url())
    get_settings.cache_clear()
    at = AppTest.from_file(str(APP_PATH), default_timeout=60).run()
    assert not at.exception
    assert any("лише демо-модель" in i.value and "ollama pull llama3.1:8b" in i.value for i in at.info)
