"""`batchrag model pull`: through Ollama when it runs, else a checked GGUF from the hub that the next ask uses."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from batchrag.cli import app
from batchrag.llm.embedded import packaged_model_path
from batchrag.models.pull import offers, pull_model
from batchrag.settings import Settings, get_settings
from tests.support.hub_wire import FakeHub, HubFile
from tests.support.net import closed_port_url
from tests.support.ollama_wire import ScriptedOllama

GEMMA_4B = "bartowski/google_gemma-3-4b-it-GGUF/google_gemma-3-4b-it-Q4_K_M.gguf"


@pytest.fixture
def hub_with_gemma():
    """The loopback hub serving the packaged GGUF under the gemma-3-4b preset's repo and file name."""
    p = packaged_model_path()
    if p is None:
        pytest.skip("the packaged GGUF (llm extra) is not installed")
    srv = FakeHub(files={GEMMA_4B: HubFile(p)}).start()
    yield srv
    srv.stop()


def test_pull_from_the_hub_then_ask_answers_with_that_model(monkeypatch, corpus, tmp_path, hub_with_gemma):
    monkeypatch.setenv("HF_ENDPOINT", hub_with_gemma.url)
    monkeypatch.setenv("OLLAMA_HOST", closed_port_url())
    monkeypatch.setenv("BATCHRAG_EMBEDDER", "use-m3")
    monkeypatch.setenv("BATCHRAG_LLM_MAX_TOKENS", "24")  # which model answers is the point, not how well
    get_settings.cache_clear()
    corpus.build(get_settings().store.data_dir, "use-m3")
    runner = CliRunner()
    listed = runner.invoke(app, ["model", "list"])
    assert "gemma-3-4b" in listed.output and "2.5 GB" in listed.output and "qwen2.5-1.5b" in listed.output
    via_pull = runner.invoke(app, ["model", "pull", "--list"]).output
    assert via_pull.splitlines()[0].split()[:4] == ["qwen2.5-1.5b", "rewrite", "1.1", "GB"]  # the rewriter, sized

    r = runner.invoke(app, ["model", "pull", "gemma-3-4b", "--json"])
    assert r.exit_code == 0, r.output
    res = json.loads(r.stdout)
    assert (res["via"], res["role"], res["model"]) == ("hub", "answer", "google_gemma-3-4b-it-Q4_K_M.gguf")
    assert res["sha256"] == hub_with_gemma.files[GEMMA_4B].sha256 and res["hint"] == ""

    st = json.loads(runner.invoke(app, ["model", "status", "--json"]).stdout)
    assert (st["backend"], st["model"], st["capable"]) == ("embedded", "google_gemma-3-4b-it-Q4_K_M.gguf", True)
    a = runner.invoke(app, ["ask", "How did a robot learn to cook by watching a chef?", "--k", "2", "--json"])
    assert a.exit_code == 0, a.output
    out = json.loads(a.stdout)
    assert (out["backend"], out["model"]) == ("embedded", "google_gemma-3-4b-it-Q4_K_M.gguf")


def test_with_ollama_running_pull_goes_through_its_api(monkeypatch):
    srv = ScriptedOllama(models=[], library={"llama3.1:8b": 4_900_000_000}).start()
    try:
        monkeypatch.setenv("OLLAMA_HOST", srv.url)
        get_settings.cache_clear()
        s = get_settings()
        assert [o.name for o in offers(s)] == ["qwen2.5:1.5b", "llama3.1:8b"]
        r = CliRunner().invoke(app, ["model", "pull", "--json"])
        assert r.exit_code == 0, r.output
        res = json.loads(r.stdout)
        assert (res["via"], res["model"], res["hint"]) == ("ollama", "llama3.1:8b", "")
        assert [o.name for o in offers(s)] == ["qwen2.5:1.5b"]
        bad = CliRunner().invoke(app, ["model", "pull", "gemma3:27b"])
        assert bad.exit_code == 1 and "file does not exist" in bad.output
    finally:
        srv.stop()


def test_without_ollama_the_banner_offers_the_small_rewriter_first_then_an_answer_model(tmp_path):
    s = Settings(data_dir=tmp_path / "d", ollama_host=closed_port_url())
    got = [(o.name, o.role, o.via, o.size_label) for o in offers(s)]
    assert got == [("qwen2.5-1.5b", "rewrite", "hub", "1.1 GB"), ("gemma-3-4b", "answer", "hub", "2.5 GB")]


def test_an_unknown_name_and_no_network_are_one_line_errors(monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", closed_port_url())
    monkeypatch.setenv("HF_ENDPOINT", closed_port_url())
    get_settings.cache_clear()
    r = CliRunner().invoke(app, ["model", "pull", "gpt-5"])
    assert r.exit_code == 1 and "unknown model 'gpt-5'; use one of qwen2.5-1.5b, gemma-3-4b" in r.output
    r = CliRunner().invoke(app, ["model", "pull"])
    assert r.exit_code == 1 and "cannot download bartowski/google_gemma-3-4b-it-GGUF" in r.output
    assert len(r.output.strip().splitlines()) == 1
    with pytest.raises(Exception, match="ollama"):
        pull_model(get_settings(), "qwen2.5-1.5b", via="ollama")
