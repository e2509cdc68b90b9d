"""The library's scheduled sync (`--sync-every 6h`): every process ticks, the store's lease lets one of them run it."""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from batchrag.domain.errors import BatchragError
from batchrag.service.updater import LibraryUpdater
from batchrag.settings import Settings

log = logging.getLogger(__name__)

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.I)
_UNIT_S = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
MIN_EVERY_S = 10.0  # below this a sync would never finish before the next: a typo, not a plan
FIRST_TICK_S = 5.0  # the first look after start: the server answers before it crawls
SLACK = 0.9  # a sync that began within this share of the interval counts as this tick's (ticks drift across processes)


class BadDuration(BatchragError):
    """A --sync-every value that is not a duration."""


def parse_duration(text: str) -> float:
    """'6h', '30m', '90s', '1d' or plain seconds → seconds."""
    m = _DURATION.match(text or "")
    if not m:
        raise BadDuration(f"bad duration {text!r}: use e.g. 6h, 30m, 90s or 1d")
    seconds = float(m.group(1)) * _UNIT_S[m.group(2).lower()]
    if seconds < MIN_EVERY_S:
        raise BadDuration(f"--sync-every {text} is too short: at least {MIN_EVERY_S:.0f} s")
    return seconds


@dataclass
class SyncStatus:
    """What /library shows of the schedule: the interval, this process's next tick, the last sync of any process."""

    every_s: float | None  # None: no schedule in this process
    next_at: float | None
    last: dict | None  # the store's record of the last update (LibraryUpdater.recorded)

    def to_json(self) -> dict:
        """Times as ISO 8601 (UTC)."""
        last = dict(self.last) if self.last else None
        for k in ("started_at", "finished_at"):
            if last and isinstance(last.get(k), int | float):
                last[k] = _iso(last[k])
        return {"every_s": self.every_s, "next_at": _iso(self.next_at), "last": last}


def _iso(t: float | None) -> str | None:
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="seconds") if t else None


class SyncSchedule:
    """A daemon thread that crawls and indexes every `every_s` seconds unless another process did so this interval.

    The interval is shared through the store: a tick first reads when the last update (of any process) started, so
    processes started at different times do not sync one after another; the lease makes a concurrent tick give way.
    An unreachable site or a failed run is logged and recorded, and the next tick tries again: never a crash.
    """

    def __init__(self, settings: Settings, every_s: float, updater: LibraryUpdater | None = None,
                 first_tick_s: float = FIRST_TICK_S) -> None:
        self.every_s = every_s
        self.updater = updater or LibraryUpdater(settings)
        self._first = first_tick_s
        self._next: float | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> SyncSchedule:
        if self._thread is None:
            self._next = time.time() + self._first
            self._thread = threading.Thread(target=self._loop, name="batchrag-sync", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float | None = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def status(self) -> SyncStatus:
        try:
            last = self.updater.recorded()
        except Exception as exc:  # the store is down: say so, the schedule goes on
            last = {"error": f"{type(exc).__name__}: {exc}"}
        return SyncStatus(self.every_s, self._next, last)

    def _loop(self) -> None:
        while not self._stop.wait(max(0.0, (self._next or 0) - time.time())):
            try:
                self._next = self.tick()
            except Exception as exc:  # the store unreachable, a bug: logged, tried again next interval
                log.warning("scheduled sync failed: %s: %s", type(exc).__name__, exc)
                self._next = time.time() + self.every_s

    def tick(self) -> float:
        """One look: sync when this interval has none yet (and no process runs one); the time of the next look."""
        now = time.time()
        last = self.updater.recorded() or {}
        began = last.get("started_at") or 0.0
        if last.get("running") or now - began < self.every_s * SLACK:
            return max(began + self.every_s, now + MIN_EVERY_S) if not last.get("running") else now + MIN_EVERY_S
        if not self.updater.start():
            return now + MIN_EVERY_S  # another process took it at this very moment: look again soon
        log.info("scheduled sync started (every %.0f s)", self.every_s)
        self.updater.join()
        s = self.updater.state()
        if s.problem:
            log.warning("scheduled sync: %s %s", s.stage, s.reason or s.error or "")
        else:
            log.info("scheduled sync: %s, %d new articles", s.stage, s.added)
        return (s.started_at or now) + self.every_s
