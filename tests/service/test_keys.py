"""API keys in the store (SQLite and PostgreSQL): created once, listed without key material, revoked everywhere."""

from __future__ import annotations

import pytest

from batchrag.service.keys import PREFIX, KeyProblem, Keys, is_loopback, key_hash
from batchrag.settings import get_settings
from batchrag.store import open_store


def test_a_key_is_shown_once_kept_as_a_hash_and_revoked(any_db):
    keys = Keys(get_settings())
    assert not keys.required() and keys.check("anything") is None
    key = keys.create("olena", "reader")
    admin = keys.create("ops", "admin")
    assert key.startswith(PREFIX) and len(key) > 40 and key != admin
    keys._any = (0.0, False)  # noqa: SLF001  (skip the one-second wait a running server allows itself)
    assert keys.required()
    assert keys.check(key).role == "reader" and keys.check(f" {admin} ").admin
    assert keys.check(key[:-1]) is None and keys.check("") is None and keys.check(None) is None
    listed = keys.list()
    assert [(k["name"], k["role"]) for k in listed] == [("olena", "reader"), ("ops", "admin")]
    assert listed[0]["last_used"] is not None  # checked above
    text = repr(listed) + repr(open_store(get_settings()).keys())
    assert key not in text and key_hash(key) not in text  # never the key, never its hash
    # Another process (another Keys over the same store) sees the revocation at once.
    Keys(get_settings()).revoke("olena")
    assert keys.check(key) is None and keys.check(admin).name == "ops"
    with pytest.raises(KeyProblem, match="no key named 'olena'"):
        keys.revoke("olena")


def test_bad_key_commands_are_one_line_errors(any_db):
    keys = Keys(get_settings())
    keys.create("team")
    for args, msg in [(("team",), "a key named 'team' exists"), (("a b",), "bad key name"),
                      (("x", "owner"), "unknown role 'owner'")]:
        with pytest.raises(KeyProblem, match=msg):
            keys.create(*args)


def test_loopback():
    assert all(map(is_loopback, ["127.0.0.1", "localhost", "::1", "[::1]", "127.0.1.1"]))
    assert not any(map(is_loopback, ["0.0.0.0", "192.168.1.5", "::", "example.org"]))
