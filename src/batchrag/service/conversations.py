"""Conversations kept in the store: each finished answer a turn, to reopen, continue, share, export or delete."""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Iterable, Iterator

from batchrag.domain.errors import BatchragError
from batchrag.domain.types import Answer, Message, SearchResult
from batchrag.service import conversation_export
from batchrag.service.conversation_types import Conversation, KeptTurn
from batchrag.settings import Settings
from batchrag.store import open_store

ID_BYTES = 9  # token_urlsafe(9): 12 characters, 72 random bits: a share link nobody guesses
_ID = re.compile(r"[A-Za-z0-9_-]{12}")
TITLE_CHARS = 80  # a title from the first question is cut here (the sidebar shows one line)

log = logging.getLogger(__name__)


class ConversationProblem(BatchragError):
    """A conversation request that cannot be done (an empty title, an unknown export format): one Ukrainian line."""


class ConversationNotFound(ConversationProblem):
    """An unknown, malformed or another owner's conversation or answer id: one Ukrainian line (the API's 404)."""


def new_id() -> str:
    # Never "-" first: `batchrag conversations show -Xy…` and `batchrag feedback -Xy… up` would read it as an option.
    while (i := secrets.token_urlsafe(ID_BYTES)).startswith("-"):
        pass
    return i


def title_of(question: str) -> str:
    """A conversation's title from its first question: one line, at most TITLE_CHARS."""
    line = " ".join((question or "").split())
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1].rstrip() + "…"


def checked_id(value: str | None, what: str = "розмови") -> str:
    """The id as given, or ConversationNotFound when it cannot be one (so a bad link never reaches the database)."""
    v = (value or "").strip()
    if not _ID.fullmatch(v):
        raise ConversationNotFound(f"Невірний ідентифікатор {what}: «{v[:40]}» (очікується 12 знаків A–Z, a–z, 0–9, "
                                   "_ або -).")
    return v


def passages_of(answer: Answer, result: SearchResult | None) -> list[dict]:
    """Each source's passage as the search found it (the snippet shown is cut to 300 characters)."""
    texts: dict[int, str] = {}
    for h in result.hits if result else []:
        texts.setdefault(h.article_id, h.text)
    return [{"n": s.n, "article_id": s.article_id, "text": texts.get(s.article_id, s.snippet)} for s in answer.sources]


def _turn(d: dict) -> KeptTurn:
    return KeptTurn(**d)


def _conversation(d: dict) -> Conversation:
    return Conversation(**(d | {"turns": [_turn(t) for t in d.get("turns", [])]}))


