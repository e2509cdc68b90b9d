"""A loopback web server for the invented fixture site: the demo library's source, and the crawl tests' base."""

from __future__ import annotations

import email.utils
import hashlib
import threading
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


class FixtureHandler(BaseHTTPRequestHandler):
    """Serves SITE_DIR as the site would; a subclass may answer some paths itself (see special)."""

    protocol_version = "HTTP/1.0"
    site: FixtureSite  # set on the class that start_fixture_site makes for one server

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def special(self, path: str, n: int) -> bool:
        """Answer the n-th request of path some other way; True when answered. The site has no such path."""
        return False

    def extra_sitemaps(self) -> str:
        """<sitemap> entries added to the sitemap index."""
        return ""

    def send(self, status: int, body: bytes = b"", ctype: str = "text/plain", headers: dict | None = None) -> None:
        with self.site.lock:
            self.site.log.append((self.command, self.path, status))
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
        path = self.path.split("?", 1)[0]
        with self.site.lock:
            self.site.hits[path] += 1
            n = self.site.hits[path]
        if self.special(path, n):
            return
        rel = path.lstrip("/")
        if rel.startswith("the-batch/page/1/"):
            return self.send(301, headers={"Location": "/the-batch/"})
        if rel.startswith("_next/image/"):  # the resizing proxy is not simulated
            return self.send(404, b"not found")
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        if rel == "index.html":
            rel = "the-batch/index.html"
        f = (SITE_DIR / rel).resolve()
        if SITE_DIR not in f.parents or not f.is_file() or rel.startswith(("faults/", "_generate")):
            return self.send(404, b"not found")
        if f.suffix in TEXT_TYPES:
            return self.serve_bytes(self.text(f), TEXT_TYPES[f.suffix])
        if f.suffix in IMAGE_TYPES:
            return self.serve_bytes(f.read_bytes(), IMAGE_TYPES[f.suffix])
        return self.send(404, b"not found")

    def text(self, f: Path) -> bytes:
        t = f.read_text(encoding="utf-8").replace("__FAULT_SITEMAPS__", self.extra_sitemaps())
        return t.replace("__BASE_URL__", self.site.base_url).encode()

    def serve_bytes(self, body: bytes, ctype: str) -> None:
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        if self.headers.get("If-None-Match") == etag or (
            not self.headers.get("If-None-Match") and self.headers.get("If-Modified-Since") == LAST_MODIFIED
        ):
            return self.send(304, headers={"ETag": etag, "Content-Length": "0"})
        self.send(200, body, ctype, {"ETag": etag, "Last-Modified": LAST_MODIFIED})


def start_fixture_site(port: int = 0, handler: type[FixtureHandler] = FixtureHandler,
                       site_class: type[FixtureSite] = FixtureSite, **fields) -> FixtureSite:
    """Serve the fixture site on 127.0.0.1 (port 0 = any free port) in a background thread.

    handler and site_class (given fields) let a test server answer some paths itself.
    """
    bound = type(handler.__name__, (handler,), {})  # one handler class per server, holding its site
    server = ThreadingHTTPServer(("127.0.0.1", port), bound)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="fixture-site", daemon=True)
    site = site_class(server, thread, f"http://127.0.0.1:{server.server_address[1]}", **fields)
    bound.site = site
    thread.start()
    return site


if __name__ == "__main__":  # python -m batchrag.crawl.fixture_server [port]
    import sys

    s = start_fixture_site(int(sys.argv[1]) if len(sys.argv) > 1 else 8765)
    print(s.base_url, flush=True)
    try:
        s.thread.join()
    except KeyboardInterrupt:
        s.stop()
