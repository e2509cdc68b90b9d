"""LLM query rewriting: question + history → one standalone English search query, cached, within a time budget."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
import time
from dataclasses import dataclass

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
    last_cached = False  # the last query came from the cache, no model call
    last_elapsed_s = 0.0  # the last model call's time (0 for a cache hit)

    @property
    def kind(self) -> str:
        """What `rewrite` in ask --json says produced the query (docs/contracts.md)."""
        return self.name

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

    @property
    def kind(self) -> str:
        return self.backend.name  # ollama | embedded | openai, whatever name it was created by

    def __init__(self, settings: Settings, backend) -> None:
        self.settings = settings
        self.backend = backend
        self.name = backend.name  # the registry renames it to what was asked for ("ollama:qwen2.5:1.5b")
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
        key = self.cache.key(f"{self.backend.name}:{self.model}", question, history)
        cached = self.cache.get(key)
        self.last_cached, self.last_elapsed_s = bool(cached), 0.0
        if cached:
            return cached
        box: dict = {}

        def work() -> None:
            try:
                box["out"] = self._call(question, history)
            except (LLMError, Exception) as e:  # any failure just means "no rewrite"
                box["err"] = str(e).splitlines()[0] if str(e) else type(e).__name__
                return
            # Cached even when it came too late for this search (a cold model load): the next ask has it at once.
            late, _ = clean_query(box["out"], question)
            if late is not None:
                self.cache.put(key, late)

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
        self.last_elapsed_s = time.monotonic() - start
        return query


class NoRewriter(QueryRewriter):
    """Stands in when no model should rewrite; `last_reason` says why."""

    def __init__(self, reason: str) -> None:
        self.last_reason = reason

    def rewrite(self, question: str, history: list[Message] = ()) -> str | None:
        return None


def _ollama(settings: Settings, model: str | None = None) -> QueryRewriter:
    from batchrag.llm.ollama import OllamaBackend

    s = settings.model_copy(update={"ollama_model": model}) if model else settings
    # The HTTP timeout doubles as the budget so a hung server is dropped, not just abandoned.
    return LLMRewriter(settings, OllamaBackend(s, timeout_s=settings.rewrite_budget_s))


def _embedded(settings: Settings) -> QueryRewriter:
    return LLMRewriter(settings, BACKENDS.create("embedded", settings))


def _gguf(settings: Settings, path: str) -> QueryRewriter:
    from pathlib import Path

    from batchrag.llm.embedded import EmbeddedBackend

    return LLMRewriter(settings, EmbeddedBackend(settings, path=Path(path).expanduser()))


def _openai(settings: Settings, model: str) -> QueryRewriter:
    s = settings.model_copy(update={"openai_model": model, "ollama_timeout_s": settings.rewrite_budget_s})
    return LLMRewriter(settings, BACKENDS.create("openai", s))


def _pick(settings: Settings, demo_ok: bool) -> QueryRewriter:
    """The LLM backends' own `auto` choice, less the quote-only fallback (and the demo model unless demo_ok)."""
    backend = BACKENDS.create("auto", settings.model_copy(update={"ollama_timeout_s": settings.rewrite_budget_s}))
    if backend.name == "extractive" or (backend.is_demo_model and not demo_ok):
        # The packaged 270M model's translations lower recall (docs/decisions/0003-english-rewrite-weights.md).
        return NoRewriter("no rewriting model (Ollama down, only the demo model)")
    return LLMRewriter(settings, backend)


def _auto(registry, settings: Settings) -> QueryRewriter:
    """settings.rewrite_model when set; else a small model already in Ollama; else a pulled rewriter GGUF; else
    the answer model (docs/models.md)."""
    chosen = settings.rewrite_model.strip()
    if chosen == "none":
        return NoRewriter("rewriting is off (BATCHRAG_REWRITE_MODEL=none)")
    if chosen not in ("", "auto"):
        return registry.create(chosen, settings)
    from batchrag.llm import local_models
    from batchrag.llm.ollama import OllamaBackend
    from batchrag.llm.presets import SMALL_OLLAMA_REWRITERS

    ollama = OllamaBackend(settings, timeout_s=settings.rewrite_budget_s)
    pulled = ollama.pulled()
    for tag in SMALL_OLLAMA_REWRITERS:
        if ollama.has(tag, pulled):
            return _ollama(settings, tag)
    gguf = local_models.for_role(settings, "rewrite")
    if gguf is not None:
        return _gguf(settings, str(gguf))
    return _pick(settings, demo_ok=settings.rewrite == "on")


REWRITERS: Registry[QueryRewriter] = Registry(
    "rewriter",
    {
        "ollama": "batchrag.retrieve.rewrite:_ollama",  # the answer backends themselves
        "embedded": "batchrag.retrieve.rewrite:_embedded",
        "ollama:": "batchrag.retrieve.rewrite:_ollama",  # ollama:<tag>
        "gguf:": "batchrag.retrieve.rewrite:_gguf",  # gguf:<path>
        "openai:": "batchrag.retrieve.rewrite:_openai",  # openai:<model> at settings.openai_base_url
    },
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


@dataclass
class Rewrite:
    """One question's rewrite: the English query (or None), the status for ask --json, and what produced it."""

    query: str | None
    status: str  # none | skipped: <why> | <kind>:<model> that wrote it (ollama:qwen2.5:1.5b, embedded:<file>)
    model: str = ""  # the model that wrote it ("" when none did)
    elapsed_ms: float = 0.0  # the model call (0 for a cache hit)
    cached: bool = False


def rewrite_question(
    question: str, history: list[Message] = (), settings: Settings | None = None, *, rewriter: str | None = None
) -> Rewrite:
    """Rewrite a question for search (docs/contracts.md, `rewrite`).

    `rewriter` (eval's --rewriter: a REWRITERS name) wins over the settings: rewrite (auto | on | off) and
    rewrite_model (auto | none | ollama:<tag> | gguf:<path> | openai:<model>).
    """
    from batchrag.settings import get_settings

    settings = settings or get_settings()
    name = rewriter or ("none" if settings.rewrite == "off" else "auto")
    if name == "none":
        return Rewrite(None, "none")
    if not needs_rewrite(question, history):
        return Rewrite(None, "skipped: English question")
    rw = REWRITERS.create(name, settings)
    if rw is None:
        return Rewrite(None, "none")
    query = rw.rewrite(question, list(history))
    if query is None:
        return Rewrite(None, f"skipped: {rw.last_reason}")
    source = f"{rw.kind}:{rw.model}" if rw.model else rw.kind
    return Rewrite(query, source, rw.model, round(rw.last_elapsed_s * 1000, 1), rw.last_cached)


def rewrite_query(
    question: str,
    history: list[Message] = (),
    settings: Settings | None = None,
    *,
    rewriter: str | None = None,
) -> tuple[str | None, str]:
    """(english_query | None, status): rewrite_question without the provenance."""
    r = rewrite_question(question, history, settings, rewriter=rewriter)
    return r.query, r.status
