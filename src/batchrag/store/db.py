"""Store: open/migrate the database, upsert articles idempotently, read them back, export/import JSONL."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO

from sqlalchemy import create_engine, event, func, inspect, select, text
from sqlalchemy.orm import Session, selectinload, sessionmaker

from batchrag.settings import Settings, get_settings
from batchrag.store.models import SCHEMA_VERSION, ArticleRow, Base, ImageRow, IssueRow, Meta, PageRow
from batchrag.types import ImageRef, ParsedArticle, ParsedPage, StoredArticle


class StoreError(RuntimeError):
    """A database problem explained for a person."""


@dataclass
class CachedPage:
    url: str
    status: int
    etag: str | None
    last_modified: str | None
    body: bytes | None
    fetched_at: datetime
    parsed_ok: bool


# Columns added after version 1 go here as (version, table, column, DDL type) so old databases migrate in place.
MIGRATIONS: list[tuple[int, str, str, str]] = []


def _parse_date(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


class Store:
    """The article store; every write is one transaction, so a killed process loses nothing committed."""

    def __init__(self, url: str, data_dir: Path | None = None):
        self.url = url
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.engine = create_engine(url, future=True)
            if url.startswith("sqlite"):
                event.listen(self.engine, "connect", _sqlite_pragmas)
            Base.metadata.create_all(self.engine)
            self._migrate()
        except Exception as exc:
            raise StoreError(f"cannot open the article database {url}: {exc}") from exc
        self.Session = sessionmaker(self.engine, expire_on_commit=False)

    # --- schema -------------------------------------------------------------------
    def _migrate(self) -> None:
        with self.engine.begin() as conn:
            row = conn.execute(select(Meta.value).where(Meta.key == "schema_version")).first()
            current = int(row[0]) if row else SCHEMA_VERSION
            insp = inspect(conn)
            for version, table, column, ddl in MIGRATIONS:
                if version > current and column not in {c["name"] for c in insp.get_columns(table)}:
                    conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {ddl}"))
            conn.execute(Meta.__table__.delete().where(Meta.key == "schema_version"))
            conn.execute(Meta.__table__.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))

    def schema_version(self) -> int:
        with self.Session() as s:
            return int(s.scalar(select(Meta.value).where(Meta.key == "schema_version")))

    def set_meta(self, key: str, value: str) -> None:
        with self.Session.begin() as s:
            s.merge(Meta(key=key, value=value))

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

    # --- page cache -----------------------------------------------------------------
    def cache_page(
        self,
        url: str,
        body: bytes | None,
        status: int = 200,
        etag: str | None = None,
        last_modified: str | None = None,
        parsed_ok: bool = False,
        error: str | None = None,
    ) -> None:
        with self.Session.begin() as s:
            row = s.get(PageRow, url) or PageRow(url=url)
            row.status, row.etag, row.last_modified = status, etag, last_modified
            if body is not None:
                row.body_gz = gzip.compress(body)
                row.body_hash = hashlib.sha256(body).hexdigest()
            row.fetched_at, row.parsed_ok, row.error = datetime.now(UTC).replace(tzinfo=None), int(parsed_ok), error
            s.merge(row)

    def get_page(self, url: str) -> CachedPage | None:
        with self.Session() as s:
            row = s.get(PageRow, url)
            if row is None:
                return None
            body = gzip.decompress(row.body_gz) if row.body_gz else None
            return CachedPage(row.url, row.status, row.etag, row.last_modified, body, row.fetched_at, bool(row.parsed_ok))

    def page_states(self) -> dict[str, tuple[bool, datetime]]:
        """url -> (parsed_ok, fetched_at) of every cached page with a body, without loading bodies."""
        with self.Session() as s:
            q = select(PageRow.url, PageRow.parsed_ok, PageRow.fetched_at).where(PageRow.body_gz.is_not(None))
            return {u: (bool(ok), t) for u, ok, t in s.execute(q)}

    def find_article_by_title(
        self, title: str, day: date | None, days: int = 7, section: str | None = None
    ) -> StoredArticle | None:
        """A stored article whose title (or its part before ':') is this one's, dated within ±days: a duplicate."""
        def norm(t: str) -> str:
            return " ".join(re.sub(r"[^\w]+", " ", unicodedata.normalize("NFKC", t).lower()).split())

        wanted = {norm(title), norm(title.split(":", 1)[0])} - {""}
        with self.Session() as s:
            q = select(ArticleRow).options(selectinload(ArticleRow.images)).order_by(ArticleRow.id)
            if day is not None:
                q = q.where(ArticleRow.date.between(date.fromordinal(day.toordinal() - days),
                                                     date.fromordinal(day.toordinal() + days)))
            if section is not None:
                q = q.where(ArticleRow.section == section)
            for row in s.scalars(q):
                if norm(row.title) in wanted or norm(row.title.split(":", 1)[0]) in wanted:
                    return _to_stored(row)
        return None

    def add_alt_url(self, article_id: int, alt_url: str) -> bool:
        """Attach another URL of the same story (its standalone page); False when it was already there."""
        with self.Session.begin() as s:
            row = s.get(ArticleRow, article_id)
            alts = set(json.loads(row.alt_urls or "[]")) if row else set()
            if row is None or alt_url in alts or alt_url == row.url:
                return False
            row.alt_urls = json.dumps(sorted(alts | {alt_url}))
            return True

    def cached_urls(self) -> list[str]:
        with self.Session() as s:
            return list(s.scalars(select(PageRow.url).where(PageRow.body_gz.is_not(None))))

    # --- reads ----------------------------------------------------------------------
    def iter_articles(self) -> Iterator[StoredArticle]:
        with self.Session() as s:
            q = select(ArticleRow).options(selectinload(ArticleRow.images)).order_by(ArticleRow.id)
            for row in s.scalars(q):
                yield _to_stored(row)

    def get_article(self, article_id: int) -> StoredArticle | None:
        with self.Session() as s:
            row = s.get(ArticleRow, article_id, options=[selectinload(ArticleRow.images)])
            return _to_stored(row) if row else None

    def get_article_by_url(self, url: str) -> StoredArticle | None:
        with self.Session() as s:
            q = select(ArticleRow).options(selectinload(ArticleRow.images)).where(ArticleRow.url == url)
            row = s.scalar(q)
            return _to_stored(row) if row else None

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
                "newest_issue": s.scalar(select(func.max(IssueRow.number))),
                "newest_date": (d.isoformat() if (d := s.scalar(select(func.max(ArticleRow.date)))) else None),
                "last_crawl": self.get_meta("last_crawl"),
            }

    # --- export / import ----------------------------------------------------------
    def export_jsonl(self, fp: IO[str]) -> int:
        n = 0
        for a in self.iter_articles():
            rec = {
                "issue": a.issue,
                "date": a.date.isoformat() if a.date else None,
                "url": a.url,
                "section": a.section,
                "title": a.title,
                "text": a.text,
                "tags": a.tags,
                "alt_urls": a.alt_urls,
                "images": [
                    {"url": i.url, "alt": i.alt, "caption": i.caption, "position": i.position,
                     "width": i.width, "height": i.height}
                    for i in a.images
                ],
            }
            fp.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
        return n

    def import_jsonl(self, lines: Iterable[str]) -> dict[str, int]:
        counts = {"new": 0, "updated": 0, "unchanged": 0, "failed": 0}
        batch: list[ParsedArticle] = []
        for lineno, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                batch.append(article_from_json(json.loads(line)))
            except (ValueError, KeyError, TypeError) as exc:
                counts["failed"] += 1
                counts.setdefault("errors", []).append(f"line {lineno}: {exc}")  # type: ignore[union-attr]
        with self.Session.begin() as s:
            for art in batch:
                counts[self._upsert(s, art, None)] += 1
        return counts


