"""An issue's digest: every story with its picture, link and a Ukrainian summary (a capable model's, cached) or
its English lead."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from batchrag.answer.checked import CheckedWriter, Sources
from batchrag.answer.citations import strip_markup
from batchrag.domain.errors import BatchragError
from batchrag.domain.types import JsonMixin, StoredArticle
from batchrag.llm.base import LLMBackend
from batchrag.llm.prompts import DIGEST_PROMPT_VERSION, build_digest_messages
from batchrag.llm.registry import get_backend
from batchrag.settings import Settings
from batchrag.store import open_store

log = logging.getLogger(__name__)

SEEN_KEY = "digest_seen_issue"  # store meta: the newest issue whose digest the reader opened
LEAD_SENTENCES = 2
MAX_SUMMARY_SENTENCES = 3
_SENTENCE = re.compile(r"(?<=[.!?…])\s+(?=[\"“«(]?[A-ZА-ЯІЇЄҐ0-9])")


class DigestError(BatchragError):
    """No digest can be made (no such issue, an empty library)."""


@dataclass
class DigestPicture(JsonMixin):
    """A story's picture: its URL, and the downloaded file when there is one (absolute path)."""

    url: str
    alt: str = ""
    path: str | None = None


@dataclass
class DigestStory(JsonMixin):
    """One story (or the letter) of the issue, as the digest shows it."""

    article_id: int
    title: str
    section: str
    date: date | None
    url: str
    summary: str
    summary_kind: str  # model (a capable model's Ukrainian summary) | lead (the story's own first sentences)
    summary_language: str  # uk | en
    picture: DigestPicture | None = None
    model: str = ""  # who wrote the summary ("" for a lead)
    cached: bool = False


@dataclass
class Digest(JsonMixin):
    """An issue in the reader's language: its stories in page order."""

    issue: int
    date: date | None
    title: str
    url: str
    stories: list[DigestStory] = field(default_factory=list)
    model: str = ""  # the model that wrote the summaries, "" when they are leads
    notes: list[str] = field(default_factory=list)  # why summaries are leads, what failed

    @property
    def summarised(self) -> int:
        return sum(s.summary_kind == "model" for s in self.stories)


def sentences(text: str) -> list[str]:
    flat = " ".join(text.split())
    return [s for s in _SENTENCE.split(flat) if s]


def lead_of(text: str, n: int = LEAD_SENTENCES, max_chars: int = 420) -> str:
    """The story's first n sentences (its own words, English), cut to max_chars at a word."""
    text = re.sub(r"^\s*Dear friends,\s*", "", text)  # every letter opens so: the lead is what follows
    out = " ".join(sentences(text)[:n])
    return out if len(out) <= max_chars else out[:max_chars].rsplit(" ", 1)[0] + "…"


def tidy_summary(text: str) -> str:
    """The model's reply as a summary: markup stripped, one paragraph, at most three sentences."""
    text = strip_markup(text)[0].strip().strip("\"«»").strip()
    return " ".join(sentences(text)[:MAX_SUMMARY_SENTENCES])


def picture_of(art: StoredArticle, images_dir: Path) -> DigestPicture | None:
    """The story's first picture; its file when it was downloaded."""
    for im in sorted(art.images, key=lambda i: i.position):
        if im.error and not im.local_path:
            continue
        path = images_dir / im.local_path if im.local_path else None
        return DigestPicture(im.url, im.alt, str(path) if path and path.is_file() else None)
    return None


