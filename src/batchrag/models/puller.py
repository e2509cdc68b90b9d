"""The app's background model download: one pull at a time, its progress polled by the page."""

from __future__ import annotations

import time
from dataclasses import dataclass

from batchrag.models.background import BackgroundJob
from batchrag.models.pull import PullResult, Via, pull_model
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
    """Runs `pull_model` in one background job so the page stays usable while gigabytes arrive."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._job: BackgroundJob[PullState] = BackgroundJob(PullState(), name="batchrag-pull")

    def state(self) -> PullState:
        return self._job.state()

    def start(self, name: str | None, via: Via = "auto") -> bool:
        """Start pulling `name`; False when a pull is already running."""
        return self._job.start(
            lambda: PullState(running=True, name=name or "", status="starting", started_at=time.time()),
            lambda: self._run(name, via),
        )

    def join(self, timeout: float | None = None) -> None:
        self._job.join(timeout)

    def _progress(self, status: str, done: int, total: int) -> None:
        self._job.update(status=status, done=done, total=total)

    def _run(self, name: str | None, via: Via) -> None:
        self._job.update(result=pull_model(self.settings, name, via=via, progress=self._progress))
