"""The app's background model download: one pull at a time in a daemon thread, its progress polled by the page."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace

from batchrag.errors import BatchragError
from batchrag.service.models import PullResult, Via, pull_model
from batchrag.settings import Settings


@dataclass
class PullState:
    """A snapshot of the download the page shows."""

    running: bool = False
    name: str = ""
    status: str = ""
    done: int = 0
    total: int = 0
    started_at: float | None = None
    finished_at: float | None = None
    result: PullResult | None = None
    error: str | None = None

    @property
    def fraction(self) -> float:
        return min(self.done / self.total, 1.0) if self.total else 0.0


class ModelPuller:
    """Runs `pull_model` in one daemon thread so the page stays usable while gigabytes arrive."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._state = PullState()
        self._thread: threading.Thread | None = None

    def state(self) -> PullState:
        with self._lock:
            return replace(self._state)

    def start(self, name: str | None, via: Via = "auto") -> bool:
        """Start pulling `name`; False when a pull is already running."""
        with self._lock:
            if self._state.running:
                return False
            self._state = PullState(running=True, name=name or "", status="starting", started_at=time.time())
            self._thread = threading.Thread(target=self._run, args=(name, via), name="batchrag-pull", daemon=True)
            self._thread.start()
            return True

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _progress(self, status: str, done: int, total: int) -> None:
        with self._lock:
            self._state.status, self._state.done, self._state.total = status, done, total

    def _run(self, name: str | None, via: Via) -> None:
        try:
            result = pull_model(self.settings, name, via=via, progress=self._progress)
            with self._lock:
                self._state.result = result
        except BatchragError as exc:
            with self._lock:
                self._state.error = str(exc)
        except Exception as exc:  # a bug must still end the pull visibly, not hang the bar
            with self._lock:
                self._state.error = f"{type(exc).__name__}: {exc}"
        finally:
            with self._lock:
                self._state.running, self._state.finished_at = False, time.time()
