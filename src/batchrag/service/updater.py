"""The background "update library" job (crawl, then index) that the app polls while questions keep working; one at a
time across every process sharing the store (a lease in the store), its last outcome recorded there for all."""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from batchrag.models.background import BackgroundJob
from batchrag.service.digest import Digester
from batchrag.service.library import Library
from batchrag.settings import Settings

log = logging.getLogger(__name__)

LEASE = "library-update"  # the store's lease name: one crawl + index at a time across processes and hosts
LEASE_S = 120.0  # a holder renews every LEASE_S / 4; a killed holder's lease runs out after this
NEW_ISSUES_SUMMARISED = 2  # an update that brings more (a first crawl) leaves the older ones to their digest page
RECORD = "library_update"
ACTIVE = ("crawl", "index", "summaries")  # a recorded stage that is only true while its process holds the lease  # store meta: the last update's outcome (JSON), for every process's GET /library
FIELDS = ("stage", "message", "started_at", "finished_at", "error", "reason", "holder", "added")


@dataclass
class UpdateState:
    """A snapshot of the background update the page shows."""

    running: bool = False
    stage: str = "idle"  # idle | crawl | index | summaries | done | unchanged | unreachable | error
    message: str = ""
    started_at: float | None = None
    finished_at: float | None = None
    articles_before: int = 0
    crawl: dict = field(default_factory=dict)
    index: dict = field(default_factory=dict)
    error: str | None = None
    reason: str | None = None  # why the site could not be reached (unreachable)
    last_crawl: str | None = None  # when the library was last updated (ISO), for the unreachable notice
    holder: str = ""  # which process ran it (host:pid:…)
    added: int = 0  # articles the crawl added
    newest_before: int | None = None  # the newest issue before the crawl: a newer one gets its summaries written

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
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._store = None

    def store(self):
        """The library's store, opened once (the lease and the record live there)."""
        if self._store is None:
            self._store = Library(self.settings).store
        return self._store

    def state(self) -> UpdateState:
        return self._job.state()

    def busy_elsewhere(self) -> str | None:
        """The process holding the update's lease when it is not this one (None: free, or ours)."""
        holder = self.store().lock_holder(LEASE)
        return holder if holder and holder != self.holder else None

    def start(self, offline: bool = False) -> bool:
        """Start an update; False when one is already running, here or in any process sharing the store."""
        if self._job.state().running or not self.store().take_lock(LEASE, self.holder, LEASE_S):
            return False
        started = self._job.start(
            lambda: UpdateState(running=True, stage="crawl", message="Завантаження нових випусків…",
                                started_at=time.time(), articles_before=self._articles(), holder=self.holder,
                                newest_before=self._newest()),
            lambda: self._leased(offline),
        )
        if not started:  # raced with a start in this process: that one holds the lease now
            return False
        self._record()
        return True

    def join(self, timeout: float | None = None) -> None:
        self._job.join(timeout)

    def _leased(self, offline: bool) -> None:
        """The run, with the lease renewed beside it and given back (and the outcome recorded) however it ends."""
        done = threading.Event()

        def renew() -> None:
            while not done.wait(LEASE_S / 4):
                try:
                    if not self.store().renew_lock(LEASE, self.holder, LEASE_S):
                        log.warning("the library update's lease was lost (another process took it over)")
                except Exception as exc:  # a store hiccup: the next renewal may succeed, the run goes on
                    log.warning("could not renew the library update's lease: %s", exc)

        threading.Thread(target=renew, name="batchrag-update-lease", daemon=True).start()
        try:
            self._run(offline)
        except Exception as exc:
            self._job.update(**_failed(exc))
        finally:
            done.set()
            before = self._job.state().articles_before
            self._job.update(running=False, finished_at=time.time(), added=max(0, self._articles() - before))
            self._record()
            try:
                self.store().release_lock(LEASE, self.holder)
            except Exception as exc:  # it expires by itself within LEASE_S
                log.warning("could not release the library update's lease: %s", exc)

    def _record(self) -> None:
        """The state as every process reads it (GET /library): the store's meta row."""
        s = self._job.state()
        try:
            self.store().set_meta(RECORD, json.dumps({k: getattr(s, k) for k in FIELDS}, ensure_ascii=False))
        except Exception as exc:  # the record is for show; the update itself stands
            log.warning("could not record the library update: %s", exc)

    def recorded(self) -> dict | None:
        """The last update's outcome as recorded in the store by whichever process ran it, with whether one runs."""
        raw = self.store().get_meta(RECORD)
        rec = json.loads(raw) if raw else None
        holder = self.store().lock_holder(LEASE)
        if rec is None and holder is None:
            return None
        rec = rec or {}
        rec["running"] = holder is not None
        if not rec["running"] and rec.get("stage") in ACTIVE and not rec.get("finished_at"):
            # Its process died mid-way (its lease ran out): the library holds what it had committed.
            rec.update(stage="interrupted", message="Оновлення перервано: його процес зупинився. Бібліотека має все, "
                       "що встигло зберегтися; наступне оновлення почнеться за розкладом або кнопкою.")
        return rec

    def _run(self, offline: bool) -> None:
        crawl = self._crawl(self.settings, offline=offline)
        if crawl.get("outcome") == "unreachable":
            # Nothing was checked: say so, with the time of the last update that did happen.
            self._job.update(crawl=crawl, stage="unreachable", reason=crawl.get("aborted"),
                             last_crawl=self._last_crawl(),
                             message="Сайт The Batch недоступний: бібліотеку не оновлено, вона така сама, як була.")
            log.warning("library update: the site is unreachable (%s); the library stays as it was",
                        crawl.get("aborted"))
            return
        self._job.update(crawl=crawl, stage="index", message="Оновлення пошукового індексу…")
        self._record()
        index = self._index(self.settings)
        if crawl.get("outcome") == "unchanged":
            self._job.update(index=index, stage="unchanged",
                             message="Нових статей на сайті немає: бібліотека актуальна.")
            return
        self._job.update(index=index)
        self._summarise_new()
        self._job.update(stage="done", message="Бібліотеку оновлено.")

    def _summarise_new(self) -> None:
        """A new issue's digest written by a capable model now, in the background, so that the digest page and the
        feed (which never wait on a model) show it in Ukrainian; nothing without one, and a failure is only logged."""
        try:
            digester = Digester(self.settings)
            before = self._job.state().newest_before or 0
            new = [n for n in digester.issues() if n > before][:NEW_ISSUES_SUMMARISED]
            if not new or not digester.backend.writes_answers:
                return
            for n in new:
                self._job.update(stage="summaries", message=f"Переказ нового випуску №{n} українською…")
                self._record()
                digester.digest(n)
        except Exception as exc:  # the update stands: the digest asks the model again when it is opened
            log.warning("library update: the new issue's summaries were not written: %s: %s", type(exc).__name__, exc)

    def _articles(self) -> int:
        try:
            return int(self.store().stats()["articles"] or 0)
        except Exception:  # a progress line must not fail the update
            return 0

    def _newest(self) -> int | None:
        try:
            return self.store().stats().get("newest_issue")
        except Exception:  # the summaries step then takes every issue as old: it writes none
            return None

    def _last_crawl(self) -> str | None:
        try:
            return self.store().get_meta("last_crawl")
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
