"""The crawl: discover pages, fetch what is new, cache raw HTML, parse, store page by page, then images."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from batchrag.crawl import discover, images
from batchrag.crawl.http import FetchError, HttpClient, NetworkDown, Response, RobotsDisallowed
from batchrag.crawl.parse import parse_page
from batchrag.domain import site
from batchrag.domain.types import JsonMixin
from batchrag.settings import Settings
from batchrag.store.articles import Store

BLOCKED_AFTER = 5  # consecutive 401/403 answers, before any success, that mean we are blocked, not unlucky


class SiteBlocked(NetworkDown):
    """Every page is refused (401/403): going on would only hammer the site."""


@dataclass
class CrawlSummary(JsonMixin):
    new: int = 0  # articles
    updated: int = 0
    unchanged: int = 0
    pages_fetched: int = 0
    pages_not_modified: int = 0
    pages_skipped: int = 0  # known and parsed already (no request), or older than --since
    pages_blocked: int = 0  # robots.txt
    failed: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)
    duplicates_linked: int = 0  # standalone pages attached to an issue story as alt_url
    discovered: int = 0
    routes: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    images_downloaded: int = 0
    images_failed: int = 0
    image_failures: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    aborted: str | None = None  # the whole crawl stopped (network down)
    # updated | unchanged (the site answered: nothing new) | unreachable (aborted before anything changed: not checked)
    outcome: str = "unchanged"
    seconds: float = 0.0

    @property
    def reachable(self) -> bool:
        return self.outcome != "unreachable"

    def fail(self, url: str, reason: str) -> None:
        self.failed += 1
        self.failures.append({"url": url, "reason": reason})

    def __str__(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False)


def run_crawl(
    store: Store,
    settings: Settings,
    *,
    limit: int | None = None,
    since: date | None = None,
    refresh: bool = False,
    offline: bool = False,
    progress: bool = True,
    download_images: bool | None = None,
    newest_first: bool = False,
    images_only: bool = False,
) -> CrawlSummary:
    """Crawl settings.crawl.base_url into the store; every page is committed on its own, so a killed run resumes.

    `images_only`: no pages, only the stored pictures that have no file yet (an archive built from saved pages).
    """
    t0 = datetime.now(UTC)
    summary = CrawlSummary()
    with _progress(progress) as bar:
        if offline:
            _reparse_cached(store, summary, since, limit, bar)
        else:
            with HttpClient.of(settings) as client:
                try:
                    if not images_only:
                        _crawl_online(store, settings, client, summary, limit, since, refresh, bar, newest_first)
                    if images_only or (download_images if download_images is not None else settings.crawl.download_images):
                        _download_images(store, settings, client, summary, bar)
                except NetworkDown as exc:
                    summary.aborted = exc.reason if isinstance(exc, SiteBlocked) else (
                        f"cannot reach {settings.crawl.base_url}: {exc.reason}")
                summary.requests = client.requests
    summary.seconds = round((datetime.now(UTC) - t0).total_seconds(), 3)
    changed = summary.new or summary.updated or summary.duplicates_linked or summary.images_downloaded
    # A crawl cut off after some pages is "updated" (what it stored stays) and still names why it stopped.
    summary.outcome = "updated" if changed else ("unreachable" if summary.aborted else "unchanged")
    if not summary.aborted and not images_only:
        store.set_meta("last_crawl", datetime.now(UTC).isoformat(timespec="seconds"))
    return summary


def _crawl_online(store, settings, client, summary, limit, since, refresh, bar, newest_first=False) -> None:
    base = settings.crawl.base_url.rstrip("/")
    fetch = _fetcher(store, client)
    task = bar.add_task("discovering", total=None)
    targets, states, prefetched = _discover(store, fetch, base, summary, refresh, newest_first)
    summary.discovered = len(targets)
    bar.update(task, description="pages", total=len(targets), completed=0)
    _fetch_targets(store, fetch, targets, states, prefetched, summary, limit, since, refresh, lambda: bar.advance(task))


def _fetcher(store, client: HttpClient):
    def fetch(url: str) -> Response:
        """Conditional GET; a 304 is answered from the cached body. Caches non-content pages as it goes."""
        cached = store.get_page(url)
        have = cached is not None and cached.body is not None
        r = client.get(url, etag=cached.etag if have else None, last_modified=cached.last_modified if have else None)
        if r.not_modified and have:
            return Response(url, 304, cached.body, r.headers)
        if r.not_modified:  # a 304 to an unconditional request: ask again plainly
            r = client.get(url)
        store.cache_page(url, r.body, 200, r.etag, r.last_modified, parsed_ok=not discover.is_content(url))
        return r

    return fetch


def _discover(store, fetch, base: str, summary: CrawlSummary, refresh: bool, newest_first: bool):
    """The pages to visit, in order, with the stored pages' states and the pages probing fetched already."""
    disc = discover.Discovery()
    discover.from_sitemaps(fetch, base, disc)
    discover.from_listing(fetch, base, disc, full=refresh)
    states = store.page_states()
    for u in states:  # pages found by earlier runs (probing) stay targets, so --refresh revisits them
        if discover.is_content(u):
            disc.add(u, "cache")
    known = [t.issue for t in disc.targets.values() if t.issue is not None]
    known += [n for u in states if (n := site.issue_number(u)) is not None]
    prefetched: dict[str, Response] = {}

    def probe(url: str) -> int:
        if url in states:  # found by an earlier probe: no request needed
            return 200
        try:
            prefetched[url] = fetch(url)
            return 200
        except NetworkDown:
            raise
        except FetchError as exc:
            if exc.status not in (404, 410):
                summary.warnings.append(f"probe {url}: {exc.reason}")
            return exc.status or 0

    discover.probe_issues(probe, base, disc, max(known, default=0))
    summary.warnings += disc.warnings
    summary.routes = disc.routes
    return disc.ordered(newest_first), states, prefetched


