"""Asking as every front end asks: through the one door (`service.Questions.ask`), the finished answer."""

from __future__ import annotations

from batchrag.domain.types import Answer, Message
from batchrag.service import AskRequest, Assistant, ChatTurn, Questions
from batchrag.settings import Settings


def answer(where: Assistant | Settings, question: str, history: list[Message] = (), **choices: object) -> Answer:
    """The finished answer to `question` after `history`, with a reader's `choices` (AskRequest's fields). `where`
    is the library's settings, or an assistant already loaded (it answers when the reader chose nothing)."""
    door = Questions(where.settings, assistant=where) if isinstance(where, Assistant) else Questions(where)
    turns = [ChatTurn(role=m.role, content=m.content) for m in history]
    return door.ask(AskRequest(question=question, history=turns, **choices)).answer()
