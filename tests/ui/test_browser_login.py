"""Real Chromium, one app start bound to 0.0.0.0 (reached on 127.0.0.1): the page asks for a key or the password,
a wrong one gets one Ukrainian line, a reader gets the page without the buttons that change the library or the
models, an admin gets them.

The demo library with a reader key and an admin key in its store, serve.ui_password set, no model that writes
answers (so the model notice with its download buttons shows to an admin).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from batchrag.settings import Settings
from tests.support.streamlit_app import running_app

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "пароль команди"
LABEL = "Ключ доступу або пароль"
WRONG = "Неправильний ключ або пароль."
pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def guarded_app(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent (CI installs it with `apt-get install -y chromium`)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    from batchrag.service.demo import build_demo_library
    from batchrag.service.keys import Keys

    root = tmp_path_factory.mktemp("login")
    data = root / "data"
    settings = Settings(data_dir=data)
    demo = build_demo_library(settings)
    reader, admin = Keys(settings).create("olena"), Keys(settings).create("ops", "admin")
    env = {**os.environ, "BATCHRAG_DATA_DIR": str(data), "BATCHRAG_LLM_BACKEND": "auto",
           "BATCHRAG_BASE_URL": demo.base_url, "OLLAMA_HOST": "http://127.0.0.1:9", "BATCHRAG_REWRITE": "auto",
           "BATCHRAG_SERVE__UI_PASSWORD": PASSWORD}
    env.pop("DATABASE_URL", None)
    with running_app(env, root / "streamlit.log", cwd=root, address="0.0.0.0") as url:
        yield url, reader, admin


def _log_in(page, url: str, secret: str) -> None:
    from playwright.sync_api import expect

    page.goto(url)
    field = page.get_by_label(LABEL)
    expect(field).to_be_visible(timeout=60_000)
    field.fill(secret)
    page.get_by_role("button", name="Увійти").click()


def test_the_page_beyond_loopback_asks_who_you_are(guarded_app):
    from playwright.sync_api import expect, sync_playwright

    from tests.ui.test_browser import launch

    url, reader, admin = guarded_app
    with sync_playwright() as p:
        browser = launch(p)
        try:
            # Nothing but the form until a key is given: no question box, no sidebar.
            page = browser.new_context(viewport={"width": 1400, "height": 2000}).new_page()
            _log_in(page, url, "brk_not-a-key")
            expect(page.get_by_text(WRONG)).to_be_visible(timeout=30_000)
            expect(page.get_by_test_id("stChatInputTextArea")).to_have_count(0)
            expect(page.get_by_test_id("stSidebar")).to_have_count(0)
            expect(page.get_by_text("Випусків:")).to_have_count(0)

            # The reader key: the page, and no button that changes the library or the models.
            field = page.get_by_label(LABEL)
            field.fill(reader)
            page.get_by_role("button", name="Увійти").click()
            expect(page.get_by_test_id("stChatInputTextArea")).to_be_visible(timeout=60_000)
            expect(page.get_by_text("Випусків:")).to_be_visible(timeout=30_000)
            expect(page.get_by_text("Модель може завантажити адміністратор сервера.")).to_be_visible(timeout=30_000)
            expect(page.get_by_label(LABEL)).to_have_count(0)
            expect(page.get_by_text(WRONG)).to_have_count(0)
            expect(page.get_by_role("button", name="Оновити бібліотеку")).to_have_count(0)
            expect(page.get_by_role("button", name="Завантажити")).to_have_count(0)
            # The session keeps it: another page of the app asks nothing.
            page.get_by_test_id("stSidebarNavLink").filter(has_text="Дайджест").click()
            page.wait_for_url("**/digest**", timeout=30_000)
            expect(page.get_by_role("button", name="Завантажити HTML")).to_be_visible(timeout=60_000)
            expect(page.get_by_label(LABEL)).to_have_count(0)

            # The team password: a reader too; «Вийти» forgets it, and the page asks again.
            page = browser.new_context().new_page()
            _log_in(page, url, PASSWORD)
            expect(page.get_by_test_id("stChatInputTextArea")).to_be_visible(timeout=60_000)
            expect(page.get_by_text("Випусків:")).to_be_visible(timeout=30_000)
            expect(page.get_by_role("button", name="Оновити бібліотеку")).to_have_count(0)
            expect(page.get_by_text("Ви увійшли: командний пароль (читач)")).to_be_visible(timeout=30_000)
            page.get_by_role("button", name="Вийти").click()
            expect(page.get_by_label(LABEL)).to_be_visible(timeout=30_000)
            expect(page.get_by_test_id("stChatInputTextArea")).to_have_count(0)

            # A new browser with the admin key: the update button and the model downloads are there.
            page = browser.new_context(viewport={"width": 1400, "height": 2000}).new_page()
            _log_in(page, url, admin)
            expect(page.get_by_role("button", name="Оновити бібліотеку")).to_be_visible(timeout=60_000)
            expect(page.get_by_role("button", name="Завантажити").first).to_be_visible(timeout=30_000)
            expect(page.get_by_test_id("stChatInputTextArea")).to_be_visible()
        finally:
            browser.close()
