"""Real Chromium, one app start, what a reader trips over: the site down, the empty page, the chrome, lost pictures.

The demo library with its fixture site stopped (the site is "unreachable"), no model that writes answers (no Ollama,
no pulled GGUF: `auto` answers with the quotes), and the picture files of every story but one deleted (as in an
archive built from saved pages).
The app is started the plain way (`streamlit run <page>`, no flags) from a folder of its own: what hides the developer
chrome is the page's own .streamlit/config.toml.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from batchrag.settings import Settings
from tests.support.streamlit_app import running_app

CHROMIUM = Path("/usr/bin/chromium")
# The visible text of an element that is not the sources' own words: quotes stay in the text (taken out below), card
# titles (h3), passages (blockquote), links, code, picture captions and icons (their names are ligatures) are skipped.
VISIBLE_OWN_TEXT = """el => {
  const out = [];
  const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const p = walk.currentNode.parentElement;
    if (!p || !p.checkVisibility()) continue;
    if (p.closest('blockquote, h3, a, code, [data-testid="stImageCaption"], [data-testid="stIconMaterial"]')) continue;
    out.push(walk.currentNode.textContent);
  }
  return out.join(' ');
}"""


def english_words(text: str) -> list[str]:
    """Latin-script words outside «…» quotes."""
    return re.findall(r"[A-Za-z]{2,}", re.sub(r"«[^»]*»", " ", text))
pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def reader_app(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent (CI installs it with `apt-get install -y chromium`)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    from batchrag.service.demo import build_demo_library
    from batchrag.service.welcome import overview
    from batchrag.store import open_store

    root = tmp_path_factory.mktemp("reader")
    data = root / "data"
    settings = Settings(data_dir=data)
    demo = build_demo_library(settings)  # its fixture site is stopped again when this returns
    pictured = next(e for e in overview(settings).examples if e.kind == "image")
    keep = {i.local_path for i in open_store(settings).get_article_by_url(pictured.article_url).images}
    removed = 0
    for f in settings.store.images_dir.rglob("*"):
        if f.is_file() and f.relative_to(settings.store.images_dir).as_posix() not in keep:
            f.unlink()
            removed += 1
    assert keep and removed
    env = {**os.environ, "BATCHRAG_DATA_DIR": str(data), "BATCHRAG_LLM_BACKEND": "auto",
           "BATCHRAG_BASE_URL": demo.base_url, "OLLAMA_HOST": "http://127.0.0.1:9", "BATCHRAG_REWRITE": "auto"}
    with running_app(env, root / "streamlit.log", cwd=root) as url:  # no .streamlit/config.toml in root
        yield url, pictured


def test_what_a_reader_sees_with_the_site_down(reader_app):
    from playwright.sync_api import expect, sync_playwright

    from tests.ui.test_browser import launch

    url, pictured = reader_app
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 2400})
            page.goto(url)
            expect(page.get_by_test_id("stChatInputTextArea")).to_be_visible(timeout=60_000)

            # The empty page: what the library holds, and one example of each kind, as buttons.
            expect(page.get_by_text("У бібліотеці").first).to_be_visible(timeout=30_000)
            assert "найновіший випуск" in page.get_by_test_id("stMainBlockContainer").inner_text()
            for label in ("Запитання:", "Зображення:", "English:"):
                expect(page.get_by_role("button", name=label)).to_have_count(1)

            # No developer chrome: no Deploy button, no developer menu.
            expect(page.get_by_test_id("stAppDeployButton")).to_have_count(0)
            expect(page.get_by_test_id("stMainMenu")).to_have_count(0)

            # Updating with the site down: a warning that says so, when the library was last updated; no success.
            t0 = time.monotonic()
            page.get_by_role("button", name="Оновити бібліотеку").click()
            notice = page.get_by_text("Сайт The Batch недоступний")
            expect(notice).to_be_visible(timeout=20_000)
            assert time.monotonic() - t0 < 15  # a refused connection is not retried for 15 s
            sidebar = page.get_by_test_id("stSidebar").inner_text()
            assert "Останнє оновлення:" in sidebar and "така сама, як була" in sidebar
            assert "Бібліотеку оновлено" not in sidebar
            expect(page.locator("[data-testid='stAlertContentSuccess']")).to_have_count(0)
            expect(page.locator("[data-testid='stAlertContentWarning']").filter(has_text="недоступний")).to_have_count(1)

            # The picture example asks its question; the pictures without files are counted, none shows broken.
            page.get_by_role("button", name="Зображення:").click()
            expect(page.get_by_text("Дослівні цитати").first).to_be_visible(timeout=120_000)
            expect(page.get_by_text("У бібліотеці")).to_have_count(0)  # the welcome gives way to the conversation
            user = page.get_by_test_id("stChatMessage").first.inner_text()
            assert pictured.question.split("«")[1].rstrip("»") in user
            img = page.locator("[data-testid='stImage'] img").first
            expect(img).to_be_visible(timeout=30_000)
            for handle in page.locator("[data-testid='stImage'] img").element_handles():
                page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=handle)
            expect(page.get_by_text("Не показано зображень:")).to_be_visible()
            assert "batchrag crawl --images-only" in page.get_by_test_id("stMainBlockContainer").inner_text()

            # One Ukrainian voice: what the answer shows is Ukrainian but for the sources' own words (quotes «…», the
            # cards' titles and passages, the pictures' captions, links); the diagnostics wait under «Подробиці».
            answer = page.get_by_test_id("stChatMessage").nth(1)
            expect(answer.get_by_text("Подробиці")).to_be_visible()
            shown = answer.evaluate(VISIBLE_OWN_TEXT)
            assert "Джерела" in shown and english_words(shown) == [], shown
            assert "extractive" not in answer.inner_text()  # «Модель: extractive» is collapsed
            answer.get_by_text("Подробиці").click()
            expect(answer.get_by_text("Модель: extractive")).to_be_visible()
            if os.environ.get("BATCHRAG_SCREENSHOT"):
                page.screenshot(path=os.environ["BATCHRAG_SCREENSHOT"], full_page=True)
        finally:
            browser.close()
