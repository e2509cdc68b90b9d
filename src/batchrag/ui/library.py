"""Library status and the background "update library" job (crawl + index) the app polls."""

from __future__ import annotations

import threading
import time
import traceback
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from batchrag.settings import Settings


@dataclass
class LibraryStatus:
    """What the library holds and whether it can answer questions."""

    issues: int = 0
    articles: int = 0
    images: int = 0
    images_downloaded: int = 0
    newest_issue: int | None = None
    newest_date: str | None = None
    last_crawl: str | None = None
    indexed_articles: int | None = None  # None: no index yet
    indexed_passages: int | None = None
    indexed_images: int | None = None
    index_embedder: str | None = None
    index_error: str | None = None

    @property
    def empty(self) -> bool:
        return self.articles == 0

    @property
    def has_index(self) -> bool:
        return bool(self.indexed_articles)


def library_status(settings: Settings) -> LibraryStatus:
    """Counts from the store and the index (a missing index is a state, not an error)."""
    from batchrag.store import open_store

    st = open_store(settings).stats()
    status = LibraryStatus(**{k: st.get(k) or (0 if k in ("issues", "articles", "images", "images_downloaded")
                                               else None) for k in (
        "issues", "articles", "images", "images_downloaded", "newest_issue", "newest_date", "last_crawl")})
    try:
        idx = index_stats(settings)
    except Exception as exc:  # a broken index is shown to the reader, the store stays usable
        status.index_error = str(exc)
        return status
    if idx:
        status.indexed_articles = idx.get("articles")
        status.indexed_passages = idx.get("passages")
        status.indexed_images = idx.get("images")
        status.index_embedder = idx.get("embedder")
    return status


def index_stats(settings: Settings) -> dict | None:
    """{'articles', 'passages', 'images', 'embedder'} of the published LanceDB index, or None before the first build."""
    from batchrag.index.tables import open_tables, read_meta

    meta = read_meta(settings)
    if meta is None:
        return None
    _, passages, images = open_tables(settings, meta["embedder"])
    return {"articles": len(meta.get("hashes") or {}), "passages": passages.count_rows(),
            "images": images.count_rows(), "embedder": meta["embedder"]}


def run_index(settings: Settings) -> dict:
    """Bring the index in line with the store (incremental); returns the index stage's counts."""
    from batchrag.index.sync import sync
    from batchrag.store import open_store

    return _as_dict(sync(open_store(settings), settings, progress=False))


def run_crawl(settings: Settings, offline: bool = False) -> dict:
    from batchrag.crawl.runner import run_crawl as _crawl
    from batchrag.store import open_store

    return _as_dict(_crawl(open_store(settings), settings, offline=offline, progress=False))


def quick_start(settings: Settings) -> dict:
    """An empty library online: the newest issues first, indexed, so the app answers within minutes."""
    from batchrag.crawl.runner import run_crawl as _crawl
    from batchrag.store import open_store

    crawl = _crawl(open_store(settings), settings, limit=settings.quick_start_pages, newest_first=True,
                   progress=True)
    return {"crawl": _as_dict(crawl), "index": run_index(settings) if crawl.new else {}}


def _as_dict(obj) -> dict:
    if obj is None:
        return {}
    if isinstance(obj, dict):
        return obj
    from dataclasses import asdict, is_dataclass

    if is_dataclass(obj):
        return {k: v for k, v in asdict(obj).items() if isinstance(v, int | float | str | bool | type(None))}
    return {"result": str(obj)}


@dataclass
class UpdateState:
    """A snapshot of the background update the page shows."""

    running: bool = False
    stage: str = "idle"  # idle | crawl | index | done | error
    message: str = ""
    started_at: float | None = None
    finished_at: float | None = None
    articles_before: int = 0
    crawl: dict = field(default_factory=dict)
    index: dict = field(default_factory=dict)
    error: str | None = None


class LibraryUpdater:
    """Runs crawl then index in one daemon thread; questions keep working meanwhile (SQLite WAL, LanceDB versions)."""

    def __init__(self, settings: Settings, crawl=run_crawl, index=run_index) -> None:
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
                                      started_at=time.time(), articles_before=_article_count(self.settings))
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
            self._set(crawl=crawl, stage="index", message="Оновлення пошукового індексу…")
            index = self._index(self.settings)
            self._set(index=index, stage="done", message="Бібліотеку оновлено.")
        except Exception as exc:
            traceback.print_exc()
            self._set(stage="error", error=f"{type(exc).__name__}: {exc}", message="Оновлення не вдалося.")
        finally:
            self._set(running=False, finished_at=time.time())

    def progress_text(self) -> str:
        """One line for the page: stage, elapsed time, articles added so far."""
        s = self.state()
        if s.stage == "idle":
            return ""
        elapsed = (s.finished_at or time.time()) - (s.started_at or time.time())
        added = _article_count(self.settings) - s.articles_before
        line = f"{s.message} ({elapsed:.0f} с; нових статей: {max(added, 0)})"
        if s.error:
            line += f" — {s.error}"
        return line


def _article_count(settings: Settings) -> int:
    from batchrag.store import open_store

    try:
        return int(open_store(settings).stats()["articles"] or 0)
    except Exception:
        return 0


@dataclass
class BackendLine:
    """One line of the LLM status panel."""

    name: str
    ok: bool
    detail: str


def llm_status(settings: Settings) -> list[BackendLine]:
    """Live status of each local LLM backend: Ollama reachable and model pulled? embedded model present/loaded?"""
    from batchrag.llm.base import make_backend

    lines: list[BackendLine] = []
    for name in ("ollama", "embedded"):
        try:
            backend = make_backend(name, settings)
            h = backend.health()
            detail = h.detail
            if name == "embedded" and h.ok:
                detail = f"{backend.model}; " + ("завантажена в пам'ять" if embedded_loaded() else "ще не завантажена")
            lines.append(BackendLine(name, h.ok, detail))
        except Exception as exc:
            lines.append(BackendLine(name, False, str(exc)))
    lines.append(BackendLine("extractive", True, "без моделі: цитує знайдені уривки"))
    return lines


def embedded_loaded() -> bool:
    from batchrag.llm import embedded

    info = getattr(getattr(embedded, "_load", None), "cache_info", None)
    return bool(info and info().currsize)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
