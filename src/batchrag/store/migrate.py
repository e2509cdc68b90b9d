"""Bring an older store's tables up to this version's, on SQLite and PostgreSQL alike.

`create_all` adds missing tables but never a column to an existing one; each step here does, and is idempotent and
safe while other processes open the same store and run it too (the slower one finds the work done).
"""

from __future__ import annotations

import time

from sqlalchemy import Engine, func, inspect, select, text, update
from sqlalchemy.exc import DBAPIError

from batchrag.store.schema import ApiKeyRow, FeedbackRow

OWNER_INDEX = "ix_api_keys_owner_id"  # the name create_all gives ApiKeyRow.owner_id's unique index
# The change another process made first: SQLite's "duplicate column name", PostgreSQL's "already exists".
DONE_ALREADY = ("duplicate column", "already exists")
RACED = "duplicate key"  # PostgreSQL: two processes wrote one index's name into its catalogue at once


def migrate(engine: Engine) -> None:
    """Every step this version needs (schema 3: api_keys.owner_id; schema 4: the feedback table)."""
    _key_owner_ids(engine)
    _feedback_table(engine)


def _feedback_table(engine: Engine) -> None:
    """feedback (schema 4): a new table, no column of an older one changes. open_database's create_all has made it
    already; made here again (checkfirst) so that migrate() alone brings any older store up, whoever calls it."""
    with engine.connect() as conn:
        if inspect(conn).has_table(FeedbackRow.__tablename__):
            return
    _ddl_create(engine)


def _ddl_create(engine: Engine, tries: int = 5) -> None:
    for attempt in range(tries):
        try:
            FeedbackRow.__table__.create(engine, checkfirst=True)
            return
        except DBAPIError as exc:  # two processes creating it at once: the slower finds it made
            if attempt == tries - 1 or not any(m in str(exc.orig).lower() for m in (*DONE_ALREADY, RACED)):
                raise
            time.sleep(0.05 * (attempt + 1))


def _key_owner_ids(engine: Engine) -> None:
    """api_keys.owner_id: a key's identity, what its conversations belong to (schema 3)."""
    with engine.connect() as conn:
        look = inspect(conn)
        columns = {c["name"] for c in look.get_columns("api_keys")}
        indexes = {i["name"] for i in look.get_indexes("api_keys")}
    if "owner_id" not in columns:
        _ddl(engine, "ALTER TABLE api_keys ADD COLUMN owner_id VARCHAR(64)")
    # A key made before identities existed owned its conversations by its name (conversations.owner): its identity
    # is that name, so what it already owns stays its own. A key made since gets a random identity (service/keys.py),
    # never a name, so no later key can take over these. Idempotent: only rows still without one are set.
    with engine.begin() as conn:
        if conn.scalar(select(func.count()).select_from(ApiKeyRow).where(ApiKeyRow.owner_id.is_(None))):
            conn.execute(update(ApiKeyRow).where(ApiKeyRow.owner_id.is_(None)).values(owner_id=ApiKeyRow.name))
    if OWNER_INDEX not in indexes:
        _ddl(engine, f"CREATE UNIQUE INDEX IF NOT EXISTS {OWNER_INDEX} ON api_keys (owner_id)")


def _ddl(engine: Engine, statement: str, tries: int = 5) -> None:
    """Run one schema change; another process having made it meanwhile is success, a lost race is tried again."""
    for attempt in range(tries):
        try:
            with engine.begin() as conn:
                conn.execute(text(statement))
            return
        except DBAPIError as exc:
            message = str(exc.orig).lower()
            if any(m in message for m in DONE_ALREADY):
                return
            if attempt == tries - 1 or RACED not in message:
                raise
            time.sleep(0.05 * (attempt + 1))
