"""A key's identity (api_keys.owner_id) on SQLite and PostgreSQL: random and never reused, what conversations belong
to, orphans once its key is revoked; an older store without the column migrated on open, by many processes at once."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from batchrag.service.conversations import Conversations
from batchrag.service.keys import Keys, key_hash
from batchrag.settings import get_settings
from batchrag.store import open_store
from batchrag.store.schema import SCHEMA_VERSION, ApiKeyRow, Base

IDENTITY = re.compile(r"key_[0-9a-f]{16}")
OLD_KEY = "brk_an-old-key-made-before-identities"
# api_keys as schema 2 made it: no owner_id.
OLD_API_KEYS = ("CREATE TABLE api_keys (name VARCHAR(64) NOT NULL PRIMARY KEY, role VARCHAR(16) NOT NULL, "
                "key_hash VARCHAR(64) NOT NULL UNIQUE, created_at TIMESTAMP NOT NULL, last_used TIMESTAMP)")


def old_store(url: str) -> None:
    """A schema-2 store: every other table as now, api_keys without owner_id, key `olena` owning a conversation."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    Base.metadata.create_all(engine, tables=[t for t in Base.metadata.sorted_tables if t.name != "api_keys"])
    with engine.begin() as conn:
        conn.execute(text(OLD_API_KEYS))
        conn.execute(text("INSERT INTO api_keys (name, role, key_hash, created_at) "
                          "VALUES ('olena', 'reader', :h, '2025-01-02 03:04:05')"), {"h": key_hash(OLD_KEY)})
        conn.execute(text("INSERT INTO conversations (id, title, owner, created_at, updated_at) "
                          "VALUES ('olenas-conv-1', 'Льодовики', 'olena', '2025-01-02 03:04:05', "
                          "'2025-01-02 03:04:05')"))
        conn.execute(text("INSERT INTO meta (key, value) VALUES ('schema_version', '2')"))
    engine.dispose()


def test_a_new_key_gets_a_random_identity_never_its_name_nor_a_revoked_ones(any_db):
    keys = Keys(get_settings())
    first = keys.check(keys.create("olena"))
    assert IDENTITY.fullmatch(first.owner) and first.name == "olena"
    keys.revoke("olena")
    again = keys.check(keys.create("olena"))
    assert again.name == "olena" and IDENTITY.fullmatch(again.owner) and again.owner != first.owner
    store = open_store(get_settings())
    store.add_conversation("kept-by-old1", "x", owner="key_0123456789abcdef")
    # An identity some conversation belongs to is taken (a revoked key's), as is a live key's; a free one is not.
    assert store.owner_taken("key_0123456789abcdef") and store.owner_taken(again.owner)
    assert not store.owner_taken(first.owner + "0")


def test_a_revoked_keys_conversations_are_orphans_for_admins_alone(any_db):
    keys, convs = Keys(get_settings()), Conversations(get_settings())
    store = open_store(get_settings())
    gone = keys.check(keys.create("olena")).owner
    live = keys.check(keys.create("taras")).owner
    admin = keys.check(keys.create("ops", "admin")).owner
    for cid, owner in [("orphan-conv1", gone), ("taras-conv01", live), ("password-c01", "(password)"),
                       ("page-conv-01", None)]:
        store.add_conversation(cid, cid, owner=owner)
    assert [c.id for c in convs.list(gone)] == ["orphan-conv1"]  # while olena's key lives: hers, nobody's orphan
    assert convs.list(admin, orphans=True) == []
    keys.revoke("olena")
    assert [(c.id, c.owner) for c in convs.list(admin, orphans=True)] == [("orphan-conv1", gone)]
    assert convs.get("orphan-conv1", admin, orphans=True).owner == gone
    for other in ("taras-conv01", "password-c01", "page-conv-01"):  # a live key's, the password's, the page's
        assert store.conversation(other, admin, orphans=True) is None
        assert not store.delete_conversation(other, admin, orphans=True)
    assert store.conversation("orphan-conv1", admin) is None  # without `orphans` (a reader): never
    assert store.conversation("orphan-conv1", live) is None
    assert store.delete_conversation("orphan-conv1", admin, orphans=True)
    assert convs.list(admin, orphans=True) == [] and store.conversation("taras-conv01", live) is not None


def test_a_store_from_before_identities_is_migrated_and_its_keys_keep_their_conversations(any_db):
    old_store(any_db)
    store = open_store(get_settings())
    assert store.schema_version() == SCHEMA_VERSION == 4
    look = inspect(store.engine)
    assert "owner_id" in {c["name"] for c in look.get_columns("api_keys")}
    assert any(i["unique"] and i["column_names"] == ["owner_id"] for i in look.get_indexes("api_keys"))
    keys = Keys(get_settings())
    olena = keys.check(OLD_KEY)
    assert (olena.name, olena.owner) == ("olena", "olena")  # a key from before owns by its name, as it did
    assert [c.id for c in Conversations(get_settings()).list(olena.owner)] == ["olenas-conv-1"]
    # Revoked and made again, the name owns nothing of the old key's; the new key's identity is random.
    keys.revoke("olena")
    fresh = keys.check(keys.create("olena"))
    assert IDENTITY.fullmatch(fresh.owner) and Conversations(get_settings()).list(fresh.owner) == []
    assert open_store(get_settings()).schema_version() == SCHEMA_VERSION  # opened again: nothing left to do


OPENER = f"""
from batchrag.settings import get_settings
from batchrag.service.keys import Keys
from batchrag.store import open_store
open_store(get_settings())
assert Keys(get_settings()).check({OLD_KEY!r}).owner == "olena"
"""


def test_many_processes_migrate_one_old_store_at_once(any_db):
    old_store(any_db)
    procs = [subprocess.Popen([sys.executable, "-c", OPENER], stderr=subprocess.PIPE) for _ in range(6)]
    results = [(p.wait(120), p.stderr.read().decode()) for p in procs]
    assert all(rc == 0 for rc, _ in results), [err.strip().splitlines()[-1:] for _, err in results]
    store = open_store(get_settings())
    with store.Session() as s:
        assert [(r.name, r.owner_id) for r in s.query(ApiKeyRow)] == [("olena", "olena")]
    assert store.schema_version() == SCHEMA_VERSION
