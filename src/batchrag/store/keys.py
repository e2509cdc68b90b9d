"""The API keys' rows: created, listed, looked up by hash, revoked (a mixin of Store, like the page cache).

A key's `owner_id` is its identity (what its conversations belong to); a revoked key's row is deleted, and its
identity is never issued again (`owner_taken`), so its conversations stay its own: orphans, for admins alone."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from batchrag.store.schema import ApiKeyRow, ConversationRow


class KeyStore:
    """Store's API-key methods: the key itself is never stored, only its sha256 (`key_hash`)."""

    Session: sessionmaker[Session]

    def add_key(self, name: str, role: str, key_hash: str, owner_id: str) -> None:
        with self.Session.begin() as s:
            s.add(ApiKeyRow(name=name, role=role, key_hash=key_hash, owner_id=owner_id))

    def owner_taken(self, owner_id: str) -> bool:
        """Whether a key holds this identity or any conversation (a revoked key's too) belongs to it."""
        with self.Session() as s:
            return (s.scalar(select(ApiKeyRow.name).where(ApiKeyRow.owner_id == owner_id).limit(1)) is not None
                    or s.scalar(select(ConversationRow.id).where(ConversationRow.owner == owner_id).limit(1))
                    is not None)

    def keys(self) -> list[dict]:
        """Every key's name, role, created and last used (never its hash), oldest first."""
        with self.Session() as s:
            rows = s.scalars(select(ApiKeyRow).order_by(ApiKeyRow.created_at, ApiKeyRow.name))
            return [{"name": r.name, "role": r.role, "created": r.created_at, "last_used": r.last_used} for r in rows]

    def key_count(self) -> int:
        with self.Session() as s:
            return int(s.scalar(select(func.count()).select_from(ApiKeyRow)))

    def key_by_hash(self, key_hash: str) -> tuple[str, str, str, str] | None:
        """(name, role, stored hash, identity) of the key with this hash, None when there is none."""
        with self.Session() as s:
            row = s.scalar(select(ApiKeyRow).where(ApiKeyRow.key_hash == key_hash))
            if row is None:
                return None
            # No identity: a row an older batchrag wrote after the migration; the migration's rule (its name, as
            # that version owned by) applies until the next open of the store fills it in (store/migrate.py).
            return row.name, row.role, row.key_hash, row.owner_id or row.name

    def touch_key(self, name: str) -> None:
        with self.Session.begin() as s:
            s.execute(update(ApiKeyRow).where(ApiKeyRow.name == name).values(last_used=datetime.now(UTC)))

    def revoke_key(self, name: str) -> bool:
        with self.Session.begin() as s:
            return s.execute(delete(ApiKeyRow).where(ApiKeyRow.name == name)).rowcount > 0
