"""LLM query rewriting: question + history → one standalone English search query, cached, within a time budget."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
import time
from collections.abc import Callable

from batchrag.llm.base import LLMError
from batchrag.llm.prompts import build_rewrite_completion, build_rewrite_messages
from batchrag.settings import Settings
from batchrag.types import Message


class QueryRewriter:
    """Turns a question (and history) into an English search query, or None with `last_reason` set."""

    name = "none"
    model = ""
    last_reason = ""

    def rewrite(self, question: str, history: list[Message] = ()) -> str | None:
        raise NotImplementedError


_REGISTRY: dict[str, Callable[[Settings], QueryRewriter]] = {}


def register_rewriter(name: str):
    def deco(factory):
        _REGISTRY[name] = factory
        return factory

    return deco


def get_rewriter(name: str, settings: Settings) -> QueryRewriter:
    if name not in _REGISTRY:
        raise ValueError(f"unknown rewriter {name!r}; choose one of {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name](settings)


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
    name = "none"

    def __init__(self, settings: Settings | None = None) -> None:
        pass

    def rewrite(self, question: str, history: list[Message] = ()) -> str | None:
        self.last_reason = "rewriting is off"
        return None


@register_rewriter("none")
def _none(settings: Settings) -> QueryRewriter:
    return NoRewriter(settings)


@register_rewriter("ollama")
def _ollama(settings: Settings) -> QueryRewriter:
    from batchrag.llm.ollama import OllamaBackend

    # The HTTP timeout doubles as the budget so a hung server is dropped, not just abandoned.
    return LLMRewriter(settings, OllamaBackend(settings, timeout_s=settings.rewrite_budget_s))


@register_rewriter("embedded")
def _embedded(settings: Settings) -> QueryRewriter:
    from batchrag.llm.embedded import EmbeddedBackend

    return LLMRewriter(settings, EmbeddedBackend(settings))


def needs_rewrite(question: str, history: list[Message] = ()) -> bool:
    """An English question that opens a conversation is already what the rewrite would produce."""
    from batchrag.retrieve.search import question_language

    return question_language(question) != "en" or any(m.role == "user" for m in history)


def standalone_question(question: str, history: list[Message] = ()) -> str:
    """Without a rewriting model, a follow-up is made standalone by prefixing the previous user question."""
    prev = [m.content.strip() for m in history if m.role == "user" and m.content.strip()]
    return f"{prev[-1]} {question.strip()}" if prev else question.strip()


def _auto_rewriter(settings: Settings) -> tuple[QueryRewriter | None, str]:
    from batchrag.llm.ollama import OllamaBackend

    ollama = OllamaBackend(settings, timeout_s=settings.rewrite_budget_s)
    status = ollama.health()
    if status.ok:
        return get_rewriter("ollama", settings), ""
    if settings.gguf_path:
        return get_rewriter("embedded", settings), ""
    return None, "no rewriting model (Ollama down, only the demo model)"


def rewrite_query(
    question: str,
    history: list[Message] = (),
    settings: Settings | None = None,
    *,
    rewriter: str | None = None,
) -> tuple[str | None, str]:
    """(english_query | None, status) with status "none" | "skipped: <why>" | "<source>" (SPEC §3)."""
    from batchrag.settings import get_settings

    settings = settings or get_settings()
    mode = (settings.rewrite or "auto").lower()
    if rewriter != "none" and mode != "off" and not needs_rewrite(question, history):
        return None, "skipped: English question"
    if rewriter is not None:  # an explicit rewriter name (eval's --rewriter) wins over settings.rewrite
        if rewriter == "none":
            return None, "none"
        rw: QueryRewriter | None = get_rewriter(rewriter, settings)
    elif mode == "off":
        return None, "none"
    elif mode == "on":
        rw = None
        for name in ("ollama", "embedded"):
            if name == "ollama":
                from batchrag.llm.ollama import OllamaBackend

                if not OllamaBackend(settings, timeout_s=settings.rewrite_budget_s).health().ok:
                    continue
            rw = get_rewriter(name, settings)
            break
    else:
        rw, why = _auto_rewriter(settings)
        if rw is None:
            return None, f"skipped: {why}"
    query = rw.rewrite(question, list(history))
    if query is None:
        return None, f"skipped: {rw.last_reason}"
    return query, rw.name
