"""Offline ingestion: parse a folder of saved pages (HTML or Next.js data JSON, gzip'd or not) into the store."""

from __future__ import annotations

import gzip
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from batchrag.crawl.parse import parse_page
from batchrag.domain.site import IssueStories, twin_title
from batchrag.domain.types import ParsedPage

_UPDATED_RE = re.compile(rb'"updated_at":\s*"([0-9T:.+-]+)"')
SUFFIXES = (".html", ".html.gz", ".htm", ".htm.gz", ".json", ".json.gz")


class PageSink(Protocol):
    """Where parsed pages go (the store's Store satisfies it); crawl must not import store."""

    def save_page(self, page: ParsedPage) -> dict[str, int]: ...


def iter_saved_pages(directory: Path) -> Iterator[tuple[str, bytes]]:
    """Yield (file path, raw bytes) for every saved page under directory, sorted; gzip is undone.

    The page's public URL is NOT derived here: parse_page names a page from its canonical link or its post's
    slug, so an HTML page and a data JSON of the same issue get the same URL whatever their file names.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise NotADirectoryError(f"not a folder of saved pages: {directory}")
    for path in sorted(directory.rglob("*")):
        if not path.is_file() or not path.name.lower().endswith(SUFFIXES):
            continue
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError):
                pass  # parse_page reports the corrupt gzip with the file's name
        yield str(path), data


def merge_standalone(pages: list[ParsedPage]) -> int:
    """Fold standalone article pages into the issue article they repeat (its URL becomes an alt_url).

    Every letter and story also has its own page; one article per story is stored, never two (the rule is
    site.IssueStories; docs/site.md#standalone-story-pages-fold-into-their-issue). Returns how many standalone articles were merged (they are removed from their pages).
    """
    stories = IssueStories(a for p in pages if p.kind == "issue" for a in p.articles)
    merged = 0
    for page in pages:
        if page.kind != "article":
            continue
        kept = []
        for art in page.articles:
            target = stories.twin_of(art)
            if target is None:
                kept.append(art)
                continue
            if art.url != target.url and art.url not in target.alt_urls:
                target.alt_urls.append(art.url)
            target.title = twin_title(target, art)
            merged += 1
        page.articles = kept
    return merged


def ingest_dir(store: PageSink, directory: Path, progress: bool = True) -> dict:
    """Parse every saved page under directory and save it; returns a summary of what happened."""
    summary: dict = {
        "files": 0, "pages": 0, "issues": 0, "articles": 0, "articles_new": 0, "articles_updated": 0,
        "articles_unchanged": 0, "merged_standalone": 0, "duplicates": 0, "failed": [], "skipped": [],
        "warnings": 0, "warning_details": [],
    }
    by_url: dict[str, tuple[str, ParsedPage, str]] = {}
    for path, raw in iter_saved_pages(directory):
        summary["files"] += 1
        page = parse_page(raw)
        if page.error:
            bucket = "skipped" if page.kind == "listing" or "static page" in page.error else "failed"
            summary[bucket].append((path, page.error))
            continue
        if page.warnings:
            summary["warnings"] += len(page.warnings)
            summary["warning_details"].append((path, page.warnings))
        if page.url in by_url:
            # The same post saved twice (an issue page and its data JSON): keep the later edit (Ghost's
            # updated_at), so one URL is upserted once.
            summary["duplicates"] += 1
            if _updated_at(raw) > by_url[page.url][2]:
                by_url[page.url] = (path, page, _updated_at(raw))
            continue
        by_url[page.url] = (path, page, _updated_at(raw))
    pages = [p for _, p, _ in by_url.values()]
    summary["merged_standalone"] = merge_standalone(pages)
    for n, (path, page, _) in enumerate(by_url.values(), 1):
        if not page.articles:
            continue
        try:
            counts = store.save_page(page)
        except Exception as exc:  # one bad page must not lose the others: report it and go on
            summary["failed"].append((path, f"store refused it: {type(exc).__name__}: {exc}"))
            continue
        summary["pages"] += 1
        summary["issues"] += page.kind == "issue"
        summary["articles"] += len(page.articles)
        for k in ("new", "updated", "unchanged"):
            summary[f"articles_{k}"] += counts.get(k, 0)
        if progress and (n % 50 == 0 or n == len(by_url)):
            print(f"ingest: {n}/{len(by_url)} pages, {summary['articles']} articles", file=sys.stderr)
    return summary


def _updated_at(raw: bytes) -> str:
    """The latest Ghost updated_at in a saved page (ISO strings of one site compare in time order)."""
    found = _UPDATED_RE.findall(raw)
    return max(found).decode() if found else ""
