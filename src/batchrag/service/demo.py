"""The offline demo library: serve the invented fixture site on 127.0.0.1, crawl it, index it."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from batchrag.crawl.fixture_server import start_fixture_site
from batchrag.domain.errors import BatchragError
from batchrag.domain.types import JsonMixin
from batchrag.service.library import Library
from batchrag.settings import Settings

# The port is remembered so a second run crawls the same URLs (article URLs include it) and stays idempotent.
_PORT_KEY = "demo_site_port"


class DemoError(BatchragError):
    """The demo library could not be built."""


def _counts(summary: dict) -> dict:
    # The summary lines show counts; lists of failures and warnings stay in the stage's own output.
    return {k: v for k, v in summary.items() if isinstance(v, int | float | str | bool | type(None))}


@dataclass
class DemoSummary(JsonMixin):
    data_dir: str
    base_url: str
    crawl: dict = field(default_factory=dict)
    index: dict = field(default_factory=dict)
    stats: dict = field(default_factory=dict)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        s = self.stats
        out = [
            f"demo library in {self.data_dir} (fixture site {self.base_url}, {self.seconds:.1f} s)",
            f"  issues {s.get('issues')}, articles {s.get('articles')}, images {s.get('images')} "
            f"(downloaded {s.get('images_downloaded')}), newest issue {s.get('newest_issue')}",
        ]
        if self.crawl:
            out.append("  crawl: " + ", ".join(f"{k} {v}" for k, v in self.crawl.items()))
        if self.index:
            out.append("  index: " + ", ".join(f"{k} {v}" for k, v in self.index.items()))
        return out


def build_demo_library(settings: Settings) -> DemoSummary:
    """Crawl the packaged fixture site into settings.store.data_dir and index it; safe to run again."""
    t0 = time.perf_counter()
    library = Library(settings)
    store = library.store
    saved = store.get_meta(_PORT_KEY)
    try:
        site = start_fixture_site(port=int(saved) if saved and saved.isdigit() else 0)
    except OSError:  # the old port is taken now: URLs change, the crawl then adds the stories anew
        site = start_fixture_site(port=0)
    try:
        host = urlsplit(site.base_url).hostname or "127.0.0.1"
        store.set_meta(_PORT_KEY, str(urlsplit(site.base_url).port))
        # The local site is ours: no politeness delay, and its images count as the site's own.
        s = settings.with_changes(
            base_url=site.base_url, rate_limit_per_host=1000.0, image_hosts=[*settings.crawl.image_hosts, host]
        )
        crawl = Library(s).crawl()
        if crawl.aborted:
            raise DemoError(f"crawl of the fixture site aborted: {crawl.aborted}")
    finally:
        site.stop()
    index = library.index()
    return DemoSummary(
        data_dir=str(settings.store.data_dir),
        base_url=site.base_url,
        crawl=_counts(crawl.to_json()),
        index=_counts(index.to_json()),
        stats=store.stats(),
        seconds=time.perf_counter() - t0,
    )


def network_available(settings: Settings, timeout_s: float = 1.5) -> bool:
    """Whether the real site's host answers a TCP connect (no HTTP request is made)."""
    host = urlsplit(settings.crawl.base_url).hostname
    if not host or host in ("127.0.0.1", "localhost"):
        return True
    return host_answers(settings.crawl.base_url, timeout_s)


def host_answers(url: str, timeout_s: float = 1.0) -> bool:
    """Whether the host of `url` accepts a TCP connection now (e.g. before showing a picture by its URL)."""
    parts = urlsplit(url or "")
    if not parts.hostname:
        return False
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        with socket.create_connection((parts.hostname, port), timeout=timeout_s):
            return True
    except (OSError, ValueError):
        return False
