"""Typed domain objects passed between stages."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date


@dataclass
class ImageRef:
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
class ParsedArticle:
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

    def to_json(self) -> dict:
        d = asdict(self)
        d["date"] = self.date.isoformat() if self.date else None
        return d


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
