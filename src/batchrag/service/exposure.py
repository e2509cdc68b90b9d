"""How a server (the API or the page) is exposed, decided once when it starts: whether every request needs a key,
which Host names it answers, which Origins may change things, and how often one address may fail to log in.

Keys are required beyond loopback, with serve.require_keys (behind a reverse proxy), or once any key has been seen
by this process: revoking the last key then closes the server (401 saying how to make a key), never opens it.
docs/security.md says what this protects and what the deployer must add.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import deque
from urllib.parse import urlsplit

from batchrag.service.keys import Keys, is_loopback
from batchrag.settings import Settings

NO_KEY_YET = ("this server requires an API key and none exists: create one with "
              "`batchrag keys create NAME --role admin`")
LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "127.0.0.1", "::1"})
WILDCARDS = frozenset({"", "0.0.0.0", "::", "*"})


def host_name(host: str) -> str:
    """The name part of a Host header or a bind address (`[::1]:8000` → `::1`, `Example.org:80` → `example.org`)."""
    h = (host or "").strip().lower()
    if h.startswith("["):
        return h[1:].split("]", 1)[0]
    if h.count(":") > 1:  # a bare IPv6 address
        return h
    return h.rsplit(":", 1)[0] if ":" in h else h


def is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class Exposure:
    """One server process's exposure rule, fixed at start (`bind`: the address it listens on)."""

    def __init__(self, settings: Settings, bind: str, keys: Keys | None = None) -> None:
        serve = settings.serve
        self.bind = bind or ""
        self.keys = keys or Keys(settings)
        self.loopback = is_loopback(self.bind)
        self._closed = serve.require_keys or (not self.loopback and not serve.no_auth) or self.keys.required()
        self.allowed_hosts = frozenset(h.strip().lower() for h in serve.allowed_hosts if h.strip())
        self.failures = MinuteWindow(serve.auth_failures_per_minute)  # failed logins per client address

    def keys_required(self) -> bool:
        """Whether a request needs a valid key: fixed at start, and closed for good once a key has been seen."""
        if not self._closed and self.keys.required():
            self._closed = True  # a key was created while running: the last revoke must not open the server again
        return self._closed

    def host_allowed(self, host: str | None) -> bool:
        """Whether a request's Host header names this server: a loopback name, an IP address (no DNS name can be
        rebound to it), the bind address, or serve.allowed_hosts. A foreign name is a DNS-rebinding page's."""
        if not host:
            return True  # HTTP/1.0 without Host: no browser sends one
        if "*" in self.allowed_hosts:
            return True
        h = host.strip().lower()
        name = host_name(h)
        if name in LOOPBACK_NAMES or is_ip(name):
            return True
        if self.bind not in WILDCARDS and name == host_name(self.bind):
            return True
        return h in self.allowed_hosts or name in self.allowed_hosts

    def origin_allowed(self, origin: str | None, host: str | None) -> bool:
        """Whether a state-changing request may come from a page at `origin`: none (not a browser), this server's own
        origin, or an allowed host's. `null` (a sandboxed or file page) and any other site are refused."""
        if origin is None:
            return True
        parts = urlsplit(origin.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return False
        if host and parts.netloc.lower() == host.strip().lower():
            return True  # same origin
        name = host_name(parts.netloc)
        return name in LOOPBACK_NAMES or parts.netloc.lower() in self.allowed_hosts or name in self.allowed_hosts


class MinuteWindow:
    """Events per key (a key name, a client address) in the last 60 s, in this process: past `per_minute`, the key
    waits until its oldest event is a minute old. Keys with no recent event are forgotten, so addresses seen once
    cannot pile up."""

    FORGET_OVER = 10_000  # keys kept before the stale ones are swept

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        seen = self._seen.setdefault(key, deque())
        while seen and now - seen[0] >= 60:
            seen.popleft()
        return seen

    def _wait(self, key: str, now: float) -> int:
        seen = self._recent(key, now)
        return max(1, math.ceil(60 - (now - seen[0]))) if len(seen) >= self.per_minute else 0

    def wait(self, key: str) -> int:
        """0 when `key` is under the limit now, else the seconds until it is (Retry-After)."""
        with self._lock:
            return self._wait(key, time.monotonic())

    def left(self, key: str) -> int:
        """How many more events `key` may have before it waits."""
        with self._lock:
            return max(0, self.per_minute - len(self._recent(key, time.monotonic())))

    def add(self, key: str) -> None:
        """Count one event of `key` (a failed login)."""
        with self._lock:
            self._add(key, time.monotonic())

    def admit(self, key: str) -> int:
        """`wait`, and when it is 0, count the event: one step, so two requests at once cannot both slip under."""
        now = time.monotonic()
        with self._lock:
            wait = self._wait(key, now)
            if not wait:
                self._add(key, now)
            return wait

    def _add(self, key: str, now: float) -> None:
        if len(self._seen) > self.FORGET_OVER:
            for stale in [k for k, seen in self._seen.items() if not seen or now - seen[-1] >= 60]:
                del self._seen[stale]
        self._recent(key, now).append(now)
