"""One job at a time in a daemon thread, its state a snapshot the page polls: the library update, the model pull."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Generic, TypeVar

from batchrag.domain.errors import BatchragError

S = TypeVar("S")  # a dataclass with at least `running`, `finished_at` and `error`


def error_fields(exc: Exception) -> dict[str, Any]:
    """What a failed job records by default: a reader's error as its own line, a bug with its type's name."""
    return {"error": str(exc) if isinstance(exc, BatchragError) else f"{type(exc).__name__}: {exc}"}


class BackgroundJob(Generic[S]):
    """Runs one job at a time in a daemon thread, so the page stays usable while it works.

    `state()` is a copy of the job's state dataclass; the job changes it through `update`. A failure, whatever its
    kind, ends the job visibly: `failed(exc)` gives the fields to record (default: `error_fields`), then the job
    is marked finished (`running` False, `finished_at` now), never left hanging.
    """

    def __init__(self, idle: S, *, name: str, failed: Callable[[Exception], dict[str, Any]] = error_fields) -> None:
        self._state = idle
        self._name = name
        self._failed = failed
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def state(self) -> S:
        with self._lock:
            return replace(self._state)

    def update(self, **fields: Any) -> None:
        with self._lock:
            for k, v in fields.items():
                setattr(self._state, k, v)

    def start(self, first: Callable[[], S], work: Callable[[], None]) -> bool:
        """Run `work` in the background from the state `first()` (running); False when a job is already running."""
        with self._lock:
            if self._state.running:
                return False
            self._state = first()
            self._thread = threading.Thread(target=self._run, args=(work,), name=self._name, daemon=True)
            self._thread.start()
            return True

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self, work: Callable[[], None]) -> None:
        try:
            work()
        except Exception as exc:  # a bug must still end the job visibly, not hang the page's progress
            self.update(**self._failed(exc))
        finally:
            self.update(running=False, finished_at=time.time())
