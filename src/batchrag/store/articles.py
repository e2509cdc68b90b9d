"""The article store: upsert parsed pages idempotently, read articles back, count them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import IO

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from batchrag.domain.types import ImageRef, ParsedArticle, ParsedPage, StoredArticle
from batchrag.settings import Settings
from batchrag.store import interchange
from batchrag.store.conversations import ConversationStore
from batchrag.store.engine import open_database, put_meta
from batchrag.store.feedback import FeedbackStore
from batchrag.store.files import private_dir, private_sqlite
from batchrag.store.keys import KeyStore
from batchrag.store.locks import LockStore
from batchrag.store.pages import PageCache
from batchrag.store.schema import ArticleRow, ImageRow, IssueRow, Meta, SummaryRow


def _iso(d) -> str | None:
    return d.isoformat() if d else None

class Store(PageCache, KeyStore, LockStore, ConversationStore, FeedbackStore):
    """The article store; every write is one transaction, so a killed process loses nothing committed."""

    def __init__(self, url: str):
        self.url = url
        private_sqlite(url)  # before SQLite makes the file 0644: the library and conversations are the owner's
        self.engine = open_database(url)
        self.Session = sessionmaker(self.engine, expire_on_commit=False)

    # --- meta -----------------------------------------------------------------------
    def schema_version(self) -> int:
        with self.Session() as s:
            return int(s.scalar(select(Meta.value).where(Meta.key == "schema_version")))

    def set_meta(self, key: str, value: str) -> None:
        with self.Session.begin() as s:
            put_meta(s, key, value)

    def get_meta(self, key: str) -> str | None:
        with self.Session() as s:
            return s.scalar(select(Meta.value).where(Meta.key == key))

    # --- writes -------------------------------------------------------------------
    def save_page(self, page: ParsedPage) -> dict[str, int]:
        """Store a parsed page's issue and articles; returns counts of new/updated/unchanged articles."""
        counts = {"new": 0, "updated": 0, "unchanged": 0}
        with self.Session.begin() as s:
            issue_id = None
            if page.kind == "issue" and page.issue_slug:
                issue = s.scalar(select(IssueRow).where(IssueRow.slug == page.issue_slug))
                if issue is None:
                    issue = IssueRow(slug=page.issue_slug, url=page.url)
                    s.add(issue)
                issue.number, issue.url, issue.title = page.issue, page.url, page.title
                issue.date, issue.tags = page.date, json.dumps(page.tags)
                s.flush()
                issue_id = issue.id
            for art in page.articles:
                counts[self._upsert(s, art, issue_id)] += 1
        return counts

    def upsert_article(self, art: ParsedArticle) -> str:
        with self.Session.begin() as s:
            return self._upsert(s, art, None)

    def _upsert(self, s: Session, art: ParsedArticle, issue_id: int | None) -> str:
        h = art.content_hash()
        row = s.scalar(select(ArticleRow).where(ArticleRow.url == art.url))
        if row is None and art.alt_urls:
            row = s.scalar(select(ArticleRow).where(ArticleRow.url.in_(art.alt_urls)))
        if row is not None and row.content_hash == h:
            return "unchanged"
        status = "updated" if row is not None else "new"
        if row is None:
            row = ArticleRow(url=art.url)
            s.add(row)
        row.url = art.url
        row.issue_id = issue_id if issue_id is not None else row.issue_id
        row.issue, row.position, row.section = art.issue, art.position, art.section
        row.title, row.text, row.date = art.title, art.text, art.date
        row.tags, row.alt_urls = json.dumps(art.tags), json.dumps(sorted(set(art.alt_urls)))
        row.content_hash, row.updated_at = h, datetime.now(UTC).replace(tzinfo=None)
        old = {im.url: im for im in row.images}
        row.images = []
        s.flush()
        for im in art.images:
            prev = old.get(im.url)
            row.images.append(
                ImageRow(
                    url=im.url,
                    alt=im.alt,
                    caption=im.caption,
                    position=im.position,
                    local_path=im.local_path or (prev.local_path if prev else None),
                    width=im.width or (prev.width if prev else None),
                    height=im.height or (prev.height if prev else None),
                    error=im.error,
                )
            )
        return status

    def set_image_file(
        self, url: str, local_path: str | None, width: int | None, height: int | None, error: str | None
    ) -> None:
        """Record the download result for every image row with this URL."""
        with self.Session.begin() as s:
            for row in s.scalars(select(ImageRow).where(ImageRow.url == url)):
                row.local_path, row.width, row.height, row.error = local_path, width, height, error

    def images_to_download(self) -> list[str]:
        with self.Session() as s:
            q = select(ImageRow.url).where(ImageRow.local_path.is_(None), ImageRow.error.is_(None)).distinct()
            return list(s.scalars(q))

    def delete_article(self, url: str) -> bool:
        with self.Session.begin() as s:
            row = s.scalar(select(ArticleRow).where(ArticleRow.url == url))
            if row is None:
                return False
            s.delete(row)
            return True

    def add_alt_url(self, article_id: int, alt_url: str) -> bool:
        """Attach another URL of the same story (its standalone page); False when it was already there."""
        with self.Session.begin() as s:
            row = s.get(ArticleRow, article_id)
            alts = set(json.loads(row.alt_urls or "[]")) if row else set()
            if row is None or alt_url in alts or alt_url == row.url:
                return False
            row.alt_urls = json.dumps(sorted(alts | {alt_url}))
            return True

    # --- reads ----------------------------------------------------------------------
    def iter_articles(self) -> Iterator[StoredArticle]:
        with self.Session() as s:
            q = select(ArticleRow).options(selectinload(ArticleRow.images)).order_by(ArticleRow.id)
            for row in s.scalars(q):
                yield _to_stored(row)

    def articles_near(self, day: date | None, days: int, in_issue: bool) -> list[StoredArticle]:
        """Issue articles (in_issue) or standalone ones dated within ±days of day, or undated: twin candidates."""
        in_an_issue = or_(ArticleRow.issue_id.is_not(None), ArticleRow.issue.is_not(None))
        q = select(ArticleRow).options(selectinload(ArticleRow.images)).order_by(ArticleRow.id)
        q = q.where(in_an_issue if in_issue else ~in_an_issue)
        if day is not None:
            window = ArticleRow.date.between(day - timedelta(days=days), day + timedelta(days=days))
            q = q.where(or_(window, ArticleRow.date.is_(None)))
        with self.Session() as s:
            return [_to_stored(row) for row in s.scalars(q)]

    def get_article(self, article_id: int) -> StoredArticle | None:
        with self.Session() as s:
            row = s.get(ArticleRow, article_id, options=[selectinload(ArticleRow.images)])
            return _to_stored(row) if row else None

    def get_article_by_url(self, url: str) -> StoredArticle | None:
        with self.Session() as s:
            q = select(ArticleRow).options(selectinload(ArticleRow.images)).where(ArticleRow.url == url)
            row = s.scalar(q)
            return _to_stored(row) if row else None

    def issue_numbers(self) -> list[int]:
        """Every numbered issue in the store (crawled, or named by imported articles), newest first."""
        with self.Session() as s:
            crawled = set(s.scalars(select(IssueRow.number).where(IssueRow.number.is_not(None))))
            named = set(s.scalars(select(ArticleRow.issue).where(ArticleRow.issue.is_not(None)).distinct()))
            return sorted({int(n) for n in crawled | named}, reverse=True)

    @staticmethod
    def _issue_span(s) -> dict:
        """The first and newest numbered issues (crawled, or named by imported articles) with their own dates: the
        issue page's, else its stories' earliest. Standalone posts may be newer than the newest issue."""
        ends = {}
        for key, pick in (("first_issue", func.min), ("newest_issue", func.max)):
            numbers = [n for n in (s.scalar(select(pick(IssueRow.number))), s.scalar(select(pick(ArticleRow.issue))))
                       if n is not None]
            n = (min if pick is func.min else max)(numbers, default=None)
            day = None
            if n is not None:
                day = s.scalar(select(IssueRow.date).where(IssueRow.number == n, IssueRow.date.is_not(None)).limit(1))
                day = day or s.scalar(select(func.min(ArticleRow.date)).where(ArticleRow.issue == n))
            ends[key], ends[f"{key}_date"] = n, _iso(day)
        return ends

    def issue_info(self, number: int) -> dict | None:
        """{'number', 'slug', 'url', 'title', 'date'} of a numbered issue, None when it is not stored."""
        with self.Session() as s:
            row = s.scalar(select(IssueRow).where(IssueRow.number == number).order_by(IssueRow.id))
            if row is not None:
                return {"number": row.number, "slug": row.slug, "url": row.url, "title": row.title, "date": row.date}
            art = s.scalar(select(ArticleRow).where(ArticleRow.issue == number).order_by(ArticleRow.position))
            if art is None:
                return None
            return {"number": number, "slug": f"issue-{number}", "url": art.url.split("#", 1)[0], "title": "",
                    "date": art.date}

    def issue_articles(self, number: int) -> list[StoredArticle]:
        """The letter and stories of an issue in page order."""
        issue_ids = select(IssueRow.id).where(IssueRow.number == number).scalar_subquery()
        q = (select(ArticleRow).options(selectinload(ArticleRow.images))
             .where(or_(ArticleRow.issue_id.in_(issue_ids), ArticleRow.issue == number))
             .order_by(ArticleRow.position, ArticleRow.id))
        with self.Session() as s:
            return [_to_stored(row) for row in s.scalars(q)]

    # --- model summaries (a cache: summaries) -------------------------------------------
    def get_summary(self, key: str) -> str | None:
        with self.Session() as s:
            return s.scalar(select(SummaryRow.text).where(SummaryRow.key == key))

    def put_summary(self, key: str, text: str, *, kind: str, model: str, prompt_version: str,
                    article_id: int | None = None) -> None:
        with self.Session.begin() as s:
            s.merge(SummaryRow(key=key, kind=kind, model=model, prompt_version=prompt_version, text=text,
                               article_id=article_id))

    def captions(self) -> dict[str, str]:
        """Picture file sha256 -> its newest machine-written caption (summaries of kind "caption")."""
        q = select(SummaryRow.key, SummaryRow.text).where(SummaryRow.kind == "caption").order_by(SummaryRow.created_at)
        with self.Session() as s:
            return {key.split(":")[1]: text for key, text in s.execute(q) if text}

    def article_hashes(self) -> dict[int, str]:
        with self.Session() as s:
            return dict(s.execute(select(ArticleRow.id, ArticleRow.content_hash)).all())

    def stats(self) -> dict:
        with self.Session() as s:
            return {
                "issues": s.scalar(select(func.count(IssueRow.id))),
                "articles": s.scalar(select(func.count(ArticleRow.id))),
                "images": s.scalar(select(func.count(ImageRow.id))),
                "images_downloaded": s.scalar(select(func.count(ImageRow.id)).where(ImageRow.local_path.is_not(None))),
                **self._issue_span(s),
                "newest_date": _iso(s.scalar(select(func.max(ArticleRow.date)))),
                "last_crawl": self.get_meta("last_crawl"),
            }

    # --- export / import (the format is interchange's) --------------------------------
    def export_jsonl(self, fp: IO[str]) -> int:
        return interchange.write_jsonl(self.iter_articles(), fp)

    def import_jsonl(self, lines: Iterable[str]) -> dict[str, int]:
        batch, errors = interchange.read_jsonl(lines)
        counts: dict = {"new": 0, "updated": 0, "unchanged": 0, "failed": len(errors)}
        if errors:
            counts["errors"] = errors
        with self.Session.begin() as s:
            for art in batch:
                counts[self._upsert(s, art, None)] += 1
        return counts


def _to_stored(row: ArticleRow) -> StoredArticle:
    return StoredArticle(
        id=row.id,
        url=row.url,
        title=row.title,
        text=row.text,
        section=row.section,
        issue=row.issue,
        date=row.date,
        tags=json.loads(row.tags or "[]"),
        images=[
            ImageRef(url=i.url, alt=i.alt, caption=i.caption, position=i.position, local_path=i.local_path,
                     width=i.width, height=i.height, error=i.error)
            for i in row.images
        ],
        content_hash=row.content_hash,
        alt_urls=json.loads(row.alt_urls or "[]"),
    )


def open_store(settings: Settings) -> Store:
    s = settings
    private_dir(s.store.data_dir)  # 0700: conversations and the library are the owner's alone
    return Store(s.store.db_url)