class Digester:
    """Builds digests from the store; summaries by a capable model, each written once and kept in the store."""

    def __init__(self, settings: Settings, *, backend: LLMBackend | None = None):
        self.settings = settings
        self._backend = backend
        self.llm_calls = 0

    @property
    def store(self):
        if getattr(self, "_store", None) is None:
            self._store = open_store(self.settings)
        return self._store

    @property
    def backend(self) -> LLMBackend:
        if self._backend is None:
            self._backend = get_backend(self.settings)
        return self._backend

    # -- which issues ----------------------------------------------------------------
    def issues(self) -> list[int]:
        """Numbered issues, newest first."""
        return self.store.issue_numbers()

    def new_issue(self) -> int | None:
        """The newest issue when its digest was never opened (after a crawl brought it), else None."""
        numbers = self.issues()
        if not numbers:
            return None
        seen = self.store.get_meta(SEEN_KEY)
        return numbers[0] if not (seen and seen.isdigit() and int(seen) >= numbers[0]) else None

    def mark_seen(self, issue: int) -> None:
        seen = self.store.get_meta(SEEN_KEY)
        if not (seen and seen.isdigit() and int(seen) >= issue):
            self.store.set_meta(SEEN_KEY, str(issue))

    # -- one digest ------------------------------------------------------------------
    def digest(self, issue: int | None = None, *, summarise: bool = True, ask: bool = True) -> Digest:
        """The digest of `issue` (default: the newest); `summarise=False` shows leads without asking a model,
        `ask=False` shows the summaries already kept and a lead for the rest (never waits on a model)."""
        numbers = self.issues()
        if not numbers:
            raise DigestError("the library has no numbered issue yet: run `batchrag crawl` (or `batchrag demo`)")
        number = numbers[0] if issue is None else issue
        info = self.store.issue_info(number)
        arts = self.store.issue_articles(number) if info else []
        if not arts:
            raise DigestError(f"issue {number} is not in the library (issues {numbers[-1]}–{numbers[0]} are)")
        d = Digest(number, info["date"], info["title"], info["url"])
        writer = self._writer(d) if summarise else None
        for art in arts:
            d.stories.append(self._story(art, writer, d, ask))
        if d.summarised:
            d.model = writer
        return d

    def _writer(self, d: Digest) -> str | None:
        """The model that may write summaries ("backend:model"), or None (with the reason in d.notes)."""
        try:
            backend = self.backend
        except BatchragError as exc:
            d.notes.append(f"no model: {exc}")
            return None
        if not backend.writes_answers:
            why = "no language model runs" if backend.quotes_only else "the demo model"
            d.notes.append(f"summaries are the stories' English leads: {why} (a capable model writes Ukrainian ones)")
            return None
        return f"{backend.name}:{backend.model}"

    def _story(self, art: StoredArticle, writer: str | None, d: Digest, ask: bool = True) -> DigestStory:
        story = DigestStory(
            art.id, art.title, art.section, art.date, art.url, lead_of(art.text), "lead", "en",
            picture=picture_of(art, self.settings.store.images_dir),
        )
        if writer is None:
            return story
        key = f"digest:{art.id}:{art.content_hash[:16]}:{writer}:{DIGEST_PROMPT_VERSION}"
        text = self.store.get_summary(key)
        story.cached = text is not None
        if text is None:
            if not ask:
                return story
            text = self._write(art, d)
            if text is None:  # the model failed: no summary kept, the next digest asks again
                return story
            self.store.put_summary(key, text, kind="digest", model=writer, prompt_version=DIGEST_PROMPT_VERSION,
                                   article_id=art.id)
        if text:  # "" is a kept gate failure: the lead stays, and the model is not asked again
            story.summary, story.summary_kind, story.summary_language, story.model = text, "model", "uk", writer
        return story

    def _write(self, art: StoredArticle, d: Digest) -> str | None:
        """The model's summary if it passes the gate, "" when it does not, None when the model failed."""
        if any(n.startswith("model failed") for n in d.notes):
            return None  # one failure per digest is enough waiting
        self.llm_calls += 1
        # No quotes instead of a failed summary: the story's own lead is the fallback, and the caller shows it.
        written = CheckedWriter(self.settings, self.backend).write_all(
            build_digest_messages(art.title, art.text), Sources(art.text, 1, need_citation=False),
            max_tokens=220, temperature=self.settings.llm.temperature, tidy=tidy_summary,
        )
        if written.error is not None:
            d.notes.append(f"model failed: {written.error}")
            return None
        if written.reasons:  # the gate refuses an empty text, so a summary that passes has a sentence
            d.notes.append(f"«{art.title}»: the lead is shown ({'; '.join(written.reasons)})")
            return ""
        return written.text
