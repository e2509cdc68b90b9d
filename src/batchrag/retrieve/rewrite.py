"""LLM query rewriting: question + history → one standalone English search query, cached, within a time budget."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
import time

from batchrag.llm.base import BACKENDS, LLMError
from batchrag.llm.prompts import build_rewrite_completion, build_rewrite_messages
from batchrag.registry import Registry
from batchrag.retrieve.query import is_follow_up, question_language
from batchrag.settings import Settings
from batchrag.types import Message


class QueryRewriter:
    """Turns a question (and history) into an English search query, or None with `last_reason` set."""

    name = "none"
    model = ""
    last_reason = ""

    def rewrite(self, question: str, history: list[Message] = ()) -> str | None:
        raise NotImplementedError


def clean_query(text: str, question: str) -> tuple[str | None, str]:
    """Validate a model's output: one English line, not empty, not too long. Returns (query | None, reason)."""
    line = next((ln.strip() for ln in text.strip().splitlines() if ln.strip()), "")
    line = (
        re.sub(r"^(english( search)? query|query|english)\s*:\s*", "", line, flags=re.I)
        .strip()
        .strip("\"'“”«»")
    )
    if not line:
        return None, "empty rewrite"
    letters = [c for c in line if c.isalpha()]
    if not letters or sum(c.isascii() for c in letters) / len(letters) < 0.8:
        return None, "rewrite is not English"
    if len(line) > max(300, 3 * len(question)):
        return None, "rewrite too long"
    return line, ""


class _Cache:
    """SQLite table of finished rewrites keyed by model + question + history."""

    def __init__(self, settings: Settings) -> None:
        d = settings.cache_dir
        d.mkdir(parents=True, exist_ok=True)
        self.path = d / "rewrites.db"
        with sqlite3.connect(self.path) as db:
            db.execute("CREATE TABLE IF NOT EXISTS rewrites (key TEXT PRIMARY KEY, query TEXT NOT NULL)")

    @staticmethod
    def key(model: str, question: str, history: list[Message]) -> str:
        h = json.dumps([[m.role, m.content] for m in history], ensure_ascii=False)
        return hashlib.sha256(f"{model}\x00{question.strip()}\x00{h}".encode()).hexdigest()

    def get(self, key: str) -> str | None:
        with sqlite3.connect(self.path) as db:
            row = db.execute("SELECT query FROM rewrites WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def put(self, key: str, query: str) -> None:
        with sqlite3.connect(self.path) as db:
            db.execute("INSERT OR REPLACE INTO rewrites VALUES (?, ?)", (key, query))


class LLMRewriter(QueryRewriter):
    """Rewrites with an LLM backend; chat prompt for real models, few-shot completion for the small demo one."""

    def __init__(self, settings: Settings, backend) -> None:
        self.settings = settings
        self.backend = backend
        self.name = backend.name
        self.model = backend.model
        self.budget_s = settings.rewrite_budget_s
        self.cache = _Cache(settings)

    def _call(self, question: str, history: list[Message]) -> str:
        if getattr(self.backend, "is_demo_model", False):
            return self.backend.complete(
                build_rewrite_completion(question, history), max_tokens=48, stop=["\n"]
            )
        msgs = build_rewrite_messages(question, history)
        return "".join(self.backend.generate(msgs, max_tokens=64, temperature=0.0))

    def rewrite(self, question: str, history: list[Message] = ()) -> str | None:
        history = list(history)
        key = self.cache.key(f"{self.name}:{self.model}", question, history)
        cached = self.cache.get(key)
        if cached:
            return cached
        box: dict = {}

        def work() -> None:
            try:
                box["out"] = self._call(question, history)
            except (LLMError, Exception) as e:  # any failure just means "no rewrite"
                box["err"] = str(e).splitlines()[0] if str(e) else type(e).__name__

        # A daemon thread enforces the budget: a slow model must not hold up retrieval.
        t = threading.Thread(target=work, daemon=True)
        start = time.monotonic()
        t.start()
        t.join(self.budget_s)
        if t.is_alive():
            self.last_reason = f"rewrite over budget ({self.budget_s:g} s)"
            return None
        if "err" in box:
            self.last_reason = box["err"]
            return None
        query, why = clean_query(box.get("out", ""), question)
        if query is None:
            self.last_reason = why
            return None
        self.cache.put(key, query)
        self.last_elapsed_s = time.monotonic() - start
        return query


class NoRewriter(QueryRewriter):
    """Stands in when no model should rewrite; `last_reason` says why."""

    def __init__(self, reason: str) -> None:
        self.last_reason = reason

    def rewrite(self, question: str, history: list[Message] = ()) -> str | None:
        return None


def _ollama(settings: Settings) -> QueryRewriter:
    from batchrag.llm.ollama import OllamaBackend

    # The HTTP timeout doubles as the budget so a hung server is dropped, not just abandoned.
    return LLMRewriter(settings, OllamaBackend(settings, timeout_s=settings.rewrite_budget_s))


def _embedded(settings: Settings) -> QueryRewriter:
    return LLMRewriter(settings, BACKENDS.create("embedded", settings))


def _pick(settings: Settings, demo_ok: bool) -> QueryRewriter:
    """The LLM backends' own `auto` choice, less the quote-only fallback (and the demo model unless demo_ok)."""
    backend = BACKENDS.create("auto", settings.model_copy(update={"ollama_timeout_s": settings.rewrite_budget_s}))
    if backend.name == "extractive" or (backend.is_demo_model and not demo_ok):
        # The packaged 270M model's translations lower recall (docs/decisions/0003-english-rewrite-weights.md).
        return NoRewriter("no rewriting model (Ollama down, only the demo model)")
    return LLMRewriter(settings, backend)


def _auto(_registry, settings: Settings) -> QueryRewriter:
    return _pick(settings, demo_ok=settings.rewrite == "on")


REWRITERS: Registry[QueryRewriter] = Registry(
    "rewriter",
    {"ollama": "batchrag.retrieve.rewrite:_ollama", "embedded": "batchrag.retrieve.rewrite:_embedded"},
    group="batchrag.rewriters",
    none=True,
    auto=_auto,
)


def needs_rewrite(question: str, history: list[Message] = ()) -> bool:
    """An English question that opens a conversation is already what the rewrite would produce."""
    return question_language(question) != "en" or any(m.role == "user" for m in history)


def standalone_question(question: str, history: list[Message] = ()) -> str:
    """Without a rewriting model, a follow-up (query.is_follow_up) is prefixed with the previous user question;
    a question that stands alone is searched as it is."""
    prev = [m.content.strip() for m in history if m.role == "user" and m.content.strip()]
    return f"{prev[-1]} {question.strip()}" if prev and is_follow_up(question) else question.strip()


def rewrite_query(
    question: str,
    history: list[Message] = (),
    settings: Settings | None = None,
    *,
    rewriter: str | None = None,
) -> tuple[str | None, str]:
    """(english_query | None, status) with status "none" | "skipped: <why>" | "<source>" (docs/contracts.md).

    `rewriter` (eval's --rewriter: none | auto | ollama | embedded) wins over settings.rewrite (auto | on | off).
    """
    from batchrag.settings import get_settings

    settings = settings or get_settings()
    name = rewriter or ("none" if settings.rewrite == "off" else "auto")
    if name == "none":
        return None, "none"
    if not needs_rewrite(question, history):
        return None, "skipped: English question"
    rw = REWRITERS.create(name, settings)
    query = rw.rewrite(question, list(history))
    if query is None:
        return None, f"skipped: {rw.last_reason}"
    return query, rw.name
