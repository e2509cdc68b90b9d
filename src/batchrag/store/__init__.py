"""SQLite (SQLAlchemy) article store: the source of truth."""

from batchrag.store.articles import Store, open_store
from batchrag.store.engine import StoreError

__all__ = ["Store", "StoreError", "open_store"]
