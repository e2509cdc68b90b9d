"""Typed domain objects passed between stages, and the one rule that turns them into JSON."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any


def to_jsonable(value: Any) -> Any:
    """Dataclasses as objects, dates as ISO strings, paths as strings: every `--json`, export and summary.

    A type with a contract of its own (Answer: `ask --json`) says so with its own `to_json`.
    """
    own = getattr(type(value), "to_json", None)
    if own is not None and own is not JsonMixin.to_json:
        return value.to_json()
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    return value


class JsonMixin:
    """`to_json()`: the object as JSON values (to_jsonable)."""

    def to_json(self) -> dict:
        return to_jsonable(self)


@dataclass
class ImageRef(JsonMixin):
    """One picture of a story, as parsed and (optionally) downloaded."""

    url: str
    alt: str = ""
    caption: str = ""
    position: int = 0  # paragraph index in the article text the image precedes
    local_path: str | None = None  # relative to data_dir/images
    width: int | None = None
    height: int | None = None
    error: str | None = None


@dataclass
class ParsedArticle(JsonMixin):
    """A story or letter, as the parser found it (one issue yields several)."""

    url: str  # canonical: issue URL + #anchor, or the standalone page
    title: str
    text: str  # paragraphs separated by "\n"
    section: str = "story"  # letter | story | data-points | article
    issue: int | None = None
    issue_slug: str | None = None  # issue-295, issue-i …
    date: date | None = None
    tags: list[str] = field(default_factory=list)
    images: list[ImageRef] = field(default_factory=list)
    alt_urls: list[str] = field(default_factory=list)
    position: int = 0  # order inside the issue

    def content_hash(self) -> str:
        payload = {
            "title": self.title,
            "text": self.text,
            "section": self.section,
            "issue": self.issue,
            "date": self.date.isoformat() if self.date else None,
            "tags": sorted(self.tags),
            "images": [(i.url, i.alt, i.caption, i.position) for i in self.images],
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()



@dataclass
class ParsedPage:
    """What one fetched page yields: its articles and what could not be split."""

    url: str
    kind: str  # issue | article | listing | unknown
    articles: list[ParsedArticle] = field(default_factory=list)
    issue: int | None = None
    issue_slug: str | None = None
    date: date | None = None
    title: str = ""
    tags: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class StoredArticle:
    """An article as read back from the store (SQLite is the source of truth)."""

    id: int
    url: str
    title: str
    text: str
    section: str
    issue: int | None
    date: date | None
    tags: list[str]
    images: list[ImageRef]
    content_hash: str
    alt_urls: list[str] = field(default_factory=list)


@dataclass
class Passage:
    """A chunk of an article, the unit that is embedded and searched."""

    id: str
    article_id: int
    text: str
    position: int
    title: str
    url: str
    date: date | None
    issue: int | None
    section: str


@dataclass
class Hit(JsonMixin):
    """One retrieved article (its best passage), the unit ranked by search."""

    article_id: int
    url: str
    title: str
    date: date | None
    issue: int | None
    section: str
    text: str  # the best passage's text (what the answer stage quotes)
    score: float
    passage_id: str = ""
    images: list[ImageRef] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)  # per signal: dense, bm25, dense_en …


@dataclass
class ImageHit(JsonMixin):
    """One retrieved picture with the article it belongs to."""

    url: str
    alt: str
    caption: str
    article_id: int
    article_url: str
    article_title: str
    score: float
    local_path: str | None = None  # relative to data_dir/images
    machine_caption: str = ""  # what a vision model wrote about it (`batchrag caption`), "" when none did


@dataclass(frozen=True)
class ArchiveSpan:
    """What time the library covers: its first and newest numbered issues with their own dates, and the newest
    article's date (a standalone post may be newer than the newest issue)."""

    first_issue: int | None = None
    first_date: date | None = None
    last_issue: int | None = None
    last_date: date | None = None
    newest: date | None = None

    @property
    def end(self) -> date | None:
        """The last day the archive has anything from."""
        return max((d for d in (self.last_date, self.newest) if d), default=None)


@dataclass
class SearchResult(JsonMixin):
    """What retrieval returns for a question."""

    hits: list[Hit]
    image_hits: list[ImageHit] = field(default_factory=list)
    searched_query: str = ""
    rewrite: str = "none"  # none | skipped: <why> | <kind>:<model> of the rewriter (docs/contracts.md)
    timings_ms: dict[str, float] = field(default_factory=dict)
    bridge: str = ""  # the lexicon's English words searched beside the question, "" when none (decisions/0014)
    # What the question names that the archive never does (a newer version, a later edition, an unknown name, as
    # the question writes it): retrieve/archive_names.py; the answer refuses (decisions/0019).
    unknown: list[str] = field(default_factory=list)


@dataclass
class Message:
    """One chat turn."""

    role: str  # user | assistant | system
    content: str
    images: tuple[bytes, ...] = ()  # pictures the model is shown with this turn (JPEG bytes; vision models only)


@dataclass
class Source(JsonMixin):
    """A source given to the model; n is its citation number [n]."""

    n: int
    article_id: int
    title: str
    url: str
    date: date | None
    issue: int | None
    snippet: str
    score: float
    cited: bool = False
    relevance: str = ""  # what the reader is told of its closeness to the question (answer/relevance.py), or ""
    picture: str | None = None  # the picture's URL when this source is a picture (its story is article_id/url)


@dataclass
class Answer:
    """A finished answer; `to_json` is `batchrag ask --json` (docs/contracts.md)."""

    answer: str
    sources: list[Source]
    images: list[ImageHit]
    backend: str
    model: str
    language: str
    language_ok: bool
    searched_query: str
    rewrite: str
    warnings: list[str] = field(default_factory=list)
    bridge: str = ""  # as SearchResult.bridge; shown on the page, not part of `ask --json`
    # The answering backend's capabilities (llm/base.py), for the page and the CLI; not part of `ask --json`.
    quotes_only: bool = False  # the text is the sources' own quotes, no model wrote it
    writes_answers: bool = True  # False: quotes, or the packaged demo model
    # The answer says the archive has no answer (then lists the closest stories); not a key of `ask --json`, whose
    # answer starts with the refusal sentence.
    refused: bool = False

    def to_json(self) -> dict:
        """The `ask --json` object, exactly: sources[n-1] is [n] (a picture source adds `picture`); images as
        url/path/alt/article_url."""
        return {
            "answer": self.answer,
            "sources": [
                {k: to_jsonable(getattr(s, k)) for k in ("n", "title", "url", "date", "issue", "cited")}
                | ({"picture": s.picture} if s.picture else {})
                for s in self.sources
            ],
            "images": [
                {"url": i.url, "path": i.local_path, "alt": i.alt, "article_url": i.article_url} for i in self.images
            ],
            "backend": self.backend,
            "model": self.model,
            "language": self.language,
            "language_ok": self.language_ok,
            "searched_query": self.searched_query,
            "rewrite": self.rewrite,
            "warnings": list(self.warnings),
        }
