"""A loopback web server for the invented fixture site, with optional fault pages, for tests, demo and bench."""

from __future__ import annotations

import email.utils
import hashlib
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SITE_DIR = Path(__file__).resolve().parent / "fixture_site"
TEXT_TYPES = {".html": "text/html; charset=utf-8", ".xml": "application/xml", ".txt": "text/plain; charset=utf-8"}
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".gif": "image/gif"}
LAST_MODIFIED = email.utils.formatdate(1_741_000_000, usegmt=True)  # fixed: the site never changes


@dataclass
class FixtureSite:
    """A running fixture server: base_url, request log, stop()."""

    server: ThreadingHTTPServer
    thread: threading.Thread
    base_url: str
    log: list[tuple[str, str, int]] = field(default_factory=list)  # (method, path, status)
    hits: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    faults: bool = False
    slow_s: float = 3.0
    overrides: dict[str, bytes] = field(default_factory=dict)  # path -> body, lets tests change a page
    forced_status: dict[str, int] = field(default_factory=dict)  # path prefix -> status, e.g. a CDN's 403

    @property
    def requests(self) -> int:
        return len(self.log)

    def count(self, path: str) -> int:
        return self.hits[path]

    def reset_log(self) -> None:
        with self.lock:
            self.log.clear()
            self.hits.clear()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> FixtureSite:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _handler(site_ref: list[FixtureSite]):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, *args) -> None:  # keep test output quiet
            pass

        def _send(self, status: int, body: bytes = b"", ctype: str = "text/plain", headers: dict | None = None):
            site = site_ref[0]
            with site.lock:
                site.log.append((self.command, self.path, status))
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            if "Content-Length" not in (headers or {}):
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_HEAD(self) -> None:
            self.do_GET()

        def do_GET(self) -> None:
            site = site_ref[0]
            path = self.path.split("?", 1)[0]
            with site.lock:
                site.hits[path] += 1
                n = site.hits[path]
            for prefix, status in site.forced_status.items():
                if path.startswith(prefix):
                    return self._send(status, b"forced by the test")
            if site.faults and self._fault(path, n):
                return
            if path in site.overrides:
                return self._serve_bytes(site.overrides[path], "text/html; charset=utf-8")
            rel = path.lstrip("/")
            if rel.startswith("the-batch/page/1/"):
                return self._send(301, headers={"Location": "/the-batch/"})
            if rel.startswith("_next/image/"):  # the resizing proxy is not simulated
                return self._send(404, b"not found")
            if rel == "" or rel.endswith("/"):
                rel += "index.html"
            if rel == "index.html":
                rel = "the-batch/index.html"
            f = (SITE_DIR / rel).resolve()
            if SITE_DIR not in f.parents or not f.is_file() or rel.startswith(("faults/", "_generate")):
                return self._send(404, b"not found")
            if f.suffix in TEXT_TYPES:
                return self._serve_bytes(self._text(f), TEXT_TYPES[f.suffix])
            if f.suffix in IMAGE_TYPES:
                return self._serve_bytes(f.read_bytes(), IMAGE_TYPES[f.suffix])
            return self._send(404, b"not found")

        def _text(self, f: Path) -> bytes:
            site = site_ref[0]
            fault_maps = f"<sitemap><loc>{site.base_url}/faults/sitemap-faults.xml</loc></sitemap>" if site.faults else ""
            t = f.read_text(encoding="utf-8").replace("__FAULT_SITEMAPS__", fault_maps)
            return t.replace("__BASE_URL__", site.base_url).encode()

        def _serve_bytes(self, body: bytes, ctype: str) -> None:
            etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
            if self.headers.get("If-None-Match") == etag or (
                not self.headers.get("If-None-Match") and self.headers.get("If-Modified-Since") == LAST_MODIFIED
            ):
                return self._send(304, headers={"ETag": etag, "Content-Length": "0"})
            self._send(200, body, ctype, {"ETag": etag, "Last-Modified": LAST_MODIFIED})

        def _fault(self, path: str, n: int) -> bool:
            site = site_ref[0]
            page = SITE_DIR / "faults" / (path.strip("/").split("/")[-1] + ".html")
            if path == "/faults/sitemap-faults.xml":
                self._serve_bytes(self._text(SITE_DIR / "faults/sitemap-faults.xml"), TEXT_TYPES[".xml"])
            elif path == "/the-batch/flaky-story/":
                if n <= 2:
                    self._send(500, b"internal error")
                else:
                    self._serve_bytes(self._text(page), TEXT_TYPES[".html"])
            elif path == "/the-batch/busy-story/":
                if n == 1:
                    self._send(429, b"slow down", headers={"Retry-After": "1"})
                else:
                    self._serve_bytes(self._text(page), TEXT_TYPES[".html"])
            elif path == "/the-batch/slow-story/":
                time.sleep(site.slow_s)
                try:
                    self._serve_bytes(self._text(page), TEXT_TYPES[".html"])
                except OSError:  # the client gave up, as it should
                    pass
            elif path == "/the-batch/huge-story/":
                with site.lock:
                    site.log.append((self.command, self.path, 200))
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()  # no Content-Length: the client must count while streaming
                try:
                    for _ in range(400):
                        self.wfile.write(b"<p>" + b"x" * 16_000 + b"</p>\n")
                except OSError:
                    pass
            elif path == "/the-batch/truncated-story/":
                body = self._text(page)
                with site.lock:
                    site.log.append((self.command, self.path, 200))
                self.send_response(200)
                self.send_header("Content-Type", TEXT_TYPES[".html"])
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 3])  # then close: the body is cut short
            else:
                return False
            return True

    return Handler


def start_fixture_site(port: int = 0, faults: bool = False, slow_s: float = 3.0) -> FixtureSite:
    """Serve the fixture site on 127.0.0.1 (port 0 = any free port) in a background thread."""
    ref: list[FixtureSite] = []
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(ref))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="fixture-site", daemon=True)
    site = FixtureSite(server, thread, f"http://127.0.0.1:{server.server_address[1]}", faults=faults, slow_s=slow_s)
    ref.append(site)
    thread.start()
    return site


if __name__ == "__main__":  # python -m batchrag.crawl.fixture_server [port]
    import sys

    s = start_fixture_site(int(sys.argv[1]) if len(sys.argv) > 1 else 8765, faults="--faults" in sys.argv)
    print(s.base_url, flush=True)
    try:
        s.thread.join()
    except KeyboardInterrupt:
        s.stop()
