"""The page tried as a hostile visitor would (issue 40), in real Chromium against one app start on 127.0.0.1 behind
an imagined reverse proxy (serve.require_keys): a DNS-rebinding name sees nothing, the last revoke leaves the page
closed with one line saying how to make a key, and wrong passwords are limited per address."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from batchrag.settings import Settings
from tests.support.streamlit_app import running_app

CHROMIUM = Path("/usr/bin/chromium")
LABEL = "Ключ доступу або пароль"
PASSWORD = "пароль команди"
pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def proxied_app(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent (CI installs it with `apt-get install -y chromium`)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    from batchrag.service.demo import build_demo_library
    from batchrag.service.keys import Keys

    root = tmp_path_factory.mktemp("proxied")
    settings = Settings(data_dir=root / "data")
    demo = build_demo_library(settings)
    admin = Keys(settings).create("ops", "admin")
    env = {**os.environ, "BATCHRAG_DATA_DIR": str(settings.store.data_dir), "BATCHRAG_LLM_BACKEND": "extractive",
           "BATCHRAG_BASE_URL": demo.base_url, "BATCHRAG_REWRITE": "off", "BATCHRAG_SERVE__REQUIRE_KEYS": "true",
           "BATCHRAG_SERVE__UI_PASSWORD": PASSWORD, "BATCHRAG_SERVE__AUTH_FAILURES_PER_MINUTE": "3"}
    env.pop("DATABASE_URL", None)
    with running_app(env, root / "streamlit.log", cwd=root) as url:
        yield url, settings, admin


def _browser(p, rebind: bool = False):
    from tests.ui.test_browser import launch

    # What DNS rebinding does: a name the attacker controls resolves to this machine's loopback.
    return launch(p, "--host-resolver-rules=MAP rebind.attacker.example 127.0.0.1") if rebind else launch(p)


def test_a_rebound_name_sees_nothing_of_the_page(proxied_app):
    from playwright.sync_api import expect, sync_playwright

    url, _, _ = proxied_app
    port = int(url.rsplit(":", 1)[1])
    with sync_playwright() as p:
        browser = _browser(p, rebind=True)
        try:
            page = browser.new_page()
            page.goto(f"http://rebind.attacker.example:{port}/")
            expect(page.get_by_text(re.compile("не належить цьому серверу"))).to_be_visible(timeout=60_000)
            expect(page.get_by_label(LABEL)).to_have_count(0)
            expect(page.get_by_test_id("stChatInputTextArea")).to_have_count(0)
            expect(page.get_by_test_id("stSidebar")).to_have_count(0)
        finally:
            browser.close()


def test_the_last_revoke_closes_the_page_and_wrong_passwords_wait(proxied_app):
    from playwright.sync_api import expect, sync_playwright

    from batchrag.service.keys import Keys

    url, settings, admin = proxied_app
    with sync_playwright() as p:
        browser = _browser(p)
        try:
            page = browser.new_context(viewport={"width": 1400, "height": 2000}).new_page()
            page.goto(url)
            field = page.get_by_label(LABEL)
            expect(field).to_be_visible(timeout=60_000)  # loopback, but behind a proxy: asks who you are
            field.fill(admin)
            page.get_by_role("button", name="Увійти").click()
            expect(page.get_by_test_id("stChatInputTextArea")).to_be_visible(timeout=60_000)
            # The last key revoked: the next visit finds the page closed (only the team password opens it now).
            Keys(settings).revoke("ops")
            page.wait_for_timeout(1500)  # every process re-reads the key table within a second
            page.reload()
            field = page.get_by_label(LABEL)
            expect(field).to_be_visible(timeout=60_000)
            expect(page.get_by_test_id("stChatInputTextArea")).to_have_count(0)

            for left in (2, 1, 0):
                field.fill("not the password")
                page.get_by_role("button", name="Увійти").click()
                expect(page.get_by_text(f"Неправильний ключ або пароль. Спроб до хвилинної паузи: {left}.")
                       ).to_be_visible(timeout=30_000)
            field.fill(PASSWORD)  # right, but this address has failed too often: it waits
            page.get_by_role("button", name="Увійти").click()
            expect(page.get_by_text(re.compile("Забагато невдалих спроб"))).to_be_visible(timeout=30_000)
            expect(page.get_by_test_id("stChatInputTextArea")).to_have_count(0)
        finally:
            browser.close()


def test_streamlit_run_on_every_interface_with_no_key_shows_one_line_and_nothing_else(tmp_path):
    """`streamlit run app/ui/app.py` without --server.address binds every interface: the same check as `batchrag
    serve`, so with no key and no password the page refuses, saying how to make a key."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent (CI installs it with `apt-get install -y chromium`)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    from playwright.sync_api import expect, sync_playwright

    env = {**os.environ, "BATCHRAG_DATA_DIR": str(tmp_path / "data"), "BATCHRAG_LLM_BACKEND": "extractive"}
    env.pop("DATABASE_URL", None)
    env.pop("STREAMLIT_SERVER_ADDRESS", None)
    with running_app(env, tmp_path / "streamlit.log", cwd=tmp_path, address="") as url, sync_playwright() as p:
        browser = _browser(p)
        try:
            page = browser.new_page()
            page.goto(url)
            expect(page.get_by_text(re.compile("жодного ключа немає"))).to_be_visible(timeout=60_000)
            expect(page.get_by_text(re.compile("batchrag keys create"))).to_be_visible()
            expect(page.get_by_label(LABEL)).to_have_count(0)
            expect(page.get_by_test_id("stChatInputTextArea")).to_have_count(0)
            expect(page.get_by_test_id("stSidebar")).to_have_count(0)
        finally:
            browser.close()