class Conversations:
    """The conversations of one library's store; `owner` (an API key's identity, `Caller.owner`) limits every call to
    that owner's. `orphans=True` (for an admin) also reaches a revoked key's: read, export, delete, never continue."""

    def __init__(self, settings: Settings, store=None) -> None:
        self.settings = settings
        self._opened = store  # opened on first use, once (one engine for the life of the process)

    def _store(self):
        if self._opened is None:
            self._opened = open_store(self.settings)
        return self._opened

    @property
    def enabled(self) -> bool:
        """Whether history is kept (setting store.keep_history): off, nothing is written."""
        return self.settings.store.keep_history

    def start(self, title: str = "", owner: str | None = None) -> str | None:
        """A new, empty conversation's id; None while history is off."""
        if not self.enabled:
            return None
        cid = new_id()
        self._store().add_conversation(cid, title_of(title), owner)
        return cid

    def add_turn(self, conversation_id: str | None, question: str, answer: Answer, *,
                 result: SearchResult | None = None, timings_ms: dict[str, float] | None = None,
                 owner: str | None = None) -> KeptTurn | None:
        """Write a finished answer as the next turn (a new conversation, titled by the question, when
        conversation_id is None); `result`, the search it answered, gives its sources' whole passages. None while
        history is off."""
        if not self.enabled:
            return None
        if conversation_id is None:
            conversation_id = self.start(question, owner)
        else:
            self.get(conversation_id, owner, turns=False)  # raises for another owner's or an unknown one
        row = self._store().add_turn(new_id(), conversation_id, question, answer, timings_ms,
                                     passages_of(answer, result), title_of(question))
        if row is None:
            raise ConversationNotFound(f"Розмову {conversation_id} видалено, поки писалася відповідь.")
        return _turn(row)

    def record(self, conversation_id: str | None, question: str, stream: Iterable[str | Answer], *,
               result: SearchResult | None = None, timings_ms: dict[str, float] | None = None,
               owner: str | None = None) -> Recording:
        """The answer's stream passed through; its turn is written as the Answer arrives (`Recording.turn`)."""
        return Recording(self, conversation_id, question, stream,
                         {"result": result, "timings_ms": dict(timings_ms or {}), "owner": owner})

    def list(self, owner: str | None = None, limit: int | None = None, *, orphans: bool = False) -> list[Conversation]:
        """Conversations without their turns, the most recently continued first; `orphans`: only the revoked keys'."""
        return [_conversation(d) for d in self._store().conversations(owner, limit, orphans)]

    def get(self, conversation_id: str, owner: str | None = None, *, turns: bool = True,
            orphans: bool = False) -> Conversation:
        """A conversation with its turns; ConversationNotFound for an unknown, malformed or another owner's id."""
        d = self._store().conversation(checked_id(conversation_id), owner, turns, orphans)
        if d is None:
            raise ConversationNotFound(f"Розмови {conversation_id.strip()} немає.")
        return _conversation(d)

    def answer(self, answer_id: str, owner: str | None = None, *, orphans: bool = False) -> KeptTurn:
        """One answer by its id (a share link); ConversationNotFound when there is none (or not the owner's)."""
        d = self._store().turn(checked_id(answer_id, "відповіді"), owner, orphans)
        if d is None:
            raise ConversationNotFound(f"Відповіді {answer_id.strip()} немає: її видалили або посилання хибне.")
        return _turn(d)

    def find(self, some_id: str, owner: str | None = None, *, orphans: bool = False) -> Conversation:
        """A conversation by its id, or one answer by its id as a conversation of that one turn (for exports)."""
        some_id = checked_id(some_id, "розмови чи відповіді")
        try:
            return self.get(some_id, owner, orphans=orphans)
        except ConversationNotFound:
            turn = self._store().turn(some_id, owner, orphans)
            if turn is None:
                raise ConversationNotFound(f"Немає ні розмови, ні відповіді {some_id}.") from None
        conv = self.get(turn["conversation_id"], owner, turns=False, orphans=orphans)
        conv.turns, conv.turn_count = [_turn(turn)], 1
        return conv

    def export(self, some_id: str, fmt: str = "md", owner: str | None = None, *, orphans: bool = False) -> str:
        """A conversation, or one answer, as Markdown (`md`) or one self-contained HTML page (`html`)."""
        if fmt not in conversation_export.FORMATS:
            raise ConversationProblem(f"Невідомий формат {fmt!r}: {' або '.join(conversation_export.FORMATS)}.")
        return conversation_export.export(self.find(some_id, owner, orphans=orphans), fmt, self.settings.store.images_dir)

    def rename(self, conversation_id: str, title: str, owner: str | None = None) -> Conversation:
        name = " ".join((title or "").split())[:200]
        if not name:
            raise ConversationProblem("Назва розмови порожня.")
        if not self._store().rename_conversation(checked_id(conversation_id), name, owner):
            raise ConversationNotFound(f"Розмови {conversation_id.strip()} немає.")
        return self.get(conversation_id, owner, turns=False)

    def delete(self, conversation_id: str, owner: str | None = None, *, orphans: bool = False) -> None:
        if not self._store().delete_conversation(checked_id(conversation_id), owner, orphans):
            raise ConversationNotFound(f"Розмови {conversation_id.strip()} немає.")

    def delete_all(self, owner: str | None = None) -> int:
        """Delete every conversation (only the owner's, when given); returns how many."""
        return self._store().delete_all_conversations(owner)

    def history_of(self, conversation_id: str, owner: str | None = None, last: int | None = None) -> list[Message]:
        """The conversation as chat messages (question, answer text) for a follow-up: its `last` turns, or all."""
        turns = self.get(conversation_id, owner).turns
        out: list[Message] = []
        for t in turns[-last:] if last else turns:
            out += [Message("user", t.question), Message("assistant", t.answer.answer)]
        return out


class Recording:
    """Iterate it as the stream it wraps (text pieces, then the Answer); the turn is written before the Answer is
    passed on, so a reader who stops there has it. `timings_ms` gains first_piece and total: milliseconds from
    the start of the iteration. A turn that cannot be written leaves `turn` None and says why in `error`."""

    def __init__(self, conversations: Conversations, conversation_id: str | None, question: str,
                 stream: Iterable[str | Answer], context: dict) -> None:
        self._c, self._question, self._stream = conversations, question, stream
        self._result, self._owner = context["result"], context["owner"]
        self.conversation_id, self.timings_ms = conversation_id, context["timings_ms"]
        self.turn: KeptTurn | None = None
        self.error: str | None = None

    def __iter__(self) -> Iterator[str | Answer]:
        t0 = time.perf_counter()
        for item in self._stream:
            ms = round((time.perf_counter() - t0) * 1000, 1)
            self.timings_ms.setdefault("first_piece", ms)
            if isinstance(item, Answer):
                self.timings_ms["total"] = ms
                self._keep(item)
            yield item

    def _keep(self, answer: Answer) -> None:
        try:
            self.turn = self._c.add_turn(self.conversation_id, self._question, answer, result=self._result,
                                         timings_ms=self.timings_ms, owner=self._owner)
        except Exception as exc:  # the reader's answer matters more than its history: shown, even when not kept
            log.warning("the answer was not kept in the conversation: %s", exc)
            self.error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return
        self.conversation_id = self.turn.conversation_id if self.turn else self.conversation_id
