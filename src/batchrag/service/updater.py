"""The background "update library" job (crawl, then index) that the app polls while questions keep working."""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

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


def _crawl(settings: Settings, offline: bool = False) -> dict:
    return Library(settings).crawl(offline=offline).to_json()


def _index(settings: Settings) -> dict:
    return Library(settings).index().to_json()


class LibraryUpdater:
    """Runs crawl then index in one daemon thread; questions keep working meanwhile (SQLite WAL, LanceDB versions).

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
        self._lock = threading.Lock()
        self._state = UpdateState()
        self._thread: threading.Thread | None = None

    def state(self) -> UpdateState:
        with self._lock:
            return replace(self._state)

    def start(self, offline: bool = False) -> bool:
        """Start an update; False when one is already running."""
        with self._lock:
            if self._state.running:
                return False
            self._state = UpdateState(running=True, stage="crawl", message="Завантаження нових випусків…",
                                      started_at=time.time(), articles_before=self._articles())
            self._thread = threading.Thread(target=self._run, args=(offline,), name="batchrag-update", daemon=True)
            self._thread.start()
            return True

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _set(self, **kw) -> None:
        with self._lock:
            for k, v in kw.items():
                setattr(self._state, k, v)

    def _run(self, offline: bool) -> None:
        try:
            crawl = self._crawl(self.settings, offline=offline)
            if crawl.get("outcome") == "unreachable":
                # Nothing was checked: say so, with the time of the last update that did happen.
                self._set(crawl=crawl, stage="unreachable", reason=crawl.get("aborted"),
                          last_crawl=self._last_crawl(),
                          message="Сайт The Batch недоступний: бібліотеку не оновлено, вона така сама, як була.")
                return
            self._set(crawl=crawl, stage="index", message="Оновлення пошукового індексу…")
            index = self._index(self.settings)
            if crawl.get("outcome") == "unchanged":
                self._set(index=index, stage="unchanged", message="Нових статей на сайті немає: бібліотека актуальна.")
            else:
                self._set(index=index, stage="done", message="Бібліотеку оновлено.")
        except Exception as exc:
            traceback.print_exc()
            self._set(stage="error", error=f"{type(exc).__name__}: {exc}", message="Оновлення не вдалося.")
        finally:
            self._set(running=False, finished_at=time.time())

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
            return f"{s.message} Останнє оновлення: {when_text(s.last_crawl)}. ({s.reason or 'немає з’єднання'})"
        elapsed = (s.finished_at or time.time()) - (s.started_at or time.time())
        added = self._articles() - s.articles_before
        line = f"{s.message} ({elapsed:.0f} с; нових статей: {max(added, 0)})"
        if s.error:
            line += f" — {s.error}"
        return line
