"""The rules of The Batch's site, written once: issue URLs, heading slugs, section names, story twins."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Generic, Protocol, TypeVar
from urllib.parse import urlsplit

# Sections of a stored article: an issue's letter, news stories and Data Points; any other post is an article.
LETTER = "letter"
STORY = "story"
DATA_POINTS = "data-points"
ARTICLE = "article"

# issue-N, issue-N-2 (a re-post), and the roman-numbered specials of 2019–2020 (issue-i … issue-xvi).
_ISSUE_SLUG_RE = re.compile(r"issue-(\d+|[ivxlc]+)(?:-\d+)?")
_POST_PATH_RE = re.compile(r"/the-batch/([^/]+)/?")

# A standalone page and its issue's story are published within a week of each other (8 days: time zones).
TWIN_WINDOW_DAYS = 8
_MIN_KEY_CHARS = 40  # shorter lines ("What's new:", "Results") repeat across stories and prove nothing


def issue_slug_match(slug: str) -> re.Match[str] | None:
    """The match of an issue's slug (group 1: its number or roman numeral), None for any other post."""
    return _ISSUE_SLUG_RE.fullmatch(slug)


def post_slug(url: str) -> str | None:
    """The slug of a post URL (…/the-batch/<slug>/, fragment and query ignored), None for other routes."""
    m = _POST_PATH_RE.fullmatch(urlsplit(url).path)
    return m.group(1) if m else None


def is_issue_url(url: str) -> bool:
    slug = post_slug(url)
    return slug is not None and issue_slug_match(slug) is not None


def issue_number(slug_or_url: str) -> int | None:
    """The issue's number; None for roman-numbered specials and for anything that is not an issue."""
    slug = post_slug(slug_or_url) if "/" in slug_or_url else slug_or_url
    m = issue_slug_match(slug or "")
    return int(m.group(1)) if m and m.group(1).isdigit() else None


def slugify(title: str) -> str:
    """Ghost's heading anchor: lower case, ASCII words joined by dashes ("story" for a title with none)."""
    t = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", t).strip("-") or "story"


# --- story twins: every letter and story also has its own page; one article per story is stored -----------
class Dated(Protocol):
    title: str
    text: str
    date: date | None


T = TypeVar("T", bound=Dated)


def key_lines(text: str) -> list[str]:
    """The lines that identify a story: long ones, compared without case and punctuation."""
    out = []
    for line in text.split("\n"):
        n = re.sub(r"\W+", " ", line.lower()).strip()
        if len(n) > _MIN_KEY_CHARS:
            out.append(n)
    return out


class IssueStories(Generic[T]):
    """Issue articles (letters, stories, Data Points), looked up by the paragraphs a standalone page repeats.

    The rule: a standalone article is an issue article's twin when the two are dated within TWIN_WINDOW_DAYS
    and the issue article holds at least half of the standalone's key lines; of several, the one holding most.
    Titles are not compared: a story's own page often carries a longer or reworded headline.
    """

    def __init__(self, stories: Iterable[T]):
        self.stories: list[T] = list(stories)
        self._index: dict[str, set[int]] = defaultdict(set)
        for i, s in enumerate(self.stories):
            for line in key_lines(s.text):
                self._index[line].add(i)

    def twin_of(self, standalone: Dated) -> T | None:
        lines = key_lines(standalone.text)
        votes = Counter(i for line in lines for i in self._index.get(line, ()))
        best = next(((i, n) for i, n in votes.most_common() if _near(standalone.date, self.stories[i].date)), None)
        if best is None or best[1] < max(1, len(lines) / 2):
            return None
        return self.stories[best[0]]


def same_story(standalone: Dated, story: Dated) -> bool:
    """Whether a standalone article is this issue article's own page (the rule of IssueStories)."""
    return IssueStories([story]).twin_of(standalone) is story


UNTITLED_LETTER = "Letter from Andrew Ng, issue {number}"  # what the parser names a letter without a heading
_GREETING = re.compile(r"^\s*(dear|hi|hello)\b[^\n.!?]{0,40}[,!:]?\s*$", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")
TITLE_WORDS = 12


def is_untitled_letter(section: str, title: str) -> bool:
    return section == LETTER and title.startswith(UNTITLED_LETTER.split("{")[0])


def reader_title(section: str, title: str, text: str) -> str:
    """The title a reader sees: an untitled letter is named by its own first sentence (after «Dear friends,»),
    cut at TITLE_WORDS words, instead of «Letter from Andrew Ng, issue 57»; any other title as it is."""
    if not is_untitled_letter(section, title):
        return title
    lines = [ln.strip() for ln in (text or "").split("\n") if ln.strip() and not _GREETING.match(ln)]
    if not lines:
        return title
    first = _SENTENCE_END.split(lines[0], maxsplit=1)[0].strip()
    words = first.split()
    headline = " ".join(words[:TITLE_WORDS]).rstrip(",;:—-") + ("…" if len(words) > TITLE_WORDS else "")
    return f"Letter from Andrew Ng: {headline.rstrip('.')}"


def twin_title(story: Dated, standalone: Dated) -> str:
    """The title a story keeps once its twin is folded in: a letter without a heading takes its page's headline."""
    if getattr(story, "section", None) == LETTER and is_untitled_letter(LETTER, story.title):
        return standalone.title.split(": ")[0].strip() or story.title
    return story.title


def _near(a: date | None, b: date | None) -> bool:
    return a is None or b is None or abs(a - b) <= timedelta(days=TWIN_WINDOW_DAYS)
