"""Readers' feedback on kept answers: 👍 / 👎, a reason from a short list, free text and the story that answered.

One rating an answer, its owner's alone to give (the conversation's rule: another key's answer is not found, a
revoked key's is nobody's to rate), replaced when rated again and deleted with its conversation. What the ratings
become — the readers' eval set and the admins' summary — is service/feedback_export.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from batchrag.domain.site import is_issue_url
from batchrag.domain.types import JsonMixin
from batchrag.service import feedback_export
from batchrag.service.conversations import ConversationNotFound, ConversationProblem, checked_id
from batchrag.settings import Settings
from batchrag.store import open_store

RATINGS = ("up", "down")
# Stable codes (the store, the API, the export) → what the reader reads.
REASONS = {"wrong_source": "не те джерело", "incomplete": "неповна відповідь", "bad_quote": "помилка в цитаті",
           "other": "інше"}
TEXT_CHARS = 2000  # a reader's comment: a paragraph, not a document
URL_CHARS = 1024  # the store's column
_BARE_HOST = re.compile(r"(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?/", re.IGNORECASE)


class FeedbackProblem(ConversationProblem):
    """A rating that cannot be kept (an unknown rating or reason, a link that is no story of the archive): one
    Ukrainian line (the API's 400)."""


@dataclass
class Feedback(JsonMixin):
    """An answer's rating as kept: `reason` a code of REASONS (None: none given), `story` the archive story's URL."""

    answer_id: str
    rating: str
    reason: str | None
    text: str
    story: str | None
    rated_at: datetime  # UTC

    @property
    def reason_label(self) -> str:
        return REASONS.get(self.reason or "", "")

    def to_json(self) -> dict:
        return {"answer_id": self.answer_id, "rating": self.rating, "reason": self.reason,
                "reason_label": self.reason_label or None, "text": self.text, "story": self.story,
                "rated_at": self.rated_at.isoformat()}


def _feedback(d: dict) -> Feedback:
    return Feedback(answer_id=d["answer_id"], rating=d["rating"], reason=d["reason"], text=d["text"] or "",
                    story=d["story_url"], rated_at=d["rated_at"])


def checked_rating(rating: str | None) -> str:
    r = (rating or "").strip().lower()
    if r not in RATINGS:
        raise FeedbackProblem(f"Оцінка має бути «up» (👍) або «down» (👎), а не «{(rating or '')[:20]}».")
    return r


def checked_reason(reason: str | None) -> str | None:
    code = (reason or "").strip()
    if not code:
        return None
    if code in REASONS:
        return code
    by_label = {label: c for c, label in REASONS.items()}  # the Ukrainian words work too
    if code.casefold() in by_label:
        return by_label[code.casefold()]
    listed = ", ".join(f"{c} («{label}»)" for c, label in REASONS.items())
    raise FeedbackProblem(f"Невідома причина «{code[:40]}»: одна з {listed}.")


def checked_text(text: str | None) -> str:
    t = (text or "").strip()
    if len(t) > TEXT_CHARS:
        raise FeedbackProblem(f"Коментар задовгий: {len(t)} знаків, можна до {TEXT_CHARS}.")
    return t


class FeedbackBook:
    """The ratings of one library's store; `owner` (an API key's identity, `Caller.owner`; None: everyone's) limits
    every call to that owner's answers, as Conversations does."""

    def __init__(self, settings: Settings, store=None) -> None:
        self.settings = settings
        self._opened = store  # opened on first use, once

    def store(self):
        if self._opened is None:
            self._opened = open_store(self.settings)
        return self._opened

    def story(self, link: str | None) -> dict | None:
        """The archive story a pasted link names ({id, url, title, issue, section}); None for no link; one
        Ukrainian line (FeedbackProblem) for a link that is no URL or no story this library holds."""
        link = (link or "").strip()
        if not link:
            return None
        if _BARE_HOST.match(link):  # copied from an address bar that hides the scheme: deeplearning.ai/the-batch/…
            link = "https://" + link
        parts = urlsplit(link) if len(link) <= URL_CHARS else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc or " " in link:
            raise FeedbackProblem(f"«{link[:60]}» — не посилання на статтю: вставте адресу історії архіву The Batch "
                                  "(https://…).")
        found = self.store().story_by_url(link)
        if found is None and is_issue_url(link) and not parts.fragment:
            raise FeedbackProblem("Це посилання на весь випуск, а не на одну історію: відкрийте історію у випуску й "
                                  "скопіюйте її посилання (з «#…» у кінці).")
        if found is None:
            raise FeedbackProblem(f"Статті за посиланням {link[:120]} у бібліотеці немає: вкажіть історію з архіву "
                                  "The Batch.")
        return found

    def rate(self, answer_id: str, owner: str | None, rating: str, *, reason: str | None = None, text: str = "",
             story: str | None = None) -> Feedback:
        """Keep (or replace) the rating of an answer of this owner's; ConversationNotFound for another's or an
        unknown one, FeedbackProblem for bad input (nothing is written then)."""
        answer_id = checked_id(answer_id, "відповіді")
        rating, reason, text = checked_rating(rating), checked_reason(reason), checked_text(text)
        found = self.story(story)
        kept = self.store().put_feedback(answer_id, owner, rating, reason, text, found["url"] if found else None)
        if kept is None:
            raise ConversationNotFound(f"Відповіді {answer_id} немає: її видалили або посилання хибне.")
        return _feedback(kept)

    def get(self, answer_id: str, owner: str | None = None) -> Feedback | None:
        """An answer's rating, None when it has none; ConversationNotFound when the answer is not the owner's."""
        answer_id = checked_id(answer_id, "відповіді")
        if self.store().turn(answer_id, owner) is None:
            raise ConversationNotFound(f"Відповіді {answer_id} немає: її видалили або посилання хибне.")
        found = self.store().feedback_of(answer_id, owner)
        return _feedback(found) if found else None

    def export(self, since: date | datetime | None = None) -> dict:
        """The readers' eval set: {"questions", "to_label", "counts"} (service/feedback_export.py)."""
        return feedback_export.export_rows(self.store(), since)

    def summary(self, since: date | datetime | None = None) -> dict:
        """For admins: the share of 👍 by ISO week and the newest 👎 with their query and sources."""
        return feedback_export.summary(self.store(), since)
