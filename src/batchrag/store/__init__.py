"""SQLite (SQLAlchemy) article store: the source of truth."""

from batchrag.store.db import Store, open_store

__all__ = ["Store", "open_store"]
