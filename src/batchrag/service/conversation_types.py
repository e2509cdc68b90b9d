"""What a kept conversation is: its turns (each a question and its answer as shown) and the conversation itself.

Apart from `conversations.py` (which keeps them) so that `conversation_export.py` reads them without importing it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from batchrag.domain.types import Answer, JsonMixin, to_jsonable


@dataclass
class KeptTurn(JsonMixin):
    """One question and its answer as shown; `id` is the answer's id (its share link `/?answer=<id>`)."""

    id: str
    conversation_id: str
    position: int  # 1, 2, … in its conversation
    question: str
    answer: Answer
    backend: str
    model: str
    query: str  # the searched query
    passages: list[dict]  # [{n, article_id, text}]: the passage each source gave the answer
    timings_ms: dict[str, float]
    created_at: datetime  # UTC
    conversation_title: str = ""

    def passage(self, n: int) -> str:
        """The text source [n] gave the answer: its passage, or its snippet when the search was not at hand."""
        given = next((p["text"] for p in self.passages if p.get("n") == n and p.get("text")), None)
        return given or next((s.snippet for s in self.answer.sources if s.n == n), "")

    def to_json(self) -> dict:
        """`answer` is the `ask --json` object; `passages` the text each source gave the answer (docs/contracts.md)."""
        out = {k: to_jsonable(getattr(self, k)) for k in ("id", "conversation_id", "position", "question",
                                                          "backend", "model", "query", "timings_ms", "created_at")}
        passages = [{"n": s.n, "article_id": s.article_id, "text": self.passage(s.n)} for s in self.answer.sources]
        return out | {"answer": self.answer.to_json(), "passages": passages}


@dataclass
class Conversation(JsonMixin):
    """A conversation: its turns in order (empty in a listing, where `turn_count` says how many)."""

    id: str
    title: str
    owner: str | None
    created_at: datetime  # UTC
    updated_at: datetime  # UTC: when its last turn was written
    turn_count: int = 0
    turns: list[KeptTurn] = field(default_factory=list)
