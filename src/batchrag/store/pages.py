"""The raw page cache: fetched pages kept gzip'd, so a re-parse or a conditional GET needs no new download."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from batchrag.store.schema import PageRow


@dataclass
class CachedPage:
    url: str
    status: int
    etag: str | None
    last_modified: str | None
    body: bytes | None
    fetched_at: datetime
    parsed_ok: bool


class PageCache:
    """Store's page-cache methods (a mixin: it needs the Session factory of the Store)."""

    Session: sessionmaker[Session]

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

    def cached_urls(self) -> list[str]:
        with self.Session() as s:
            return list(s.scalars(select(PageRow.url).where(PageRow.body_gz.is_not(None))))
