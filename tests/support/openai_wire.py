"""A real HTTP server on 127.0.0.1 speaking the OpenAI chat-completions format (one JSON object, or server-sent
events when the request streams), scripted replies."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from tests.support.loopback import Loopback, QuietHandler


@dataclass
class ScriptedOpenAI(Loopback):
    reply: str = ""
    models: list[str] = field(default_factory=lambda: ["local"])
    requests: list[dict] = field(default_factory=list)
    url: str = ""  # the base URL, …/v1

    def start(self) -> ScriptedOpenAI:
        script = self

        class Handler(QuietHandler):
            def _events(self, model: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                for delta, finish in (({"role": "assistant", "content": script.reply}, None), ({}, "stop")):
                    chunk = {"id": "x", "object": "chat.completion.chunk", "model": model,
                             "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True

            def do_GET(self):
                self._json(200, {"object": "list", "data": [{"id": m, "object": "model"} for m in script.models]})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                script.requests.append(body)
                if body.get("model") not in script.models:
                    return self._json(404, {"error": {"message": f"model {body.get('model')} not found"}})
                if body.get("stream"):
                    return self._events(body["model"])
                msg = {"role": "assistant", "content": script.reply}
                self._json(200, {"id": "x", "object": "chat.completion", "model": body["model"],
                                 "choices": [{"index": 0, "message": msg, "finish_reason": "stop"}]})

        self.serve(Handler, "/v1")
        return self
