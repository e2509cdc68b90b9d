"""The one rule for a reader's question: whitespace tidied, empty refused, a long one cut at a word."""

from __future__ import annotations

from dataclasses import dataclass

from batchrag.domain.errors import BatchragError


class AnswerError(BatchragError, ValueError):
    """Bad input to the answer stage (one line, user-facing)."""


class EmptyQuestion(AnswerError):
    """The question has no words."""


@dataclass(frozen=True)
class Question:
    """The question as it will be asked, and how long the reader's one was when it had to be cut."""

    text: str
    trimmed_from: int | None = None  # characters of the original question, when it was cut


def prepare_question(raw: str | None, max_chars: int) -> Question:
    """Collapse whitespace, refuse an empty question, cut one over `max_chars` at a word boundary when near."""
    q = " ".join((raw or "").split())
    if not q:
        raise EmptyQuestion("the question is empty — ask something, e.g. «Що нового в Llama 3?»")
    if len(q) <= max_chars:
        return Question(q)
    cut = q[:max_chars]
    space = cut.rfind(" ")
    if space > max_chars * 0.8:  # the model should not see half a word
        cut = cut[:space]
    return Question(cut, trimmed_from=len(q))
