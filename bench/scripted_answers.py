"""A check of the answer metrics and the gate: an Ollama-format server on loopback that answers every question with
its file's `answer_hint` (Ukrainian, cited [1]) or the refusal, measured by `eval --answers` (JSON).

usage: BATCHRAG_DATA_DIR=DATA python bench/scripted_answers.py QUESTIONS.jsonl [--per-question FILE]
A right metric gives language_ok 1, citations_valid 1, hint_overlap 1, refused 1 and gated 0 for such answers;
cited_relevant then equals the share whose first source is relevant. Anything else is a fault of the metric or a
false alarm of the gate (docs/decisions/0009-answer-gate.md).
"""

from __future__ import annotations

import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from batchrag.evaluate.answers import run_answers
from batchrag.evaluate.run import load_questions
from batchrag.llm.prompts import NOT_FOUND_UK
from batchrag.settings import get_settings


def serve(replies: dict[str, str]) -> ThreadingHTTPServer:
    """Answer /api/chat with the reply of the first known question found in the prompt."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def _send(self, obj: dict) -> None:
            data = (json.dumps(obj, ensure_ascii=False) + "\n").encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            self._send({"models": [{"name": "scripted", "model": "scripted"}]})

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            prompt = body["messages"][-1]["content"]
            text = next((r for q, r in replies.items() if q in prompt), NOT_FOUND_UK)
            self._send({"model": "scripted", "message": {"role": "assistant", "content": text}, "done": True})

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("questions", type=Path)
    ap.add_argument("--per-question", type=Path)
    args = ap.parse_args()
    qs = load_questions(args.questions)
    replies = {q["question"]: (f"{q['answer_hint']} [1]" if q["relevant"] else NOT_FOUND_UK) for q in qs}
    srv = serve(replies)
    s = get_settings().with_changes(**{
        "ollama_host": f"http://127.0.0.1:{srv.server_address[1]}", "ollama_model": "scripted", "rewrite": "off",
    })
    out = args.per_question.open("w", encoding="utf-8") if args.per_question else None
    try:
        res = run_answers(qs, s, backend="ollama",
                          on_answer=(lambda row: out.write(json.dumps(row, ensure_ascii=False) + "\n")) if out else None)
    finally:
        srv.shutdown()
        if out:
            out.close()
    print(json.dumps(res, ensure_ascii=False))


if __name__ == "__main__":
    main()
