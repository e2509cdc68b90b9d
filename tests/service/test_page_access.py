"""Who may use the Streamlit page: open on loopback until a key exists, a key or serve.ui_password beyond it or with
serve.require_keys; closed for good once keys were required; readers and admins."""

from __future__ import annotations

import time

import pytest

from batchrag.service import page_access
from batchrag.service.keys import Keys
from batchrag.service.page_access import PageAccess, page_role
from batchrag.settings import Settings, get_settings


def test_loopback_without_keys_is_open_to_admins_and_closes_for_good_once_a_key_exists():
    s = get_settings()
    for address in ("127.0.0.1", "localhost", "::1", "[::1]"):
        assert not PageAccess(s, address).login_needed()
        assert page_role(s, address, None) == "admin"
    # Beyond loopback with neither a key nor a password: closed, and nothing can log in (`batchrag serve` refuses to
    # start so; `streamlit run` shows one line saying how to make a key).
    beyond = PageAccess(s, "0.0.0.0")
    assert beyond.login_needed() and not beyond.can_log_in() and page_role(s, "0.0.0.0", "") is None
    # --no-auth: the deployer opened it on purpose.
    assert not PageAccess(s.with_changes(no_auth=True), "0.0.0.0").login_needed()
    running = PageAccess(s, "127.0.0.1")
    assert not running.login_needed()
    Keys(s).create("ops", "admin")
    guarded = s.with_changes(ui_password="secret")
    # A key exists: the page asks on loopback too (a proxy in front of it is the usual team set-up).
    assert page_role(guarded, "127.0.0.1", None) is None and page_role(guarded, "127.0.0.1", "secret") == "reader"
    time.sleep(1.1)  # a process re-reads whether keys exist once a second
    assert running.login_needed()  # the running page saw the key
    Keys(s).revoke("ops")
    time.sleep(1.1)
    assert running.login_needed() and not running.can_log_in()  # the last revoke leaves it closed, not open


def test_require_keys_closes_the_page_on_loopback():
    s = get_settings().with_changes(require_keys=True)
    access = PageAccess(s, "127.0.0.1")
    assert access.login_needed() and not access.can_log_in() and access.role(None) is None


def test_keys_give_their_role_and_anything_else_nothing():
    s = get_settings()
    keys = Keys(s)
    reader, admin = keys.create("olena"), keys.create("ops", "admin")
    # No address (streamlit's default binds every interface) is not loopback.
    for address in ("0.0.0.0", "192.168.1.5", "", None):
        access = PageAccess(s, address)
        assert access.login_needed()
        assert access.role(reader) == "reader" and access.role(f" {admin}\n") == "admin"
        assert access.role(None) is None and access.role("") is None and access.role("  ") is None
        assert access.role(reader[:-1]) is None and access.role("secret") is None
    keys.revoke("olena")
    assert page_role(s, "0.0.0.0", reader) is None and page_role(s, "0.0.0.0", admin) == "admin"


def test_the_password_gives_a_reader_compared_in_constant_time(monkeypatch):
    s = Settings().with_changes(ui_password="пароль команди")
    access = PageAccess(s, "0.0.0.0")
    assert access.login_needed()
    assert access.role("пароль команди") == "reader" and access.role(" пароль команди ") == "reader"
    assert access.role("пароль") is None and access.role("") is None and access.role(None) is None
    compared = []
    real = page_access.hmac.compare_digest
    monkeypatch.setattr(page_access.hmac, "compare_digest", lambda a, b: compared.append((a, b)) or real(a, b))
    assert access.role("x") is None and len(compared) == 1
    # An empty password is no password: nothing logs in with it.
    empty = PageAccess(Settings().with_changes(ui_password="  "), "0.0.0.0")
    assert empty.login_needed() and not empty.can_log_in() and empty.role("  ") is None


def test_wrong_secrets_are_limited_per_address():
    s = get_settings().with_changes(ui_password="pw", auth_failures_per_minute=3)
    access = PageAccess(s, "0.0.0.0")
    for _ in range(3):
        assert access.wait("10.0.0.9") == 0 and access.role("wrong", "10.0.0.9") is None
    assert 50 <= access.wait("10.0.0.9") <= 60  # this address waits a minute
    assert access.wait("10.0.0.8") == 0 and access.role("pw", "10.0.0.8") == "reader"  # another one does not


def test_the_password_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("BATCHRAG_SERVE__UI_PASSWORD", "team-pass")
    get_settings.cache_clear()
    s = get_settings()
    assert s.serve.ui_password == "team-pass"
    assert page_role(s, "0.0.0.0", "team-pass") == "reader" and page_role(s, "0.0.0.0", "team") is None


@pytest.mark.parametrize("address", ["10.0.0.1", "0.0.0.0"])
def test_a_key_wins_over_the_password(address):
    s = get_settings().with_changes(ui_password="pw")
    admin = Keys(s).create("ops", "admin")
    assert page_role(s, address, admin) == "admin" and page_role(s, address, "pw") == "reader"
