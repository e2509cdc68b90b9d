"""`batchrag feedback` on the demo library: a kept answer rated from its `ask --keep` line, bad input one line and
exit 1, and the export a question file that the real `batchrag eval` reads, with the named story as `relevant`; the
👎 without a story beside it, to be labelled."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from batchrag.cli import app
from batchrag.service.demo import build_demo_library
from batchrag.settings import Settings, get_settings

QUESTION = "Як роботи-собаки перевіряють лінії електропередачі?"
OTHER = "Що нового у відкритих моделях?"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    d = tmp_path_factory.mktemp("feedback_cli") / "data"
    build_demo_library(Settings(data_dir=d))
    return d


@pytest.fixture
def env(demo, monkeypatch):
    monkeypatch.setenv("BATCHRAG_DATA_DIR", str(demo))
    monkeypatch.setenv("BATCHRAG_REWRITE", "off")
    monkeypatch.setenv("BATCHRAG_LLM_BACKEND", "extractive")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_rate_then_export_then_eval_reads_it_with_the_story_relevant(env, tmp_path):
    plain = run("ask", QUESTION, "--keep")
    assert plain.exit_code == 0 and "batchrag feedback " in plain.stderr and "up|down" in plain.stderr
    kept = json.loads(run("ask", QUESTION, "--keep", "--json").stdout)
    aid, story = kept["answer_id"], kept["sources"][-1]
    other = json.loads(run("ask", OTHER, "--keep", "--json").stdout)["answer_id"]

    bad = run("feedback", aid, "down", "--story", "not a link")
    assert bad.exit_code == 1 and bad.stderr.startswith("error: ") and len(bad.stderr.strip().splitlines()) == 1
    assert "не посилання на статтю" in bad.stderr
    assert run("feedback", aid, "sideways").exit_code == 1
    assert run("feedback", "AAAAAAAAAAAA", "up").exit_code == 1
    rated = run("feedback", aid, "down", "--reason", "wrong_source", "--story", story["url"])
    assert rated.exit_code == 0 and "не те джерело" in rated.stdout
    assert run("feedback", other, "down", "--reason", "incomplete", "--text", "мало").exit_code == 0

    out = tmp_path / "readers.jsonl"
    done = run("feedback", "export", "--out", str(out))
    assert done.exit_code == 0, done.output
    (question,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert question["question"] == QUESTION and question["kind"] == "text" and question["lang"] == "uk"
    assert question["relevant"][0]["issue"] == story["issue"]
    (label,) = [json.loads(line) for line in (tmp_path / "readers.to-label.jsonl").read_text().splitlines()]
    assert {oct(f.stat().st_mode & 0o777) for f in tmp_path.glob("readers*.jsonl")} == {"0o600"}  # readers' words
    assert (label["question"], label["reason"], label["text"]) == (OTHER, "incomplete", "мало")
    whole = json.loads(run("feedback", "export", "--json").stdout)
    assert whole["counts"] == {"questions": 1, "to_label": 1, "skipped": 0}
    assert json.loads(run("feedback", "export", "--json", "--since", "2999-01-01").stdout)["counts"]["questions"] == 0
    assert run("feedback", "export", "--since", "someday").exit_code == 1

    measured = run("eval", str(out), "--json")
    assert measured.exit_code == 0, measured.output
    text = json.loads(measured.stdout)["text"]
    assert text["uk"]["n"] == 1 and text["uk"]["recall@10"] == 1.0  # the story the reader named is found

