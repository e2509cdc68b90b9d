"""Who may use the Streamlit page: open on loopback, a key or serve.ui_password beyond it; readers and admins."""

from __future__ import annotations

import pytest

from batchrag.service import page_access
from batchrag.service.keys import Keys
from batchrag.service.page_access import PageAccess, page_role
from batchrag.settings import Settings, get_settings


def test_loopback_and_an_unguarded_address_are_open_to_admins():
    s = get_settings()
    for address in ("127.0.0.1", "localhost", "::1", "[::1]"):
        assert not PageAccess(s, address).login_needed()
        assert page_role(s, address, None) == "admin"
    # Beyond loopback with neither a key nor a password: as before keys (`batchrag serve` refuses to start so).
    assert not PageAccess(s, "0.0.0.0").login_needed() and page_role(s, "0.0.0.0", "") == "admin"
    Keys(s).create("ops", "admin")
    guarded = s.with_changes(ui_password="secret")
    assert page_role(guarded, "127.0.0.1", None) == "admin"  # loopback stays open with keys and a password


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
    assert not empty.login_needed()


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
