"""The JSONL interchange format: one article per line, written by export, read by import and the corpus files."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import IO

from batchrag.domain.site import LETTER, STORY, is_issue_url, slugify
from batchrag.domain.types import ImageRef, ParsedArticle, StoredArticle, to_jsonable

# What a line holds (docs/contracts.md#export-and-import): the store's own ids, hashes and file paths stay out.
ARTICLE_KEYS = ("issue", "date", "url", "section", "title", "text", "tags", "alt_urls")
IMAGE_KEYS = ("url", "alt", "caption", "position", "width", "height")


def write_jsonl(articles: Iterable[StoredArticle], fp: IO[str]) -> int:
    """Write one JSON line per article; returns how many."""
    n = 0
    for a in articles:
        rec = {k: to_jsonable(getattr(a, k)) for k in ARTICLE_KEYS}
        rec["images"] = [{k: getattr(i, k) for k in IMAGE_KEYS} for i in a.images]
        fp.write(json.dumps(rec, ensure_ascii=False) + "\n")
        n += 1
    return n


def read_jsonl(lines: Iterable[str]) -> tuple[list[ParsedArticle], list[str]]:
    """The articles of the lines, and a message for each line that is not one."""
    articles: list[ParsedArticle] = []
    errors: list[str] = []
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            articles.append(article_from_json(json.loads(line)))
        except (ValueError, KeyError, TypeError) as exc:
            errors.append(f"line {lineno}: {exc}")
    return articles, errors


def article_from_json(rec: dict) -> ParsedArticle:
    """Build a ParsedArticle from an export/corpus JSON line (docs/contracts.md#export-and-import)."""
    if not rec.get("url") or not rec.get("title"):
        raise ValueError("a record needs url and title")
    images = [
        ImageRef(url=i["url"], alt=i.get("alt") or "", caption=i.get("caption") or "",
                 position=int(i.get("position") or 0), width=i.get("width"), height=i.get("height"))
        for i in rec.get("images") or []
    ]
    issue = rec.get("issue")
    url = rec["url"]
    section = rec.get("section") or STORY
    # Corpus files give the issue page as every story's URL; the story's anchor makes it unique.
    if "#" not in url and is_issue_url(url):
        url = f"{url}#{LETTER if section == LETTER else slugify(rec['title'])}"
    return ParsedArticle(
        url=url,
        title=rec["title"],
        text=rec.get("text") or "",
        section=section,
        issue=int(issue) if issue is not None else None,
        issue_slug=f"issue-{issue}" if issue is not None else None,
        date=_parse_date(rec.get("date")),
        tags=list(rec.get("tags") or []),
        images=images,
        alt_urls=list(rec.get("alt_urls") or []),
    )


def _parse_date(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
