"""The query rewriter interface (one required method, `rewrite`), the stand-in when none rewrites, and what
makes a model's rewrite usable."""

from __future__ import annotations

import re

from batchrag.domain.types import Message


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


class NoRewriter(QueryRewriter):
    """Stands in when no model should rewrite; `last_reason` says why."""

    def __init__(self, reason: str) -> None:
        self.last_reason = reason

    def rewrite(self, question: str, history: list[Message] = ()) -> str | None:
        return None


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
