"""A real HTTP server on 127.0.0.1 speaking Ollama's wire format (/api/tags, /api/show, NDJSON /api/chat and
/api/pull) with scripted replies."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import pytest

from batchrag.settings import get_settings
from tests.support.loopback import Loopback, QuietHandler


@dataclass
class Reply:
    pieces: list[str]
    first_delay_s: float = 0.0  # before the first line: a slow first token
    cut: bool = False  # close the stream without the final done line
    status: int = 200
    error: str | None = None
    piece_delay_s: float = 0.0  # between pieces: a slow model, for a reader who leaves mid-answer


@dataclass
class ScriptedOllama(Loopback):
    models: list[str] = field(default_factory=lambda: ["llama3.1:8b"])
    replies: list[Reply] = field(default_factory=list)
    default: Reply | None = None
    requests: list[tuple[str, dict | None]] = field(default_factory=list)
    per_model: dict[str, Reply] = field(default_factory=dict)  # a model's every reply (wins over `replies`)
    library: dict[str, int] = field(default_factory=dict)  # what /api/pull can fetch: name -> size in bytes
    pull_cut: bool = False  # close the next pull's stream halfway (the model stays unpulled)
    # What /api/show lists as a model's capabilities ("vision" for one that sees); a model not named here is shown
    # without the key, as an Ollama older than 0.6 answers.
    capabilities: dict[str, list[str]] = field(default_factory=dict)
    url: str = ""

    def chat_requests(self) -> list[dict]:
        return [b for p, b in self.requests if p == "/api/chat"]

    def start(self) -> ScriptedOllama:
        script = self

        class Handler(QuietHandler):
            def _pull(self, name: str) -> None:
                # Ollama answers 200 and puts a failure in the stream as {"error": …}.
                self.send_response(200)
                self.send_header("Content-Type", "application/x-ndjson")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True

                def line(obj: dict) -> None:
                    self.wfile.write((json.dumps(obj) + "\n").encode())
                    self.wfile.flush()

                line({"status": "pulling manifest"})
                if name not in script.library:
                    return line({"error": "pull model manifest: file does not exist"})
                total, digest = script.library[name], "sha256:" + "ab" * 32
                for done in range(0, total + 1, max(1, total // 4)):
                    if script.pull_cut and done >= total // 2:
                        script.pull_cut = False
                        return
                    line({"status": f"pulling {digest[7:19]}", "digest": digest, "total": total, "completed": done})
                for status in ("verifying sha256 digest", "writing manifest"):
                    line({"status": status})
                # Listed before "success" is sent, as Ollama's manifest is: a client that reads success and asks
                # again must find it (appending after raced the client's next look).
                script.models.append(name)
                line({"status": "success"})

            def do_GET(self):
                script.requests.append((self.path, None))
                if self.path == "/api/tags":
                    self._json(200, {"models": [{"name": m, "model": m} for m in script.models]})
                else:
                    self._json(404, {"error": "not found"})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                script.requests.append((self.path, body))
                if self.path == "/api/pull":
                    return self._pull(body.get("model") or body.get("name") or "")
                if self.path == "/api/show":
                    name = body.get("model") or body.get("name") or ""
                    if name not in script.models:
                        return self._json(404, {"error": f"model '{name}' not found"})
                    shown = {"modelfile": "", "details": {"format": "gguf"}}
                    if name in script.capabilities:
                        shown["capabilities"] = script.capabilities[name]
                    return self._json(200, shown)
                if self.path != "/api/chat":
                    return self._json(404, {"error": "not found"})
                if body.get("model") not in script.models:
                    return self._json(404, {"error": f"model '{body.get('model')}' not found, try pulling it first"})
                reply = script.per_model.get(body["model"]) or (
                    script.replies.pop(0) if script.replies else script.default
                )
                if reply is None:
                    return self._json(500, {"error": "no scripted reply"})
                if reply.status != 200:
                    return self._json(reply.status, {"error": reply.error or "scripted failure"})
                time.sleep(reply.first_delay_s)
                if body.get("stream") is False:  # one JSON object, as Ollama answers a non-streamed chat
                    msg = {"role": "assistant", "content": "".join(reply.pieces)}
                    return self._json(200, {"model": body["model"], "message": msg, "done": True})
                self.send_response(200)
                self.send_header("Content-Type", "application/x-ndjson")
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    for p in reply.pieces:
                        time.sleep(reply.piece_delay_s)
                        line = {"model": body["model"], "message": {"role": "assistant", "content": p}, "done": False}
                        self.wfile.write((json.dumps(line) + "\n").encode())
                        self.wfile.flush()
                    if not reply.cut:
                        final = {"model": body["model"], "message": {"role": "assistant", "content": ""}, "done": True,
                                 "done_reason": "stop", "eval_count": len(reply.pieces)}
                        self.wfile.write((json.dumps(final) + "\n").encode())
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True

        self.serve(Handler)
        return self


@pytest.fixture
def ollama(monkeypatch):
    """A scripted Ollama server on 127.0.0.1, with OLLAMA_HOST pointing at it."""
    srv = ScriptedOllama().start()
    monkeypatch.setenv("OLLAMA_HOST", srv.url)
    get_settings.cache_clear()
    yield srv
    srv.stop()
