"""The background "update library" job (crawl, then index) that the app polls while questions keep working."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from batchrag.models.background import BackgroundJob
from batchrag.service.library import Library
from batchrag.settings import Settings


@dataclass
class UpdateState:
    """A snapshot of the background update the page shows."""

    running: bool = False
    stage: str = "idle"  # idle | crawl | index | done | unchanged | unreachable | error
    message: str = ""
    started_at: float | None = None
    finished_at: float | None = None
    articles_before: int = 0
    crawl: dict = field(default_factory=dict)
    index: dict = field(default_factory=dict)
    error: str | None = None
    reason: str | None = None  # why the site could not be reached (unreachable)
    last_crawl: str | None = None  # when the library was last updated (ISO), for the unreachable notice

    @property
    def problem(self) -> bool:
        """A run that left the library as it was for a reason the reader should know: a warning, not a success."""
        return self.stage in ("unreachable", "error")


def when_text(iso: str | None) -> str:
    """An ISO timestamp as the page says it: 01.12.2025 09:45 (local time); "ще ніколи" for none."""
    if not iso:
        return "ще ніколи"
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%d.%m.%Y %H:%M")
    except ValueError:
        return iso


def _failed(exc: Exception) -> dict:
    """A failed update: the trace for the log, one line for the page."""
    traceback.print_exc()
    return {"stage": "error", "error": f"{type(exc).__name__}: {exc}", "message": "Оновлення не вдалося."}


def _crawl(settings: Settings, offline: bool = False) -> dict:
    return Library(settings).crawl(offline=offline).to_json()


def _index(settings: Settings) -> dict:
    return Library(settings).index().to_json()


class LibraryUpdater:
    """Runs crawl then index in one background job; questions keep working meanwhile (SQLite WAL, LanceDB versions).

    `crawl` and `index` are the two steps (settings → summary dict); the defaults are the library's own.
    """

    def __init__(
        self,
        settings: Settings,
        crawl: Callable[..., dict] = _crawl,
        index: Callable[[Settings], dict] = _index,
    ) -> None:
        self.settings = settings
        self._crawl, self._index = crawl, index
        self._job: BackgroundJob[UpdateState] = BackgroundJob(UpdateState(), name="batchrag-update", failed=_failed)

    def state(self) -> UpdateState:
        return self._job.state()

    def start(self, offline: bool = False) -> bool:
        """Start an update; False when one is already running."""
        return self._job.start(
            lambda: UpdateState(running=True, stage="crawl", message="Завантаження нових випусків…",
                                started_at=time.time(), articles_before=self._articles()),
            lambda: self._run(offline),
        )

    def join(self, timeout: float | None = None) -> None:
        self._job.join(timeout)

    def _run(self, offline: bool) -> None:
        crawl = self._crawl(self.settings, offline=offline)
        if crawl.get("outcome") == "unreachable":
            # Nothing was checked: say so, with the time of the last update that did happen.
            self._job.update(crawl=crawl, stage="unreachable", reason=crawl.get("aborted"),
                             last_crawl=self._last_crawl(),
                             message="Сайт The Batch недоступний: бібліотеку не оновлено, вона така сама, як була.")
            return
        self._job.update(crawl=crawl, stage="index", message="Оновлення пошукового індексу…")
        index = self._index(self.settings)
        if crawl.get("outcome") == "unchanged":
            self._job.update(index=index, stage="unchanged",
                             message="Нових статей на сайті немає: бібліотека актуальна.")
        else:
            self._job.update(index=index, stage="done", message="Бібліотеку оновлено.")

    def _articles(self) -> int:
        try:
            return Library(self.settings).article_count()
        except Exception:  # a progress line must not fail the update
            return 0

    def _last_crawl(self) -> str | None:
        try:
            return Library(self.settings).status().last_crawl
        except Exception:  # the notice must not fail the update
            return None

    def progress_text(self) -> str:
        """One line for the page: stage, elapsed time, articles added so far."""
        s = self.state()
        if s.stage == "idle":
            return ""
        if s.stage == "unreachable":
            # The reason itself («cannot reach …: [Errno 111] …») is the pipeline's English: it stays in the state.
            return f"{s.message} Останнє оновлення: {when_text(s.last_crawl)}. (немає з’єднання з сайтом)"
        elapsed = (s.finished_at or time.time()) - (s.started_at or time.time())
        added = self._articles() - s.articles_before
        line = f"{s.message} ({elapsed:.0f} с; нових статей: {max(added, 0)})"
        if s.error:
            line += f" — {s.error}"
        return line
