"""What the empty chat page offers: what the library holds, and example questions drawn from its newest stories."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from batchrag.domain.types import JsonMixin, StoredArticle
from batchrag.service.library import Library
from batchrag.settings import Settings

EXAMPLE_KINDS = ("text", "image", "english")  # a question, a picture request, an English question


@dataclass
class Example(JsonMixin):
    """One example question the page offers as a button."""

    kind: str  # text | image | english
    question: str
    article_url: str  # the story it was built from


@dataclass
class Overview(JsonMixin):
    """The library in a few facts, and the example questions built from it."""

    issues: int = 0
    articles: int = 0
    first_date: date | None = None
    last_date: date | None = None
    newest_issue: int | None = None
    newest_issue_date: date | None = None
    examples: list[Example] = field(default_factory=list)


def _title(a: StoredArticle) -> str:
    return " ".join(a.title.split()).rstrip(" .:;,")


def _question(kind: str, a: StoredArticle) -> str:
    t = _title(a)
    if kind == "image":
        return f"Покажи зображення до статті «{t}»"
    if kind == "english":
        return f"What did The Batch report about “{t}”?"
    return f"Про що йдеться в статті «{t}»?"


def choose_examples(articles: list[StoredArticle]) -> list[Example]:
    """One question of each kind, each from a different story, the newest stories first.

    The picture request goes to the newest story with a downloaded picture (else with any picture); letters and
    undated pages are passed over, since their titles say little about what they hold.
    """
    stories = [a for a in articles if a.section != "letter" and a.date is not None and _title(a)]
    stories.sort(key=lambda a: (a.date, a.id), reverse=True)
    used: set[int] = set()
    out: list[Example] = []
    with_file = [a for a in stories if any(i.local_path for i in a.images)]
    with_any = [a for a in stories if a.images]
    for kind in EXAMPLE_KINDS:
        pool = (with_file or with_any) if kind == "image" else stories
        pick = next((a for a in pool if a.id not in used), None)
        if pick is None:
            continue
        used.add(pick.id)
        out.append(Example(kind, _question(kind, pick), pick.url))
    return out


def overview(settings: Settings) -> Overview:
    """The library's counts, date range and newest issue, with example questions from its newest stories."""
    library = Library(settings)
    stats = library.stats()
    articles = list(library.store.iter_articles())
    dates = [a.date for a in articles if a.date is not None]
    numbers = {a.issue for a in articles if a.issue is not None}  # an imported library has no issue rows
    newest = max(numbers, default=None)
    issue_dates = [a.date for a in articles if a.issue == newest and a.date is not None]
    return Overview(
        issues=max(int(stats.get("issues") or 0), len(numbers)),
        articles=len(articles),
        first_date=min(dates, default=None),
        last_date=max(dates, default=None),
        newest_issue=newest,
        newest_issue_date=max(issue_dates, default=None),
        examples=choose_examples(articles),
    )
