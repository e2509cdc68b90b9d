"""The library: what it holds, and the pipeline steps that fill it (crawl, ingest, index, quick start)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import IO

from batchrag.index.sync import sync
from batchrag.index.tables import open_tables, read_meta
from batchrag.settings import Settings

COUNTS = ("issues", "articles", "images", "images_downloaded")
FACTS = ("newest_issue", "newest_issue_date", "first_issue", "first_issue_date", "newest_date", "last_crawl")
IMAGE_NAME = re.compile(r"[0-9a-f]{16,64}(\.still)?\.[a-z0-9]{2,5}")


@dataclass
class LibraryStatus:
    """What the library holds and whether it can answer questions."""

    issues: int = 0
    articles: int = 0
    images: int = 0
    images_downloaded: int = 0
    newest_issue: int | None = None
    newest_issue_date: str | None = None  # ISO, the newest numbered issue's own date
    first_issue: int | None = None
    first_issue_date: str | None = None
    newest_date: str | None = None  # ISO, the newest article's (a standalone post may be newer than any issue)
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


class Library:
    """The store (source of truth) and its index, for one settings object."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def store(self):
        # One engine per library: an API process asks thousands of times, each open would re-check the schema.
        from batchrag.store import open_store

        return open_store(self.settings)

    # -- what it holds ------------------------------------------------------------
    def stats(self) -> dict:
        return self.store.stats()

    def article_count(self) -> int:
        return int(self.stats()["articles"] or 0)

    def status(self) -> LibraryStatus:
        """Counts from the store and the index (a missing index is a state, a broken one is shown, not raised)."""
        st = self.stats()
        status = LibraryStatus(**{k: st.get(k) or 0 for k in COUNTS}, **{k: st.get(k) for k in FACTS})
        try:
            idx = self.index_stats()
        except Exception as exc:  # a broken index is shown to the reader, the store stays usable
            status.index_error = str(exc)
            return status
        if idx:
            status.indexed_articles = idx["articles"]
            status.indexed_passages = idx["passages"]
            status.indexed_images = idx["images"]
            status.index_embedder = idx["embedder"]
        return status

    def index_stats(self) -> dict | None:
        """{'articles', 'passages', 'images', 'embedder'} of the published index, or None before the first build."""
        meta = read_meta(self.settings.store)
        if meta is None:
            return None
        _, passages, images = open_tables(self.settings.store, meta["embedder"])
        return {"articles": len(meta.get("hashes") or {}), "passages": passages.count_rows(),
                "images": images.count_rows(), "embedder": meta["embedder"]}

    def article(self, article_id: int):
        """The stored article (types.StoredArticle) with this id, or None."""
        return self.store.get_article(article_id)

    def image_file(self, name: str) -> Path | None:
        """The downloaded picture `name` (an image's `local_path`, `<sha256>.<ext>`), or None: never a path outside."""
        if not IMAGE_NAME.fullmatch(name):
            return None
        path = self.settings.store.images_dir / name
        return path if path.is_file() else None

    def tags(self) -> list[str]:
        """Every tag of every stored article, sorted."""
        return sorted({t for a in self.store.iter_articles() for t in a.tags})

    # -- filling it ---------------------------------------------------------------
    def crawl(self, **options):
        """Crawl settings.crawl.base_url into the store (crawl.runner.run_crawl's options); returns its CrawlSummary."""
        # Imported here: the crawler costs CLI start-up (~30 ms): only for a crawl.
        from batchrag.crawl.runner import run_crawl

        options.setdefault("progress", False)
        return run_crawl(self.store, self.settings, **options)

    def ingest_dir(self, folder: Path, progress: bool = False) -> dict:
        """Parse a folder of saved pages into the store, offline; an import that stored pages is an update."""
        # Imported here: the crawler's parser costs CLI start-up: only for an ingest.
        from batchrag.crawl.saved import ingest_dir

        summary = ingest_dir(self.store, folder, progress=progress)
        if summary["pages"]:
            self.store.set_meta("last_crawl", datetime.now(UTC).isoformat(timespec="seconds"))
        return summary

    def index(self, rebuild: bool = False, progress: bool = False):
        """Bring the index in line with the store (incremental by content hash); returns its IndexSummary."""
        return sync(self.store, self.settings, rebuild=rebuild, progress=progress)

    def quick_start(self) -> dict:
        """An empty library online: the newest issues first, indexed, so the app answers within minutes."""
        crawl = self.crawl(limit=self.settings.serve.quick_start_pages, newest_first=True, progress=True)
        return {"crawl": crawl.to_json(), "index": self.index().to_json() if crawl.new else {}}

    def export(self, fp: IO[str]) -> int:
        return self.store.export_jsonl(fp)

    def import_(self, fp: IO[str]) -> dict[str, int]:
        return self.store.import_jsonl(fp)
