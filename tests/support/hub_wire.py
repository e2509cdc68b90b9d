"""A real HTTP server on 127.0.0.1 speaking the Hugging Face Hub's file protocol (HEAD + ranged GET on /resolve/)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.loopback import Loopback, QuietHandler

COMMIT = "0123456789abcdef0123456789abcdef01234567"


@dataclass
class HubFile:
    path: Path
    sha256: str = ""  # what the server advertises (X-Linked-Etag); default: the file's real sha256

    def __post_init__(self) -> None:
        self.size = self.path.stat().st_size
        if not self.sha256:
            h = hashlib.sha256()
            with self.path.open("rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
            self.sha256 = h.hexdigest()


@dataclass
class FakeHub(Loopback):
    """Serves `files` ({"owner/repo/filename": HubFile}); `cut_after` bytes ends the next GETs' bodies early."""

    files: dict[str, HubFile] = field(default_factory=dict)
    cut_after: int | None = None  # close the connection after this many body bytes…
    cuts_left: int = 0  # …on this many GETs
    down: bool = False  # answer 503 to everything (a hub that went away mid-download)
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # (method, path, Range header)
    url: str = ""

    def ranges(self) -> list[str]:
        return [r for m, _, r in self.requests if m == "GET" and r]

    def start(self) -> FakeHub:
        hub = self

        class Handler(QuietHandler):
            def _find(self) -> HubFile | None:
                m = re.fullmatch(r"/(?:models/)?([^/]+/[^/]+)/resolve/[^/]+/(.+)", self.path.split("?")[0])
                return hub.files.get(f"{m.group(1)}/{m.group(2)}") if m else None

            def _headers(self, f: HubFile, code: int, length: int, extra: dict[str, str] = ()) -> None:
                self.send_response(code)
                self.send_header("X-Repo-Commit", COMMIT)
                self.send_header("X-Linked-Etag", f'"{f.sha256}"')
                self.send_header("X-Linked-Size", str(f.size))
                self.send_header("ETag", f'"{f.sha256}"')
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(length))
                for k, v in dict(extra).items():
                    self.send_header(k, v)
                self.end_headers()

            def _refuse(self) -> bool:
                if hub.down:
                    self.send_response(503)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return True
                return False

            def _missing(self) -> None:
                body = b'{"error":"Entry not found"}'
                self.send_response(404)
                self.send_header("X-Error-Code", "EntryNotFound")
                self.send_header("X-Error-Message", "Entry not found")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command == "GET":
                    self.wfile.write(body)

            def do_HEAD(self):
                hub.requests.append(("HEAD", self.path, ""))
                if self._refuse():
                    return
                f = self._find()
                if f is None:
                    return self._missing()
                self._headers(f, 200, f.size)

            def do_GET(self):
                rng = self.headers.get("Range", "")
                hub.requests.append(("GET", self.path, rng))
                if self._refuse():
                    return
                f = self._find()
                if f is None:
                    return self._missing()
                start = 0
                m = re.fullmatch(r"bytes=(\d+)-", rng)
                if m:
                    start = int(m.group(1))
                    extra = {"Content-Range": f"bytes {start}-{f.size - 1}/{f.size}"}
                    self._headers(f, 206, f.size - start, extra)
                else:
                    self._headers(f, 200, f.size)
                limit = None
                if hub.cut_after is not None and hub.cuts_left > 0:
                    hub.cuts_left -= 1
                    limit = hub.cut_after
                sent = 0
                try:
                    with f.path.open("rb") as src:
                        src.seek(start)
                        while block := src.read(1 << 16):
                            if limit is not None and sent + len(block) > limit:
                                self.wfile.write(block[: limit - sent])
                                self.wfile.flush()
                                self.close_connection = True
                                self.connection.shutdown(2)  # the cut: the body ends early
                                return
                            self.wfile.write(block)
                            sent += len(block)
                except (BrokenPipeError, ConnectionResetError, OSError):
                    self.close_connection = True

        self.serve(Handler)
        return self
