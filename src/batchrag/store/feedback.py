"""Readers' ratings of kept answers: one row a turn, replaced when rated again (a Store mixin)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from batchrag.store.schema import ArticleRow, ConversationRow, FeedbackRow, TurnRow


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def url_forms(url: str) -> list[str]:
    """The spellings one story's address takes (http or https, with or without www. and the closing slash), so a
    link pasted from a browser finds the stored article. The fragment stays: it names a story within its issue's page
    (`…/issue-290/#letter`); a query (`?utm_source=…`) is no part of a story's address."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower()
    bare = host.removeprefix("www.")
    path = parts.path.rstrip("/")
    return sorted({urlunsplit((scheme, h, p, "", parts.fragment)) for scheme in ("https", "http") for h in (bare, "www." + bare)
                   for p in (path, path + "/")})


def _row(f: FeedbackRow) -> dict:
    return {"answer_id": f.turn_id, "rating": f.rating, "reason": f.reason, "text": f.text,
            "story_url": f.story_url, "rated_at": f.rated_at}


class FeedbackStore:
    """Store's feedback methods; `owner` None reaches every answer, an identity only that owner's (as turns do)."""

    Session: sessionmaker[Session]

    def story_by_url(self, url: str) -> dict | None:
        """The stored article at this address (or one of its other addresses): {id, url, title, issue, section}."""
        forms = url_forms(url)
        with self.Session() as s:
            row = s.scalar(select(ArticleRow).where(ArticleRow.url.in_(forms)).limit(1))
            if row is None:  # an address the article was also found at (alt_urls, a JSON list of strings)
                like = [ArticleRow.alt_urls.contains(json.dumps(f)) for f in forms]
                row = s.scalar(select(ArticleRow).where(or_(*like)).limit(1))
            if row is None:
                return None
            return {"id": row.id, "url": row.url, "title": row.title, "issue": row.issue, "section": row.section}

    def put_feedback(self, turn_id: str, owner: str | None, rating: str, reason: str | None, text: str,
                     story_url: str | None) -> dict | None:
        """Rate an answer (replacing its rating); None when there is no such answer of this owner's."""
        with self.Session.begin() as s:
            q = select(TurnRow.id).join(ConversationRow).where(TurnRow.id == turn_id)
            if owner is not None:
                q = q.where(ConversationRow.owner == owner)
            if s.scalar(q) is None:
                return None
            row = s.get(FeedbackRow, turn_id) or FeedbackRow(turn_id=turn_id)
            row.rating, row.reason, row.text, row.story_url, row.rated_at = rating, reason, text, story_url, _now()
            s.add(row)
            s.flush()
            return _row(row)

    def feedback_of(self, turn_id: str, owner: str | None = None) -> dict | None:
        """An answer's rating, None when it has none (or is not the owner's)."""
        q = select(FeedbackRow).join(TurnRow).join(ConversationRow).where(FeedbackRow.turn_id == turn_id)
        if owner is not None:
            q = q.where(ConversationRow.owner == owner)
        with self.Session() as s:
            row = s.scalar(q)
            return _row(row) if row else None

    def rated_turns(self, since: datetime | None = None) -> list[dict]:
        """Every rating with its turn's question, searched query and answer (JSON), the newest first: no owner."""
        q = (select(FeedbackRow, TurnRow.question, TurnRow.query, TurnRow.answer_json)
             .join(TurnRow, TurnRow.id == FeedbackRow.turn_id)
             .order_by(FeedbackRow.rated_at.desc(), FeedbackRow.turn_id))
        if since is not None:
            q = q.where(FeedbackRow.rated_at >= since)
        with self.Session() as s:
            return [_row(f) | {"question": question, "query": query, "answer_json": answer}
                    for f, question, query, answer in s.execute(q)]
