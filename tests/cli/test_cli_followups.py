"""`batchrag ask --json` prints the follow-ups (issue 43): `followups`, each a question, the story it was built from
and why (docs/contracts.md)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from batchrag.cli import app
from batchrag.settings import get_settings
from tests.support.followup_library import EXPECTED, QUESTION, build


@pytest.fixture
def env(tmp_path, monkeypatch):
    s = build(tmp_path / "library")
    for name, value in (("DATA_DIR", str(s.store.data_dir)), ("LLM_BACKEND", "extractive"), ("REWRITE", "off")):
        monkeypatch.setenv(f"BATCHRAG_{name}", value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_ask_json_has_followups(env):
    r = CliRunner().invoke(app, ["ask", QUESTION, "--json", "--k", "1"])
    assert r.exit_code == 0, r.output
    followups = json.loads(r.stdout)["followups"]
    assert {f["why"]: f["story"]["url"] for f in followups} == EXPECTED
    assert all(f["question"] == f"Більше про “{f['story']['title']}”" and set(f) == {"question", "story", "why"}
               for f in followups)
