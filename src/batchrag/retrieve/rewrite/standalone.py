"""A question made ready for search: whether it needs an English rewrite, the rewrite with its provenance, and
the follow-up prefix when no model rewrites."""

from __future__ import annotations

from dataclasses import dataclass

from batchrag.domain.types import Message
from batchrag.retrieve.query import is_follow_up, question_language
from batchrag.retrieve.rewrite.registry import REWRITERS
from batchrag.settings import Settings


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
    question: str, history: list[Message], settings: Settings, *, rewriter: str | None = None
) -> Rewrite:
    """Rewrite a question for search (docs/contracts.md, `rewrite`).

    `rewriter` (eval's --rewriter: a REWRITERS name) wins over the settings: rewrite (auto | on | off) and
    rewrite_model (auto | none | ollama:<tag> | gguf:<path> | openai:<model>).
    """
    name = rewriter or ("none" if settings.retrieve.rewrite == "off" else "auto")
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
    history: list[Message],
    settings: Settings,
    *,
    rewriter: str | None = None,
) -> tuple[str | None, str]:
    """(english_query | None, status): rewrite_question without the provenance."""
    r = rewrite_question(question, history, settings, rewriter=rewriter)
    return r.query, r.status
