"""One polite HTTP client: robots.txt, per-host rate limit, retries with backoff, size cap, conditional GETs."""

from __future__ import annotations

import email.utils
import threading
import time
import urllib.robotparser
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

from batchrag.domain.errors import BatchragError
from batchrag.settings import CrawlSettings, HttpSettings, Settings

RETRY_STATUS = {429, 500, 502, 503, 504}


class FetchError(BatchragError):
    """A URL that could not be fetched, with the reason in words."""

    def __init__(self, url: str, reason: str, status: int | None = None):
        super().__init__(f"{url}: {reason}")
        self.url, self.reason, self.status = url, reason, status


class RobotsDisallowed(FetchError):
    """robots.txt forbids this URL for our User-Agent."""


class NetworkDown(FetchError):
    """The site cannot be reached at all (DNS, refused connection, no route)."""


@dataclass
class Response:
    url: str  # final URL after redirects
    status: int  # 200 or 304
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After is either seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class HttpClient:
    """Shared by discovery, pages and images so that politeness is global, not per stage."""

    def __init__(self, crawl: CrawlSettings, http: HttpSettings, sleep=time.sleep):
        # crawl: politeness, caps and the User-Agent; http: the timeouts and retries every download shares.
        self.crawl, self.http = crawl, http
        self.sleep = sleep
        self.requests = 0  # every request put on the wire, retries included
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self._next_slot: dict[str, float] = {}
        self._min_interval: dict[str, float] = {}  # from robots.txt Crawl-delay
        self._lock = threading.Lock()
        self.client = httpx.Client(
            headers={"User-Agent": crawl.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(http.request_timeout_s, connect=http.connect_timeout_s),
            follow_redirects=True,
            max_redirects=crawl.max_redirects,
        )

    @classmethod
    def of(cls, settings: Settings, sleep=time.sleep) -> HttpClient:
        """The client a process's settings describe: its two parts handed to it."""
        return cls(settings.crawl, settings.http, sleep)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- politeness -------------------------------------------------------------------
    def _wait_turn(self, host: str) -> None:
        interval = max(1.0 / self.crawl.rate_limit_per_host if self.crawl.rate_limit_per_host > 0 else 0.0,
                       self._min_interval.get(host, 0.0))
        if interval <= 0:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_slot.get(host, 0.0))
            self._next_slot[host] = slot + interval
        if slot > now:
            self.sleep(slot - now)

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            rp: urllib.robotparser.RobotFileParser | None = urllib.robotparser.RobotFileParser()
            try:
                r = self._request(origin + "/robots.txt", {}, 500_000, robots=False)
                rp.parse(r.body.decode("utf-8", "replace").splitlines())
            except NetworkDown:
                raise
            except FetchError as exc:
                # No robots.txt (4xx) means no rules; a broken one we cannot read also leaves us the usual rules.
                rp = None if (exc.status or 0) < 500 else rp
                if rp is not None:
                    rp.parse([])
            self._robots[origin] = rp
            delay = rp.crawl_delay(self.crawl.user_agent) if rp is not None else None
            if delay:  # robots.txt may ask for more patience than our own rate limit
                self._min_interval[parts.netloc] = min(float(delay), 60.0)
        rp = self._robots[origin]
        return rp is None or rp.can_fetch(self.crawl.user_agent, url)

    # --- fetching ---------------------------------------------------------------------
    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int | None = None,
        robots: bool = True,
    ) -> Response:
        """GET with retries; returns a 200 or 304 Response, raises FetchError otherwise."""
        if robots and not self.allowed(url):
            raise RobotsDisallowed(url, "disallowed by robots.txt")
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._request(url, headers, max_bytes or self.crawl.max_response_bytes, robots=robots)

    def _request(self, url: str, headers: dict, max_bytes: int, robots: bool) -> Response:
        host = urlsplit(url).netloc
        attempt = 0
        while True:
            self._wait_turn(host)
            self.requests += 1
            delay: float | None = None
            try:
                return self._once(url, headers, max_bytes)
            except _Retryable as exc:
                reason, delay = exc.reason, exc.delay
                status = exc.status
                down = exc.down
            if attempt >= (self.http.connect_retries if down else self.http.max_retries):
                cls = NetworkDown if down else FetchError
                raise cls(url, f"{reason} (gave up after {attempt + 1} attempts)", status)
            backoff = self.http.backoff_base_s * (2**attempt)
            if delay is not None:
                if delay > self.http.max_retry_after_s:
                    raise FetchError(url, f"{reason}; server asks to wait {delay:.0f} s, more than "
                                     f"max_retry_after_s={self.http.max_retry_after_s:.0f}", status)
                backoff = max(backoff, delay)
            attempt += 1
            self.sleep(backoff)

    def _once(self, url: str, headers: dict, max_bytes: int) -> Response:
        try:
            with self.client.stream("GET", url, headers=headers) as r:
                if r.status_code in RETRY_STATUS:
                    ra = retry_after_seconds(r.headers.get("retry-after")) if r.status_code in (429, 503) else None
                    raise _Retryable(f"HTTP {r.status_code}", r.status_code, ra)
                if r.status_code == 304:
                    return Response(str(r.url), 304, b"", {k.lower(): v for k, v in r.headers.items()})
                if r.status_code != 200:
                    raise FetchError(url, f"HTTP {r.status_code}", r.status_code)
                declared = r.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise FetchError(url, f"response of {int(declared):,} bytes exceeds the cap of {max_bytes:,} bytes")
                chunks, size = [], 0
                for chunk in r.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise FetchError(url, f"response exceeds the cap of {max_bytes:,} bytes (aborted)")
                    chunks.append(chunk)
                return Response(str(r.url), 200, b"".join(chunks), {k.lower(): v for k, v in r.headers.items()})
        except httpx.TooManyRedirects as exc:
            raise FetchError(url, f"more than {self.crawl.max_redirects} redirects") from exc
        except httpx.ConnectTimeout as exc:
            raise _Retryable(f"cannot connect (no answer in {self.http.connect_timeout_s:g} s)", down=True) from exc
        except httpx.TimeoutException as exc:
            raise _Retryable(f"timed out after {self.http.request_timeout_s:g} s ({type(exc).__name__})") from exc
        except httpx.ConnectError as exc:
            raise _Retryable(f"cannot connect ({exc})", down=True) from exc
        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
            raise _Retryable(f"connection broken mid-response ({exc})") from exc
        except httpx.InvalidURL as exc:
            raise FetchError(url, f"invalid URL ({exc})") from exc
        except httpx.HTTPError as exc:
            raise _Retryable(f"{type(exc).__name__}: {exc}") from exc


class _Retryable(Exception):
    def __init__(self, reason: str, status: int | None = None, delay: float | None = None, down: bool = False):
        super().__init__(reason)
        self.reason, self.status, self.delay, self.down = reason, status, delay, down
