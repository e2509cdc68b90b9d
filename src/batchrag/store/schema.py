"""SQLAlchemy tables: issues, articles, images, cached pages, model summaries, schema version."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Date, DateTime, Float, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from batchrag.domain.site import STORY

SCHEMA_VERSION = 4  # 2: summaries; 3: api_keys.owner_id; 4: feedback (store/migrate.py)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Meta(Base):
    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class IssueRow(Base):
    __tablename__ = "issues"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    number: Mapped[int | None] = mapped_column(Integer, index=True)
    url: Mapped[str] = mapped_column(String(512), unique=True)
    title: Mapped[str] = mapped_column(Text, default="")
    date: Mapped[date | None] = mapped_column(Date)
    tags: Mapped[str] = mapped_column(Text, default="[]")


class ArticleRow(Base):
    __tablename__ = "articles"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(1024), unique=True)
    issue_id: Mapped[int | None] = mapped_column(ForeignKey("issues.id"), index=True)
    issue: Mapped[int | None] = mapped_column(Integer, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    section: Mapped[str] = mapped_column(String(32), default=STORY)
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    date: Mapped[date | None] = mapped_column(Date, index=True)
    tags: Mapped[str] = mapped_column(Text, default="[]")
    alt_urls: Mapped[str] = mapped_column(Text, default="[]")
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=_now)
    images: Mapped[list[ImageRow]] = relationship(
        back_populates="article", cascade="all, delete-orphan", order_by="ImageRow.position"
    )


class ImageRow(Base):
    __tablename__ = "images"
    __table_args__ = (UniqueConstraint("article_id", "url"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    alt: Mapped[str] = mapped_column(Text, default="")
    caption: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    local_path: Mapped[str | None] = mapped_column(String(512))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    article: Mapped[ArticleRow] = relationship(back_populates="images")


class PageRow(Base):
    """Raw fetched pages, gzip'd, so re-parsing needs no network."""

    __tablename__ = "pages"
    url: Mapped[str] = mapped_column(String(1024), primary_key=True)
    status: Mapped[int] = mapped_column(Integer, default=200)
    etag: Mapped[str | None] = mapped_column(String(256))
    last_modified: Mapped[str | None] = mapped_column(String(128))
    body_gz: Mapped[bytes | None] = mapped_column(LargeBinary)
    body_hash: Mapped[str | None] = mapped_column(String(64))
    fetched_at: Mapped[datetime] = mapped_column(DateTime, default=_now)
    parsed_ok: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class SummaryRow(Base):
    """A model's text about stored stories (a digest summary, a timeline sentence), kept so it is written once.

    `key` names what was summarised, by which model and prompt version; open_database creates the table in an older
    database (create_all adds missing tables), and it is a cache: deleting its rows loses nothing."""

    __tablename__ = "summaries"
    key: Mapped[str] = mapped_column(String(256), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), default="digest")
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    model: Mapped[str] = mapped_column(String(256), default="")
    prompt_version: Mapped[str] = mapped_column(String(32), default="")
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now)


class ApiKeyRow(Base):
    """An API key of a team server: only its sha256 is kept (the key is shown once, at creation); a revoked key's row
    is deleted, so every process sees the revocation on its next look (docs/contracts.md#api-keys).

    `owner_id` is the key's identity, what its conversations belong to: random (`key_` + 16 hex), made once at
    creation and never issued again, so a new key given a revoked key's name owns none of the old one's."""

    __tablename__ = "api_keys"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), default="reader")
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    # Nullable only as the migration's ALTER TABLE adds it (store/migrate.py fills it); every new row has one.
    owner_id: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now)
    last_used: Mapped[datetime | None] = mapped_column(DateTime)


class LockRow(Base):
    """A lease on a job that one process of all those sharing the store may run at a time (the library's sync): the
    holder renews it while it works; an expired one is taken over (a killed holder blocks nobody for long)."""

    __tablename__ = "locks"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[float] = mapped_column(Float)  # epoch seconds: one clock for SQLite and PostgreSQL alike


class ConversationRow(Base):
    """A reader's conversation (service/conversations.py): titled by its first question; `owner` is the identity
    (`api_keys.owner_id`) of the API key that started it (None: the page or the CLI; "(password)": the page's
    password readers), so a key lists only its own."""

    __tablename__ = "conversations"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # secrets.token_urlsafe: unguessable, short
    title: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=_now, index=True)


class TurnRow(Base):
    """One question and its answer as shown, written in one transaction when the answer finishes (a killed process
    loses at most the turn in flight); its id is the answer's share link (`/?answer=<id>`)."""

    __tablename__ = "turns"
    __table_args__ = (UniqueConstraint("conversation_id", "position"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 1, 2, … in the conversation
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)  # the answer's text, for reading without the JSON
    answer_json: Mapped[str] = mapped_column(Text)  # every field of the Answer: sources with their snippets, pictures
    backend: Mapped[str] = mapped_column(String(128), default="")
    model: Mapped[str] = mapped_column(String(256), default="")
    query: Mapped[str] = mapped_column(Text, default="")  # the searched query (the rewrite, or the question)
    passages: Mapped[str] = mapped_column(Text, default="[]")  # [{n, article_id, text}]: what each source gave
    timings: Mapped[str] = mapped_column(Text, default="{}")  # {name: milliseconds}
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now)


class FeedbackRow(Base):
    """A reader's rating of one kept answer (service/feedback.py): one a turn, replaced when rated again, deleted
    with its conversation. `reason` is a stable code (the page shows its Ukrainian); `story_url` the archive story
    the reader says answered (checked against the articles when rated), kept as a URL so the row outlives a re-crawl."""

    __tablename__ = "feedback"
    turn_id: Mapped[str] = mapped_column(ForeignKey("turns.id", ondelete="CASCADE"), primary_key=True)
    rating: Mapped[str] = mapped_column(String(8))  # up | down
    reason: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    story_url: Mapped[str | None] = mapped_column(String(1024))
    rated_at: Mapped[datetime] = mapped_column(DateTime, default=_now, index=True)
