"""Conversations' rows: a turn written whole when its answer finishes, read back as it was shown (a Store mixin)."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, date, datetime

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from batchrag.domain.types import Answer, ImageHit, Source, to_jsonable
from batchrag.store.schema import ApiKeyRow, ConversationRow, FeedbackRow, TurnRow

WRITE_TRIES = 3  # two writers appending to one conversation at once: the loser takes the next position


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _plain(value):
    # A numpy score (float32) is no JSON number: written as the Python number it equals.
    return value.item() if hasattr(value, "item") else str(value)


def answer_record(a: Answer) -> str:
    """Every field of the Answer as JSON (not `ask --json`, which leaves out the snippets and the article ids)."""
    return json.dumps({f.name: to_jsonable(getattr(a, f.name)) for f in fields(a)}, ensure_ascii=False,
                      default=_plain)


def _known(cls, d: dict) -> dict:
    # A field a later version added (or dropped) does not make an older turn unreadable.
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in d.items() if k in names}


def answer_from_record(text: str) -> Answer:
    """The Answer `answer_record` wrote, equal to it."""
    d = _known(Answer, json.loads(text))
    sources = [Source(**(_known(Source, s) | {"date": date.fromisoformat(s["date"]) if s.get("date") else None}))
               for s in d.get("sources", [])]
    images = [ImageHit(**_known(ImageHit, i)) for i in d.get("images", [])]
    return Answer(**(d | {"sources": sources, "images": images}))


def _conversation(row: ConversationRow, turns: int = 0) -> dict:
    return {"id": row.id, "title": row.title, "owner": row.owner, "created_at": row.created_at,
            "updated_at": row.updated_at, "turn_count": turns}


def _turn(row: TurnRow, title: str = "") -> dict:
    return {"id": row.id, "conversation_id": row.conversation_id, "position": row.position,
            "question": row.question, "answer": answer_from_record(row.answer_json), "backend": row.backend,
            "model": row.model, "query": row.query, "passages": json.loads(row.passages or "[]"),
            "timings_ms": json.loads(row.timings or "{}"),
            "created_at": row.created_at, "conversation_title": title}


class ConversationStore:
    """Store's conversation methods; `owner` None reads every conversation, an identity only that owner's, and
    `orphans` (an admin's reach) adds those whose key is revoked (`orphaned`)."""

    Session: sessionmaker[Session]

    def add_conversation(self, conversation_id: str, title: str, owner: str | None = None) -> None:
        with self.Session.begin() as s:
            s.add(ConversationRow(id=conversation_id, title=title, owner=owner))

    def add_turn(self, turn_id: str, conversation_id: str, question: str, answer: Answer,
                 timings_ms: dict[str, float] | None = None, passages: list[dict] | None = None,
                 title: str = "") -> dict | None:
        """Append a turn in one transaction; None when the conversation is gone (deleted meanwhile). `passages`:
        [{n, article_id, text}], the text each source gave the answer; `title` names a conversation that has none."""
        for attempt in range(WRITE_TRIES):
            try:
                with self.Session.begin() as s:
                    conv = s.get(ConversationRow, conversation_id)
                    if conv is None:
                        return None
                    last = s.scalar(select(func.max(TurnRow.position)).where(TurnRow.conversation_id == conv.id))
                    row = TurnRow(id=turn_id, conversation_id=conv.id, position=(last or 0) + 1, question=question,
                                  answer=answer.answer, answer_json=answer_record(answer), backend=answer.backend,
                                  model=answer.model, query=answer.searched_query,
                                  passages=json.dumps(passages or [], ensure_ascii=False),
                                  timings=json.dumps(timings_ms or {}, default=_plain))
                    s.add(row)
                    conv.updated_at = row.created_at = _now()
                    conv.title = conv.title or title
                    return _turn(row, conv.title)
            except IntegrityError:
                if attempt == WRITE_TRIES - 1:
                    raise
        return None

    def conversations(self, owner: str | None = None, limit: int | None = None, orphans: bool = False) -> list[dict]:
        """The conversations, the most recently continued first, each with its number of turns; `orphans`: only
        those whose key is revoked (whatever `owner`)."""
        counts = select(TurnRow.conversation_id, func.count().label("n")).group_by(TurnRow.conversation_id).subquery()
        q = (select(ConversationRow, func.coalesce(counts.c.n, 0))
             .outerjoin(counts, counts.c.conversation_id == ConversationRow.id)
             .order_by(ConversationRow.updated_at.desc(), ConversationRow.id))
        if orphans:
            q = q.where(orphaned())
        elif owner is not None:
            q = q.where(ConversationRow.owner == owner)
        with self.Session() as s:
            return [_conversation(row, n) for row, n in s.execute(q.limit(limit))]

    def conversation(self, conversation_id: str, owner: str | None = None, with_turns: bool = True,
                     orphans: bool = False) -> dict | None:
        """A conversation with its turns in order ("turns", empty unless with_turns), None when there is none (or
        not the owner's, nor an orphan where `orphans`)."""
        with self.Session() as s:
            row = s.scalar(select(ConversationRow).where(*_mine(conversation_id, owner, orphans)))
            if row is None:
                return None
            if not with_turns:
                n = s.scalar(select(func.count()).select_from(TurnRow).where(TurnRow.conversation_id == row.id))
                return _conversation(row, n) | {"turns": []}
            turns = s.scalars(select(TurnRow).where(TurnRow.conversation_id == row.id).order_by(TurnRow.position))
            out = [_turn(t, row.title) for t in turns]
            return _conversation(row, len(out)) | {"turns": out}

    def turn(self, turn_id: str, owner: str | None = None, orphans: bool = False) -> dict | None:
        """One answer by its id, None when there is none (or not the owner's, nor an orphan's where `orphans`)."""
        with self.Session() as s:
            found = s.execute(select(TurnRow, ConversationRow).join(ConversationRow)
                              .where(TurnRow.id == turn_id, *_reach(owner, orphans)))
            pair = found.first()
            if pair is None:
                return None
            return _turn(pair[0], pair[1].title)

    def rename_conversation(self, conversation_id: str, title: str, owner: str | None = None) -> bool:
        with self.Session.begin() as s:
            return s.execute(update(ConversationRow).where(*_mine(conversation_id, owner))
                             .values(title=title)).rowcount > 0

    def delete_conversation(self, conversation_id: str, owner: str | None = None, orphans: bool = False) -> bool:
        with self.Session.begin() as s:
            mine = _mine(conversation_id, owner, orphans)
            if s.scalar(select(func.count()).select_from(ConversationRow).where(*mine)) == 0:
                return False
            # The ratings and turns first: an SQLite opened without foreign keys would not cascade.
            _forget_feedback(s, [conversation_id])
            s.execute(delete(TurnRow).where(TurnRow.conversation_id == conversation_id))
            s.execute(delete(ConversationRow).where(ConversationRow.id == conversation_id))
            return True

    def delete_all_conversations(self, owner: str | None = None) -> int:
        """Delete every conversation (only the owner's, when given); returns how many."""
        with self.Session.begin() as s:
            ids = select(ConversationRow.id)
            if owner is not None:
                ids = ids.where(ConversationRow.owner == owner)
            _forget_feedback(s, ids)
            s.execute(delete(TurnRow).where(TurnRow.conversation_id.in_(ids)))
            gone = delete(ConversationRow)
            return s.execute(gone.where(ConversationRow.owner == owner) if owner is not None else gone).rowcount


def _forget_feedback(s: Session, conversation_ids) -> None:
    """Delete the ratings of these conversations' answers (a reader's words go with the conversation)."""
    turns = select(TurnRow.id).where(TurnRow.conversation_id.in_(conversation_ids))
    s.execute(delete(FeedbackRow).where(FeedbackRow.turn_id.in_(turns)))


def orphaned():
    """A conversation whose key is revoked: its owner is a key identity that no live key holds. Not the page's and
    the CLI's (no owner), nor a shared owner in brackets (the page's "(password)", no key's letters)."""
    live = select(func.coalesce(ApiKeyRow.owner_id, ApiKeyRow.name))  # no identity yet: its name (store/keys.py)
    return and_(ConversationRow.owner.is_not(None), ConversationRow.owner.not_like("(%"),
                ConversationRow.owner.not_in(live))


def _reach(owner: str | None, orphans: bool = False) -> list:
    """What a caller may read: everything (owner None), the owner's, and with `orphans` the orphaned too."""
    if owner is None:
        return []
    return [or_(ConversationRow.owner == owner, orphaned())] if orphans else [ConversationRow.owner == owner]


def _mine(conversation_id: str, owner: str | None, orphans: bool = False) -> list:
    return [ConversationRow.id == conversation_id, *_reach(owner, orphans)]
