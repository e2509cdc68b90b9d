"""Open the database: engine, SQLite settings, tables, schema version."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event

from batchrag.domain.errors import BatchragError
from batchrag.store.schema import SCHEMA_VERSION, Base, Meta


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
        Base.metadata.create_all(engine)
        _record_schema_version(engine)
    except Exception as exc:
        raise StoreError(f"cannot open the article database {url}: {exc}") from exc
    return engine


def _record_schema_version(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(Meta.__table__.delete().where(Meta.key == "schema_version"))
        conn.execute(Meta.__table__.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()
