"""Find issue and article URLs: sitemaps, then listing pages, then probing issue-N upward."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urljoin, urlsplit, urlunsplit

from batchrag.crawl.http import FetchError, NetworkDown, Response
from batchrag.domain import site

# Listing, tag, author and other non-content routes under /the-batch/.
NOT_CONTENT = re.compile(r"/the-batch/(?:$|page/|tag/|author/|rss/|search/|_next/)")
HREF_RE = re.compile(r'href="([^"#?]*/the-batch/[^"#?]*)"')
MAX_LISTING_PAGES = 500
PROBE_MISSES = 3


@dataclass
class Target:
    url: str
    kind: str  # issue | article
    lastmod: date | None = None
    issue: int | None = None
    via: str = "sitemap"


@dataclass
class Discovery:
    targets: dict[str, Target] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    routes: dict[str, int] = field(default_factory=dict)  # route -> URLs it contributed

    def add(self, url: str, via: str, lastmod: date | None = None) -> bool:
        url = normalise(url)
        if url in self.targets:
            if lastmod and (self.targets[url].lastmod is None or lastmod > self.targets[url].lastmod):
                self.targets[url].lastmod = lastmod
            return False
        kind = "issue" if site.is_issue_url(url) else "article"
        self.targets[url] = Target(url, kind, lastmod, site.issue_number(url), via)
        self.routes[via] = self.routes.get(via, 0) + 1
        return True

    def ordered(self, newest_first: bool = False) -> list[Target]:
        """Issues first (oldest first, so a resumed crawl fills in order; newest first for a quick start)."""
        def key(t: Target):
            n = t.issue if t.issue is not None else 10**9
            return (t.kind != "issue", -n if newest_first else n, t.url)
        return sorted(self.targets.values(), key=key)


def normalise(url: str) -> str:
    p = urlsplit(url)
    path = p.path if p.path.endswith("/") else p.path + "/"
    return urlunsplit((p.scheme, p.netloc.lower(), path, "", ""))


def is_content(url: str) -> bool:
    path = urlsplit(url).path
    if not path.endswith("/"):
        path += "/"
    return path.startswith("/the-batch/") and not NOT_CONTENT.match(path) and path.count("/") == 3


# A conditional fetcher: (url) -> Response with the body (from cache when 304) or raises FetchError.
Fetch = Callable[[str], Response]


def from_sitemaps(fetch: Fetch, base_url: str, disc: Discovery) -> None:
    seen: set[str] = set()
    queue = [base_url.rstrip("/") + "/sitemap.xml"]
    while queue:
        sm = queue.pop(0)
        if sm in seen or len(seen) > 200:
            continue
        seen.add(sm)
        try:
            body = fetch(sm).body
            root = ET.fromstring(body)
        except NetworkDown:
            raise
        except FetchError as exc:
            disc.warnings.append(f"sitemap {sm}: {exc.reason}")
            continue
        except ET.ParseError as exc:
            disc.warnings.append(f"sitemap {sm}: not valid XML ({exc})")
            continue
        tag = root.tag.rsplit("}", 1)[-1]
        for node in root:
            loc = next((c.text for c in node if c.tag.endswith("loc") and c.text), None)
            if not loc:
                continue
            loc = loc.strip()
            if tag == "sitemapindex":
                queue.append(loc)
            elif is_content(loc):
                mod = next((c.text for c in node if c.tag.endswith("lastmod") and c.text), None)
                disc.add(loc, "sitemap", _date(mod))


def from_listing(fetch: Fetch, base_url: str, disc: Discovery, full: bool) -> None:
    """Walk /the-batch/, /page/2/ …; stop at a page that adds nothing new unless a full walk is asked for."""
    url = base_url.rstrip("/") + "/the-batch/"
    for n in range(1, MAX_LISTING_PAGES + 1):
        try:
            r = fetch(url)
        except NetworkDown:
            raise
        except FetchError as exc:
            if exc.status != 404:
                disc.warnings.append(f"listing {url}: {exc.reason}")
            return
        html = r.body.decode("utf-8", "replace")
        new = sum(disc.add(urljoin(url, h), "listing") for h in HREF_RE.findall(html) if is_content(urljoin(url, h)))
        if not new and not full:
            return
        # The real listing loads older cards client-side, so page N+1 is tried even without a link to it.
        nxt = re.search(rf'href="([^"]*/the-batch/page/{n + 1}/?)"', html)
        url = urljoin(url, nxt.group(1)) if nxt else f"{base_url.rstrip('/')}/the-batch/page/{n + 1}/"


def probe_issues(get_status: Callable[[str], int], base_url: str, disc: Discovery, start: int) -> None:
    """Try issue-(newest+1), issue-(newest+2)… until PROBE_MISSES consecutive misses."""
    n, misses = start + 1, 0
    while misses < PROBE_MISSES:
        url = f"{base_url.rstrip('/')}/the-batch/issue-{n}/"
        if url in disc.targets:
            misses = 0
        elif get_status(url) == 200:
            disc.add(url, "probe")
            misses = 0
        else:
            misses += 1
        n += 1


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text.strip()[:10]) if text else None
    except ValueError:
        return None
