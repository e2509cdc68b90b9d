"""The JSON a library gives for fixed questions (CLI, HTTP API, the page, export), timings removed: diff two runs.

A refactor that promises "behaviour unchanged" runs this before and after on the same library and compares the
files byte for byte (`cmp before.json after.json`). Answers come from the quote-only backend, which is
deterministic; clocks (`*_ms`, `seconds`, dates of the last crawl) are blanked.

    BATCHRAG_DATA_DIR=/tmp/demo batchrag demo
    BATCHRAG_DATA_DIR=/tmp/demo python bench/behaviour_snapshot.py > before.json
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

QUESTIONS = [
    "Що нового у відкритих моделях?",
    "What did the letter say about open-weight models?",
    "Покажи картинку з роботом",
    "Хто виграв чемпіонат світу з футболу 1966 року?",
    "Що The Batch писав про малі моделі з довгим контекстом?",
]
CLOCKS = ("_ms", "seconds", "last_crawl", "last_update", "elapsed", "created", "checked_at")
RANDOM_IDS = ("answer_id", "conversation_id")  # a kept answer's ids are random: whether there is one is compared


def scrub(value):
    """The value with every clock reading, and every random id, replaced by a fixed marker."""
    if isinstance(value, dict):
        return {k: ("<clock>" if any(k.endswith(c) for c in CLOCKS) else
                    "<id>" if k in RANDOM_IDS and v is not None else scrub(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def cli(*args: str) -> object:
    exe = Path(sys.executable).with_name("batchrag")
    out = subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=600)
    text = out.stdout.strip()
    try:
        return scrub(json.loads(text))
    except json.JSONDecodeError:
        return {"rc": out.returncode, "stdout": text[-2000:], "stderr": out.stderr.strip()[-500:]}


def api() -> dict:
    from fastapi.testclient import TestClient

    from batchrag.api.routes import create_app

    got: dict = {}
    with TestClient(create_app(), base_url="http://127.0.0.1") as client:  # a Host the server answers
        for q in QUESTIONS:
            got[f"search {q}"] = scrub(client.get("/search", params={"q": q}).json())
            got[f"search images {q}"] = scrub(client.get("/search", params={"q": q, "images": True}).json())
            got[f"ask {q}"] = scrub(client.post("/ask", json={"question": q, "stream": False}).json())
        chat = {"model": "batchrag", "messages": [{"role": "user", "content": QUESTIONS[0]}]}
        body = client.post("/v1/chat/completions", json=chat).json()
        body.pop("id", None)
        body.pop("created", None)
        got["openai"] = scrub(body)
        got["library"] = scrub(client.get("/library").json())
        got["bad k"] = client.get("/search", params={"q": "x", "k": 0}).json()
    return got


def page() -> dict:
    """The page's answer to the first three questions, asked in one session as a reader would (Streamlit's AppTest,
    the page bound to 127.0.0.1 as `batchrag serve` binds it)."""
    from streamlit import config
    from streamlit.testing.v1 import AppTest

    from batchrag.domain.types import to_jsonable
    from batchrag.ui.page import APP_PATH

    config.set_option("server.address", "127.0.0.1", where_defined="bench/behaviour_snapshot.py")
    at = AppTest.from_file(str(APP_PATH), default_timeout=600).run()
    got: dict = {}
    for q in QUESTIONS[:3]:
        at.chat_input[0].set_value(q).run()
        turn = at.session_state["turns"][-1]
        shown = {"answer": turn.answer.to_json() if turn.answer else None, "error": turn.error,
                 "notice": turn.notice, "images": to_jsonable(turn.images), "passages": turn.passages}
        got[f"page {q}"] = scrub(json.loads(json.dumps(shown, ensure_ascii=False, default=str)))
    return got


def main() -> None:
    os.environ["BATCHRAG_LLM_BACKEND"] = "extractive"
    snap: dict = {}
    for q in QUESTIONS:
        snap[f"ask {q}"] = cli("ask", q, "--json")
        snap[f"search {q}"] = cli("search", q, "--json")
        snap[f"search images {q}"] = cli("search", q, "--images", "--json")
    snap["ask empty"] = cli("ask", "   ", "--json")
    snap["stats"] = cli("stats")
    exe = Path(sys.executable).with_name("batchrag")
    export = subprocess.run([str(exe), "export"], capture_output=True, text=True, timeout=600).stdout
    snap["export"] = [scrub(json.loads(line)) for line in export.splitlines() if line.strip()]
    snap["api"] = api()
    snap["page"] = page()
    json.dump(snap, sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