def _fetch_targets(store, fetch, targets, states, prefetched, summary, limit, since, refresh, advance) -> None:
    """Fetch (or take from the cache) and ingest each target that is new, changed or asked for again."""
    done = refused = 0
    for t in targets:
        advance()
        if limit is not None and done >= limit:
            break
        state = states.get(t.url)
        stale = t.lastmod is not None and state is not None and t.lastmod > state[1].date()
        if state and state[0] and not refresh and not stale:
            summary.pages_skipped += 1
            continue
        if since and t.lastmod and t.lastmod < since:
            summary.pages_skipped += 1
            continue
        done += 1
        try:
            if t.url in prefetched:
                r = prefetched[t.url]
            elif state and not state[0] and not refresh:  # fetched by a run that was killed: parse the cache
                r = Response(t.url, 304, store.get_page(t.url).body)
            else:
                r = fetch(t.url)
        except NetworkDown:
            raise
        except RobotsDisallowed:
            summary.pages_blocked += 1
            continue
        except FetchError as exc:
            summary.fail(t.url, exc.reason)
            refused = refused + 1 if exc.status in (401, 403) else 0
            if refused >= BLOCKED_AFTER and summary.pages_fetched + summary.pages_not_modified == 0:
                raise SiteBlocked(t.url, f"the site refuses this client (HTTP {exc.status} on {refused} pages in a "
                                  "row; a CDN may block this IP): save the pages in a browser and use --from-dir") from exc
            continue
        refused = 0
        if r.not_modified:
            summary.pages_not_modified += 1
        else:
            summary.pages_fetched += 1
        _ingest(store, t.url, r.body, summary, since)


def _ingest(store, url: str, body: bytes, summary: CrawlSummary, since: date | None) -> None:
    page = parse_page(body, url)
    cached = store.get_page(url)
    etag, lm = (cached.etag, cached.last_modified) if cached else (None, None)
    if page.error or not page.articles:
        reason = page.error or "no articles found in the page"
        summary.fail(url, f"parse: {reason}")
        store.cache_page(url, None, 200, etag, lm, parsed_ok=False, error=reason[:500])
        return
    if since and page.date and page.date < since:
        summary.pages_skipped += 1  # left unparsed in the cache: a later run without --since takes it
        return
    summary.warnings += [f"{url}: {w}" for w in page.warnings]
    if page.kind != "issue":
        # A standalone page repeating an issue's story is stored once: as the story's alternate URL.
        keep = []
        for art in page.articles:
            near = store.articles_near(art.date, site.TWIN_WINDOW_DAYS, in_issue=True)
            twin = site.IssueStories(near).twin_of(art)
            if twin is not None and twin.url != art.url:
                store.add_alt_url(twin.id, art.url)
                summary.duplicates_linked += 1
            else:
                keep.append(art)
        page.articles = keep
    counts = store.save_page(page) if page.articles else {}
    for k in ("new", "updated", "unchanged"):
        setattr(summary, k, getattr(summary, k) + counts.get(k, 0))
    if page.kind == "issue":
        # A standalone page stored before its issue (the issue failed last time) folds into the issue's story.
        stories = site.IssueStories(page.articles)
        for twin in store.articles_near(page.date, site.TWIN_WINDOW_DAYS, in_issue=False):
            art = stories.twin_of(twin)
            story = store.get_article_by_url(art.url) if art is not None else None
            if story is not None and twin.url != art.url:
                store.add_alt_url(story.id, twin.url)
                store.delete_article(twin.url)
                summary.duplicates_linked += 1
    store.cache_page(url, None, 200, etag, lm, parsed_ok=True)


def _reparse_cached(store, summary: CrawlSummary, since, limit, bar) -> None:
    urls = sorted(u for u in store.cached_urls() if discover.is_content(u))
    issues = [u for u in urls if site.is_issue_url(u)]
    urls = issues + [u for u in urls if u not in set(issues)]  # issues first, as online
    task = bar.add_task("re-parsing cache", total=len(urls))
    for i, url in enumerate(urls):
        if limit is not None and i >= limit:
            break
        _ingest(store, url, store.get_page(url).body, summary, since)
        bar.advance(task)


def _download_images(store, settings: Settings, client: HttpClient, summary: CrawlSummary, bar) -> None:
    todo = store.images_to_download()
    if settings.store.images_dir.is_dir():  # half-written files of a killed run
        for part in settings.store.images_dir.glob("*.part"):
            part.unlink(missing_ok=True)
    task = bar.add_task("images", total=len(todo))
    for url in todo:
        res = images.fetch_image(client, url, settings, settings.store.images_dir)
        bar.advance(task)
        if res.transient:
            summary.images_failed += 1
            summary.image_failures.append({"url": url, "reason": res.transient})
            continue
        store.set_image_file(url, res.local_path, res.width, res.height, res.error)
        if res.error:
            summary.images_failed += 1
            summary.image_failures.append({"url": url, "reason": res.error})
        else:
            summary.images_downloaded += 1


class _NoBar:
    def add_task(self, *a, **k) -> int:
        return 0

    def update(self, *a, **k) -> None:
        pass

    def advance(self, *a, **k) -> None:
        pass


@contextmanager
def _progress(enabled: bool) -> Iterator[Any]:
    if not enabled:
        yield _NoBar()
        return

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=False) as p:
        yield p
