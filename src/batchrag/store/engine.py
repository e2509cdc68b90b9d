"""Open the database: engine, SQLite settings, tables, their migration, schema version."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from batchrag.domain.errors import BatchragError
from batchrag.store.migrate import migrate
from batchrag.store.schema import SCHEMA_VERSION, Base, Meta

_UPSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}


class StoreError(BatchragError):
    """A database problem explained for a person."""


def open_database(url: str) -> Engine:
    """An engine on the database at url, its tables created and its schema version recorded."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(url, future=True)
        if url.startswith("sqlite"):
            event.listen(engine, "connect", _sqlite_pragmas)
        _create_tables(engine)
        migrate(engine)  # an older store's tables gain what this version's have (store/migrate.py)
        _record_schema_version(engine)
    except Exception as exc:
        raise StoreError(f"cannot open the article database {url}: {exc}") from exc
    return engine


def _create_tables(engine: Engine, tries: int = 5) -> None:
    """The missing tables. Two processes opening a new store at once both see a table missing and both create it;
    the slower one's CREATE then fails ("already exists", or a duplicate key in PostgreSQL's catalogue) and is tried
    again, when it finds the table there."""
    for attempt in range(tries):
        try:
            Base.metadata.create_all(engine)
            return
        except DBAPIError as exc:
            if attempt == tries - 1 or not any(m in str(exc.orig) for m in ("already exists", "duplicate key")):
                raise
            time.sleep(0.05 * (attempt + 1))


def _record_schema_version(engine: Engine) -> None:
    with engine.begin() as conn:
        put_meta(conn, "schema_version", str(SCHEMA_VERSION))


def put_meta(conn: Connection | Session, key: str, value: str) -> None:
    """Set a meta row in one atomic statement. A delete-then-insert (or the ORM's merge) lets two processes that open
    a store at once both find no row and both insert it: PostgreSQL then refused the second (a unique violation)."""
    dialect = (conn.get_bind() if isinstance(conn, Session) else conn).dialect.name
    if dialect not in _UPSERTS:  # another database: the portable way, racy only against a concurrent first write
        conn.execute(Meta.__table__.delete().where(Meta.key == key))
        conn.execute(Meta.__table__.insert().values(key=key, value=value))
        return
    stmt = _UPSERTS[dialect](Meta.__table__).values(key=key, value=value)
    conn.execute(stmt.on_conflict_do_update(index_elements=[Meta.key], set_={"value": value}))


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()
