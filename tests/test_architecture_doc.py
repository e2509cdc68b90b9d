"""docs/ARCHITECTURE.md's backend example, run as written against an OpenAI-style server on 127.0.0.1."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from batchrag.domain.types import Message
from batchrag.llm.base import LLMError
from batchrag.registry import Registry
from batchrag.settings import Settings

DOC = Path(__file__).resolve().parents[1] / "docs" / "ARCHITECTURE.md"


class _Chat(BaseHTTPRequestHandler):
    """POST /v1/chat/completions streamed as server-sent events, as the OpenAI API documents it."""

    requests: list[dict] = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for piece in ("Так, ", "джерело [1] ", "про це."):
            chunk = {"choices": [{"delta": {"content": piece}}]}
            self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")

    def log_message(self, *args):
        pass


@pytest.fixture
def server(monkeypatch):
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Chat)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{srv.server_port}/v1")
    yield srv
    srv.shutdown()


def _example_backend():
    section = DOC.read_text(encoding="utf-8").split("### Adding an LLM backend", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    ns: dict = {}
    exec(compile(code, str(DOC), "exec"), ns)  # the page's own code, as a newcomer would paste it
    return ns["OpenAICompatBackend"]


def test_the_documented_backend_works_once_registered(server):
    # A registry of its own, like BACKENDS, so the example does not leak into the other tests.
    registry = Registry("LLM backend", {"extractive": "batchrag.llm.extractive:ExtractiveBackend"}, group="x")
    registry.register("openai-doc-example")(_example_backend())
    assert registry.names() == ["extractive", "openai-doc-example"]
    backend = registry.create("openai-doc-example", Settings(llm_ctx=2048).llm)
    out = "".join(backend.generate([Message("user", "Що нового?")], max_tokens=32))
    assert out == "Так, джерело [1] про це." and backend.name == "openai-doc-example"
    assert _Chat.requests[-1]["messages"] == [{"role": "user", "content": "Що нового?"}]
    with pytest.raises(LLMError, match="prompt too long"):  # the base class's check, not the example's
        backend.generate([Message("user", "слово " * 3000)], max_tokens=32)


def test_the_documented_backend_fails_in_one_line_when_the_server_is_gone(monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    backend = _example_backend()(Settings().llm)
    with pytest.raises(LLMError, match="failed: ConnectError"):
        list(backend.generate([Message("user", "Що нового?")], max_tokens=8))
