"""`batchrag caption` on the demo library with a scripted vision model: stored once, resumable, searched by."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from typer.testing import CliRunner

from batchrag.cli import app
from batchrag.llm.captioners.base import NO_VISION
from batchrag.service.demo import build_demo_library
from batchrag.settings import Settings, get_settings
from tests.support.net import closed_port_url
from tests.support.ollama_wire import Reply, ScriptedOllama

JELLYFISH = "Glowing jellyfish drifting through a dark aquarium tank, lit in blue and violet."


@pytest.fixture(scope="module")
def demo_lib(tmp_path_factory):
    d = tmp_path_factory.mktemp("captions") / "data"
    build_demo_library(Settings(data_dir=d))
    return d


@pytest.fixture
def library(demo_lib, tmp_path, monkeypatch):
    """A private copy of the demo library where two downloaded pictures lost their alt text."""
    d = tmp_path / "lib"
    shutil.copytree(demo_lib, d)
    with sqlite3.connect(d / "articles.db") as db:
        rows = db.execute("SELECT id, url FROM images WHERE local_path IS NOT NULL ORDER BY id").fetchall()
        blank = [rows[0][0], rows[-1][0]]
        db.execute(f"UPDATE images SET alt = '' WHERE id IN ({blank[0]}, {blank[1]})")
    monkeypatch.setenv("BATCHRAG_DATA_DIR", str(d))
    get_settings.cache_clear()
    return d


def _vision(first: str, rest: str | None = None) -> ScriptedOllama:
    """A vision model that writes `first` for the first picture it is shown and `rest` (default: the same) after."""
    return ScriptedOllama(models=["gemma3:4b"], replies=[Reply([first])], default=Reply([rest or first])).start()


def test_captions_are_written_once_resume_after_a_stop_and_find_the_picture(library, monkeypatch):
    srv = _vision(JELLYFISH, "A plain grey square on a white page.")
    runner = CliRunner()
    try:
        monkeypatch.setenv("OLLAMA_HOST", srv.url)
        get_settings.cache_clear()
        first = json.loads(runner.invoke(app, ["caption", "--limit", "1", "--json"]).stdout)
        n = first["candidates"]  # the two blanked, and any demo picture whose alt is a file name
        assert (first["model"], first["captioned"]) == ("ollama:gemma3:4b", 1) and n >= 2
        assert srv.chat_requests()[0]["messages"][0]["images"]  # the picture itself went to the model
        # The run stopped after one (as a killed run would): the next one does only the other picture.
        second = json.loads(runner.invoke(app, ["caption", "--json"]).stdout)
        assert (second["captioned"], second["kept"]) == (n - 1, 1) and len(srv.chat_requests()) == n
        third = json.loads(runner.invoke(app, ["caption", "--json"]).stdout)
        assert (third["captioned"], third["kept"]) == (0, n) and len(srv.chat_requests()) == n
    finally:
        srv.stop()
    r = runner.invoke(app, ["index", "--json"])
    assert r.exit_code == 0, r.output
    from batchrag.service import Assistant

    top = Assistant(get_settings()).search_images("Покажи фото медуз в акваріумі", k=3)
    assert top[0].machine_caption == JELLYFISH  # found by the caption alone: its alt text is gone


def test_junk_leaves_the_picture_uncaptioned_with_a_counted_reason(library, monkeypatch):
    srv = _vision("Медузи в акваріумі.")
    try:
        monkeypatch.setenv("OLLAMA_HOST", srv.url)
        get_settings.cache_clear()
        res = json.loads(CliRunner().invoke(app, ["caption", "--json"]).stdout)
    finally:
        srv.stop()
    assert res["captioned"] == 0 and res["failed"] == {"not English": res["candidates"]} and res["candidates"] >= 2


def test_without_a_vision_model_caption_exits_0_with_one_line_and_changes_nothing(library, monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", closed_port_url())
    get_settings.cache_clear()
    def state():
        with sqlite3.connect(library / "articles.db") as db:
            return db.execute("SELECT * FROM summaries").fetchall(), db.execute("SELECT * FROM images").fetchall()

    before = state()
    r = CliRunner().invoke(app, ["caption"])
    assert r.exit_code == 0 and r.output.strip() == NO_VISION
    assert state() == before
