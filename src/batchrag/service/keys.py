"""API keys of a team server: created (shown once), listed, revoked, and checked on every request.

Keys live in the store (SQLite or PostgreSQL), so every API process and host sees a revocation; only a key's sha256
is kept, and a presented key's hash is compared with the stored one in constant time (docs/contracts.md#api-keys).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Literal

from batchrag.domain.errors import BatchragError
from batchrag.settings import Settings
from batchrag.store import open_store

Role = Literal["reader", "admin"]
ROLES: tuple[Role, ...] = ("reader", "admin")
PREFIX = "brk_"  # a batchrag key is recognisable in a config file or a leak report
OWNER_PREFIX = "key_"  # + 16 random hex: a key's identity, never derived from its name (names are reused)
_NAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
LOOK_AGAIN_S = 1.0  # a process re-reads whether any key exists at most this often: a revocation is seen within it
TOUCH_EVERY_S = 60.0  # `last used` is written at most this often per key (a write per request would load the store)


class KeyProblem(BatchragError):
    """A key command that cannot be done (a bad or taken name, an unknown role or key)."""


@dataclass(frozen=True)
class Caller:
    """Who a valid key belongs to: `name` for display, metrics and limits; `owner`, the key's identity (never reused,
    unlike a name), for what it owns (its conversations)."""

    name: str
    role: Role
    owner: str

    @property
    def admin(self) -> bool:
        return self.role == "admin"


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class Keys:
    """The keys of one library's store."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._any: tuple[float, bool] = (0.0, False)
        self._touched: dict[str, float] = {}
        self._opened = None  # the store, opened on first use (one engine for the life of the process)

    def _store(self):
        if self._opened is None:
            self._opened = open_store(self.settings)
        return self._opened

    def create(self, name: str, role: str = "reader") -> str:
        """A new key for `name` (returned once: only its hash is kept), with a new identity of its own."""
        if not _NAME.match(name or ""):
            raise KeyProblem(f"bad key name {name!r}: 1–64 letters, digits or . _ @ -")
        if role not in ROLES:
            raise KeyProblem(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
        if any(k["name"] == name for k in self._store().keys()):
            raise KeyProblem(f"a key named {name!r} exists: revoke it first (`batchrag keys revoke {name}`)")
        key = PREFIX + secrets.token_urlsafe(32)
        owner = OWNER_PREFIX + secrets.token_hex(8)
        while self._store().owner_taken(owner):  # 64 random bits: a repeat is all but impossible, and never issued
            owner = OWNER_PREFIX + secrets.token_hex(8)
        self._store().add_key(name, role, key_hash(key), owner)
        self._any = (0.0, False)
        return key

    def list(self) -> list[dict]:
        """Name, role, created and last used of every key; never a key or its hash."""
        return self._store().keys()

    def revoke(self, name: str) -> None:
        if not self._store().revoke_key(name):
            raise KeyProblem(f"no key named {name!r} (`batchrag keys list`)")
        self._any = (0.0, False)

    def required(self) -> bool:
        """Whether requests need a key: some key exists (re-read at most every LOOK_AGAIN_S)."""
        seen, any_key = self._any
        now = time.monotonic()
        if now - seen > LOOK_AGAIN_S:
            any_key = self._store().key_count() > 0
            self._any = (now, any_key)
        return any_key

    def check(self, presented: str | None) -> Caller | None:
        """The caller a presented key belongs to, None for a missing, wrong or revoked one."""
        if not presented:
            return None
        wanted = key_hash(presented.strip())
        found = self._store().key_by_hash(wanted)
        # The lookup is by hash (an index), and the hashes are compared again in constant time.
        if found is None or not hmac.compare_digest(found[2], wanted):
            return None
        name, role, _, owner = found
        now = time.monotonic()
        with self._lock:
            due = now - self._touched.get(name, -TOUCH_EVERY_S) >= TOUCH_EVERY_S
            if due:
                self._touched[name] = now
        if due:
            self._store().touch_key(name)
        return Caller(name, role, owner)  # type: ignore[arg-type]


def is_loopback(host: str) -> bool:
    """Whether a bind address only takes connections from this machine."""
    h = (host or "").strip().strip("[]").lower()
    return h in ("localhost", "::1") or h.startswith("127.")
