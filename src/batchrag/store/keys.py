"""The API keys' rows: created, listed, looked up by hash, revoked (a mixin of Store, like the page cache)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from batchrag.store.schema import ApiKeyRow


class KeyStore:
    """Store's API-key methods: the key itself is never stored, only its sha256 (`key_hash`)."""

    Session: sessionmaker[Session]

    def add_key(self, name: str, role: str, key_hash: str) -> None:
        with self.Session.begin() as s:
            s.add(ApiKeyRow(name=name, role=role, key_hash=key_hash))

    def keys(self) -> list[dict]:
        """Every key's name, role, created and last used (never its hash), oldest first."""
        with self.Session() as s:
            rows = s.scalars(select(ApiKeyRow).order_by(ApiKeyRow.created_at, ApiKeyRow.name))
            return [{"name": r.name, "role": r.role, "created": r.created_at, "last_used": r.last_used} for r in rows]

    def key_count(self) -> int:
        with self.Session() as s:
            return int(s.scalar(select(func.count()).select_from(ApiKeyRow)))

    def key_by_hash(self, key_hash: str) -> tuple[str, str, str] | None:
        """(name, role, stored hash) of the key with this hash, None when there is none."""
        with self.Session() as s:
            row = s.scalar(select(ApiKeyRow).where(ApiKeyRow.key_hash == key_hash))
            return (row.name, row.role, row.key_hash) if row else None

    def touch_key(self, name: str) -> None:
        with self.Session.begin() as s:
            s.execute(update(ApiKeyRow).where(ApiKeyRow.name == name).values(last_used=datetime.now(UTC)))

    def revoke_key(self, name: str) -> bool:
        with self.Session.begin() as s:
            return s.execute(delete(ApiKeyRow).where(ApiKeyRow.name == name)).rowcount > 0