def article_from_json(rec: dict) -> ParsedArticle:
    """Build a ParsedArticle from an export/corpus JSON line (SPEC §4)."""
    if not rec.get("url") or not rec.get("title"):
        raise ValueError("a record needs url and title")
    images = [
        ImageRef(url=i["url"], alt=i.get("alt") or "", caption=i.get("caption") or "",
                 position=int(i.get("position") or 0), width=i.get("width"), height=i.get("height"))
        for i in rec.get("images") or []
    ]
    issue = rec.get("issue")
    url = rec["url"]
    section = rec.get("section") or "story"
    # Corpus files give the issue page as every story's URL; the story's anchor makes it unique.
    if "#" not in url and ISSUE_URL.search(url):
        url = f"{url}#{'letter' if section == 'letter' else slugify(rec['title'])}"
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


ISSUE_URL = re.compile(r"/issue-[0-9ivx]+(-\d+)?/?$")


def slugify(title: str) -> str:
    """Ghost-style heading anchor: lower case, ASCII words joined by dashes."""
    t = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", t).strip("-") or "story"


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


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def open_store(settings: Settings | None = None) -> Store:
    s = settings or get_settings()
    s.data_dir.mkdir(parents=True, exist_ok=True)
    return Store(s.db_url, s.data_dir)
