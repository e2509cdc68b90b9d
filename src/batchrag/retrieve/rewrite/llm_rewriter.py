"""The LLM rewriter: question + history → one standalone English search query, cached, within a time budget."""

from __future__ import annotations

import threading
import time

from batchrag.domain.types import Message
from batchrag.llm.base import LLMError
from batchrag.llm.prompts import build_rewrite_completion, build_rewrite_messages
from batchrag.retrieve.rewrite.base import QueryRewriter, clean_query
from batchrag.retrieve.rewrite.rewrite_cache import RewriteCache
from batchrag.settings import Settings


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
        self.budget_s = settings.retrieve.rewrite_budget_s
        self.cache = RewriteCache(settings)

    def _call(self, question: str, history: list[Message]) -> str:
        if not self.backend.writes_answers:  # the small demo model: a few-shot completion, not a chat
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
