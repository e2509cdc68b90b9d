"""Finished rewrites kept in SQLite, keyed by model + question + history: a repeated question needs no model."""

from __future__ import annotations

import hashlib
import json
import sqlite3

from batchrag.domain.types import Message
from batchrag.settings import Settings


class RewriteCache:
    """SQLite table of finished rewrites keyed by model + question + history."""

    def __init__(self, settings: Settings) -> None:
        d = settings.store.cache_dir
        d.mkdir(parents=True, exist_ok=True)
        self.path = d / "rewrites.db"
        with sqlite3.connect(self.path) as db:
            db.execute("CREATE TABLE IF NOT EXISTS rewrites (key TEXT PRIMARY KEY, query TEXT NOT NULL)")

    @staticmethod
    def key(model: str, question: str, history: list[Message]) -> str:
        h = json.dumps([[m.role, m.content] for m in history], ensure_ascii=False)
        return hashlib.sha256(f"{model}\x00{question.strip()}\x00{h}".encode()).hexdigest()

    def get(self, key: str) -> str | None:
        with sqlite3.connect(self.path) as db:
            row = db.execute("SELECT query FROM rewrites WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def put(self, key: str, query: str) -> None:
        with sqlite3.connect(self.path) as db:
            db.execute("INSERT OR REPLACE INTO rewrites VALUES (?, ?)", (key, query))
