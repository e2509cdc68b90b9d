"""The fixture site with test switches: pages a test overrides or forces to a status, and the fault pages."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from batchrag.crawl.fixture_server import (
    SITE_DIR,
    TEXT_TYPES,
    FixtureHandler,
    FixtureSite,
    start_fixture_site,
)


@dataclass
class FaultSite(FixtureSite):
    faults: bool = False
    slow_s: float = 3.0
    overrides: dict[str, bytes] = field(default_factory=dict)  # path -> body, lets tests change a page
    forced_status: dict[str, int] = field(default_factory=dict)  # path prefix -> status, e.g. a CDN's 403


class FaultHandler(FixtureHandler):
    site: FaultSite

    def extra_sitemaps(self) -> str:
        return f"<sitemap><loc>{self.site.base_url}/faults/sitemap-faults.xml</loc></sitemap>" if self.site.faults else ""

    def special(self, path: str, n: int) -> bool:
        site = self.site
        for prefix, status in site.forced_status.items():
            if path.startswith(prefix):
                self.send(status, b"forced by the test")
                return True
        if site.faults and self._fault(path, n):
            return True
        if path in site.overrides:
            self.serve_bytes(site.overrides[path], "text/html; charset=utf-8")
            return True
        return False

    def _fault(self, path: str, n: int) -> bool:
        page = SITE_DIR / "faults" / (path.strip("/").split("/")[-1] + ".html")
        if path == "/faults/sitemap-faults.xml":
            self.serve_bytes(self.text(SITE_DIR / "faults/sitemap-faults.xml"), TEXT_TYPES[".xml"])
        elif path == "/the-batch/flaky-story/":
            if n <= 2:
                self.send(500, b"internal error")
            else:
                self.serve_bytes(self.text(page), TEXT_TYPES[".html"])
        elif path == "/the-batch/busy-story/":
            if n == 1:
                self.send(429, b"slow down", headers={"Retry-After": "1"})
            else:
                self.serve_bytes(self.text(page), TEXT_TYPES[".html"])
        elif path == "/the-batch/slow-story/":
            time.sleep(self.site.slow_s)
            try:
                self.serve_bytes(self.text(page), TEXT_TYPES[".html"])
            except OSError:  # the client gave up, as it should
                pass
        elif path == "/the-batch/huge-story/":
            with self.site.lock:
                self.site.log.append((self.command, self.path, 200))
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()  # no Content-Length: the client must count while streaming
            try:
                for _ in range(400):
                    self.wfile.write(b"<p>" + b"x" * 16_000 + b"</p>\n")
            except OSError:
                pass
        elif path == "/the-batch/truncated-story/":
            body = self.text(page)
            with self.site.lock:
                self.site.log.append((self.command, self.path, 200))
            self.send_response(200)
            self.send_header("Content-Type", TEXT_TYPES[".html"])
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 3])  # then close: the body is cut short
        else:
            return False
        return True


def start_fault_site(port: int = 0, faults: bool = False, slow_s: float = 3.0) -> FaultSite:
    """The fixture site with overrides/forced_status switches; faults=True adds the fault pages."""
    return start_fixture_site(port, FaultHandler, FaultSite, faults=faults, slow_s=slow_s)
