"""Issue 43's acceptance in real Chromium over the demo library (quotes backend): answer, 👎 with «не те джерело» and
a story picked by a pasted link, no page reload for any of it; a reload shows the rating again (read from the store);
then `batchrag feedback export` writes a question file that the real `batchrag eval` reads, with that story relevant.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from batchrag.cli import app
from batchrag.settings import Settings, get_settings
from tests.support.streamlit_app import running_app

CHROMIUM = Path("/usr/bin/chromium")
QUESTION = "Як роботи-собаки перевіряють лінії електропередачі?"
pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def feedback_app(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent (CI installs it with `apt-get install -y chromium`)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    from batchrag.service.demo import build_demo_library

    root = tmp_path_factory.mktemp("feedback")
    data = root / "data"
    build_demo_library(Settings(data_dir=data))
    env = {**os.environ, "BATCHRAG_DATA_DIR": str(data), "BATCHRAG_LLM_BACKEND": "extractive",
           "BATCHRAG_REWRITE": "off", "OLLAMA_HOST": "http://127.0.0.1:9"}
    env.pop("DATABASE_URL", None)
    with running_app(env, root / "streamlit.log", cwd=root) as url:
        yield url, data


def test_thumbs_down_with_a_linked_story_survives_a_reload_and_becomes_an_eval_question(feedback_app, tmp_path,
                                                                                         monkeypatch):
    from playwright.sync_api import expect, sync_playwright

    from batchrag.service.conversations import Conversations
    from tests.ui.test_browser import launch

    url, data = feedback_app
    monkeypatch.setenv("BATCHRAG_DATA_DIR", str(data))
    monkeypatch.setenv("BATCHRAG_LLM_BACKEND", "extractive")
    monkeypatch.setenv("BATCHRAG_REWRITE", "off")
    get_settings.cache_clear()
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_context(viewport={"width": 1400, "height": 2400}).new_page()
            page.goto(url)
            box = page.get_by_test_id("stChatInputTextArea")
            expect(box).to_be_visible(timeout=60_000)
            box.fill(QUESTION)
            box.press("Enter")
            down = page.get_by_role("button", name="👎", exact=True)
            expect(down).to_be_visible(timeout=120_000)
            (kept,) = Conversations(get_settings()).list()
            turn = Conversations(get_settings()).get(kept.id).turns[0]
            story = turn.answer.sources[-1]  # a story of the answer, named by its link as a reader pastes it

            page.evaluate("window.__not_reloaded = true")  # gone if anything below reloaded the page
            down.click()
            expect(page.get_by_text("Чому відповідь погана?")).to_be_visible(timeout=60_000)
            page.get_by_text("не те джерело", exact=True).click()
            link = page.get_by_label("…або посилання на статтю архіву")
            link.fill("не посилання")
            page.get_by_role("button", name="Зберегти відгук").click()
            expect(page.get_by_text("не посилання на статтю", exact=False)).to_be_visible(timeout=60_000)
            link.fill(story.url)
            page.get_by_role("button", name="Зберегти відгук").click()
            expect(page.get_by_text("Дякуємо! Відгук збережено.")).to_be_visible(timeout=60_000)
            assert page.evaluate("window.__not_reloaded === true")

            page.reload()
            expect(page.get_by_text("Ваша оцінка: 👎 · не те джерело", exact=False)).to_be_visible(timeout=60_000)
            assert story.title in page.get_by_text("Ваша оцінка:", exact=False).inner_text()
        finally:
            browser.close()

    out = tmp_path / "readers.jsonl"
    done = CliRunner().invoke(app, ["feedback", "export", "--out", str(out)])
    assert done.exit_code == 0, done.output
    (question,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert question["question"] == QUESTION and question["reason"] == "wrong_source"
    assert question["relevant"] == [{"issue": story.issue, "title": story.title}]
    measured = CliRunner().invoke(app, ["eval", str(out), "--json"])
    assert measured.exit_code == 0, measured.output
    assert json.loads(measured.stdout)["text"]["uk"]["n"] == 1
