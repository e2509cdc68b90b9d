"""Real Chromium against `streamlit run` over the demo library: ask, see the streamed answer, cards, a picture."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from batchrag.settings import Settings
from tests.support.streamlit_app import running_app

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def served_app(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent (CI installs it with `apt-get install -y chromium`)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    pytest.importorskip("llama_cpp", reason="the embedded LLM is not installed")
    from batchrag.service.demo import build_demo_library

    data = tmp_path_factory.mktemp("browser") / "data"
    build_demo_library(Settings(data_dir=data))
    env = {**os.environ, "BATCHRAG_DATA_DIR": str(data), "BATCHRAG_LLM_BACKEND": "embedded",
           "BATCHRAG_LLM_MAX_TOKENS": "120"}
    env.pop("OLLAMA_HOST", None)
    with running_app(env, data.parent / "streamlit.log") as url:
        yield url


def launch(p, *extra: str):
    return p.chromium.launch(
        executable_path=str(CHROMIUM), headless=True,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
              "--disable-sync", "--no-first-run", *extra],
    )


def test_question_in_real_browser(served_app, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 2600})
            page.goto(served_app)
            box = page.get_by_test_id("stChatInputTextArea")
            expect(box).to_be_visible(timeout=60_000)
            expect(page.get_by_text("Випусків:")).to_be_visible(timeout=30_000)
            box.fill("Що нового у відкритих моделях?")
            box.press("Enter")
            # The finished answer carries its «Подробиці», collapsed: the backend line is inside.
            details = page.get_by_test_id("stExpander").filter(has_text="Подробиці").first
            expect(details).to_be_visible(timeout=240_000)
            expect(page.get_by_text("Модель: embedded").first).to_be_hidden()
            details.get_by_text("Подробиці").click()
            expect(page.get_by_text("Модель: embedded").first).to_be_visible()
            expect(page.get_by_text("Джерела", exact=True).first).to_be_visible()
            cards = page.locator("h3[id^='a0-src-']")
            assert cards.count() >= 1
            img = page.locator("[data-testid='stImage'] img, [data-testid='stFullScreenFrame'] img").first
            expect(img).to_be_visible(timeout=30_000)
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())
            answer = page.get_by_test_id("stChatMessage").nth(1).inner_text()
            assert len(answer) > 40
            shot = tmp_path / "answer.png"
            page.get_by_test_id("stChatMessage").nth(1).scroll_into_view_if_needed()
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 10_000
            if os.environ.get("BATCHRAG_SCREENSHOT"):
                Path(os.environ["BATCHRAG_SCREENSHOT"]).write_bytes(shot.read_bytes())
        finally:
            browser.close()


def test_digest_and_timeline_pages_in_real_browser(served_app, tmp_path):
    """The same app start: «Дайджест» shows the newest demo issue with pictures and downloads its HTML;
    «Хронологія» draws the chart of a demo topic and lists its stories."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 3000}, accept_downloads=True)
            page.goto(f"{served_app}/digest")
            expect(page.get_by_text("Дайджест випуску")).to_be_visible(timeout=60_000)
            # The newest demo issue (5), its stories in page order.
            names = ["Open Models Learn to Reason", "Robot Dogs Inspect Power Lines", "AI Act Obligations Take Effect",
                     "Agents Negotiate with Agents"]
            for name in (names[0], names[-1]):  # the page renders story by story: wait for the last one too
                expect(page.get_by_role("heading", name=name)).to_be_visible(timeout=60_000)
            heads = page.locator("h3").all_inner_texts()
            assert [h for h in heads if h in names] == names
            # Only the demo model runs here: the summaries are the stories' English leads, labelled so.
            expect(page.get_by_text("Початок статті англійською").first).to_be_visible()
            img = page.locator("[data-testid='stImage'] img, [data-testid='stFullScreenFrame'] img").first
            expect(img).to_be_visible(timeout=30_000)
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())
            assert page.locator("[data-testid='stImage'] img, [data-testid='stFullScreenFrame'] img").count() >= 2
            with page.expect_download() as dl:
                page.get_by_role("button", name="Завантажити HTML").click()
            saved = tmp_path / "digest.html"
            dl.value.save_as(saved)
            html = saved.read_text(encoding="utf-8")
            assert all(n in html for n in names) and "data:image/" in html
            # The sidebar's pages: each has its own address.
            expect(page.get_by_role("link", name="Хронологія")).to_be_visible()
            page.goto(f"{served_app}/timeline?topic=robots")
            expect(page.get_by_text("Хронологія теми")).to_be_visible(timeout=60_000)
            chart = page.locator("[data-testid='stVegaLiteChart']")
            expect(chart).to_be_visible(timeout=90_000)
            expect(chart.locator("canvas, svg").first).to_be_visible(timeout=30_000)
            expect(page.get_by_role("link", name="Robot Dogs Inspect Power Lines")).to_be_attached(timeout=30_000)
            assert page.get_by_text(re.compile(r"\d+ стат(?:тя|ті|ей)")).count() >= 1  # «N статті», its form
        finally:
            browser.close()
