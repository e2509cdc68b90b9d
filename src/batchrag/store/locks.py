"""Leases in the store: one process of all those sharing it runs a job (the library's sync) at a time."""

from __future__ import annotations

import time

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from batchrag.store.schema import LockRow


class LockStore:
    """Store's lease methods: a row per job name, with its holder and when the lease runs out (docs/contracts.md#sync).

    A row, not a PostgreSQL advisory lock (docs/decisions/0017), so that SQLite and PostgreSQL behave alike and a lease outlives no holder:
    a killed process's lease expires and the next tick takes it over.
    """

    Session: sessionmaker[Session]

    def take_lock(self, name: str, holder: str, ttl_s: float) -> bool:
        """Take the lease `name` for `holder` (or renew it if held by them); False while another holds it."""
        now = time.time()
        try:
            with self.Session.begin() as s:
                s.execute(delete(LockRow).where(LockRow.name == name, LockRow.expires_at < now))
                row = s.get(LockRow, name)
                if row is None:
                    s.add(LockRow(name=name, holder=holder, expires_at=now + ttl_s))
                    return True
                if row.holder != holder:
                    return False
                row.expires_at = now + ttl_s
                return True
        except IntegrityError:  # another process inserted the row between our look and our insert: theirs
            return False

    def renew_lock(self, name: str, holder: str, ttl_s: float) -> bool:
        """Extend a held lease; False when it was lost (expired and taken by another)."""
        with self.Session.begin() as s:
            done = s.execute(update(LockRow).where(LockRow.name == name, LockRow.holder == holder)
                             .values(expires_at=time.time() + ttl_s))
            return done.rowcount > 0

    def release_lock(self, name: str, holder: str) -> None:
        with self.Session.begin() as s:
            s.execute(delete(LockRow).where(LockRow.name == name, LockRow.holder == holder))

    def lock_holder(self, name: str) -> str | None:
        """Who holds the lease now (None: nobody, or an expired lease)."""
        with self.Session() as s:
            row = s.scalar(select(LockRow).where(LockRow.name == name, LockRow.expires_at >= time.time()))
            return row.holder if row else None
