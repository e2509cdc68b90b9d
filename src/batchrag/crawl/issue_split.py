"""Split a flattened post into articles: an issue into its letter, news stories and Data Points; else one."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from batchrag.crawl.post_html import Block, clean_text
from batchrag.domain.site import (
    ARTICLE,
    DATA_POINTS,
    LETTER,
    STORY,
    UNTITLED_LETTER,
    slugify,
)
from batchrag.domain.types import ImageRef, ParsedArticle, ParsedPage

_DEAR_RE = re.compile(r"^\W{0,3}dear friends\b", re.I)
# Sponsor headings: "A MESSAGE FROM DEEPLEARNING.AI", "A MESSAGE FROM WORKERA", "NEW FROM DEEPLEARNING.AI" …
_PROMO_RE = re.compile(
    r"^(a\s*)?(message|word)\s*from\b|^new\s*from\s*deeplearning|^(sponsored|presented)\s+by\b"
    r"|^from\s+our\s+(partner|sponsor)s?\b|^a\s+special\s+offer\b",
    re.I,
)
_DATA_POINTS_RE = re.compile(r"^data\s*points\b", re.I)
_LABEL_LINES = {"news"}  # a heading line that only announces the news section ("News<br>Title" in 2019)
_MIN_DATA_POINTS_CHARS = 300  # shorter "Data Points" sections only point to the spin-off newsletter


@dataclass
class _Section:
    heading: Block | None
    items: list[Block] = field(default_factory=list)
    kind: str = STORY  # pre | LETTER | STORY | promo | label | DATA_POINTS

    @property
    def title(self) -> str:
        return _heading_title(self.heading) if self.heading else ""

    def has_text(self) -> bool:
        return any(b.kind == "text" for b in self.items)


def split_issue(page: ParsedPage, blocks: list[Block], number: str) -> None:
    sections = _sections(blocks)
    pre = sections[0]
    letter: _Section | None = None
    dear = next((i for i, b in enumerate(pre.items) if b.kind == "text" and _DEAR_RE.match(b.text)), None)
    if dear is not None:
        dropped = [b for b in pre.items[:dear] if b.kind == "text"]
        if dropped:
            page.warnings.append(f"{len(dropped)} line(s) before 'Dear friends' dropped")
        letter = _Section(None, pre.items[dear:], LETTER)
        sections[0] = letter
    else:
        for s in sections[1:]:
            first = next((b for b in s.items if b.kind == "text"), None)
            if first is not None and _DEAR_RE.match(first.text):
                s.kind, letter = LETTER, s
                break
        if pre.has_text():
            page.warnings.append(f"{sum(b.kind == 'text' for b in pre.items)} line(s) before the first heading dropped")
        pre.kind = "pre"
    if letter is None:
        page.warnings.append("no letter ('Dear friends, …') found")
    for s in sections:
        if s.kind in (LETTER, "pre"):
            continue
        t = s.title
        if _is_promo(t):
            s.kind = "promo"
        elif _DATA_POINTS_RE.match(t):
            s.kind = DATA_POINTS
        elif not s.has_text():
            s.kind = "label"
    _carry_images(sections)
    ids: set[str] = set()
    for s in sections:
        if s.kind == LETTER:
            title = s.title or UNTITLED_LETTER.format(number=number)
            page.articles.append(_article(page.url, LETTER, title, LETTER, s.items, ids))
        elif s.kind == STORY:
            anchor = s.heading.anchor or slugify(s.title)
            page.articles.append(_article(page.url, anchor, s.title, STORY, s.items, ids))
        elif s.kind == DATA_POINTS:
            art = _article(page.url, s.heading.anchor or DATA_POINTS, "Data Points", DATA_POINTS, s.items, ids)
            if len(art.text) >= _MIN_DATA_POINTS_CHARS:
                page.articles.append(art)
        elif s.kind == "label" and any(b.kind == "image" for b in s.items):
            page.warnings.append(f"image(s) under heading {s.title!r} belong to no story")
    if not any(a.section == STORY for a in page.articles):
        page.warnings.append("no news story found in the issue")


def standalone(page: ParsedPage, blocks: list[Block]) -> None:
    items: list[Block] = []
    for s in _sections(blocks):
        if s.heading is not None:
            if _is_promo(s.title):
                continue
            items.append(Block("text", text=s.title))
        items.extend(s.items)
    first = next((b for b in items if b.kind == "text"), None)
    section = LETTER if first is not None and _DEAR_RE.match(first.text) else ARTICLE
    art = _article(page.url, "", page.title, section, items, set())
    if art.text:
        page.articles.append(art)


def _sections(blocks: list[Block]) -> list[_Section]:
    """Split at every heading with text; the first section holds what precedes the first heading."""
    sections = [_Section(None, kind="pre")]
    for b in blocks:
        if b.kind == "heading":
            if _heading_title(b):
                sections.append(_Section(b))
            continue  # empty headings are spacers
        sections[-1].items.append(b)
    return sections


def _carry_images(sections: list[_Section]) -> None:
    """Give each story the images that close the sections before its heading (83% of pictures sit there)."""
    for i, s in enumerate(sections):
        # A story with its picture right under the heading keeps it; what closes the previous section stays.
        if s.kind not in (STORY, DATA_POINTS) or (s.items and s.items[0].kind == "image"):
            continue
        carried: list[Block] = []
        for p in reversed(sections[:i]):
            if p.kind == "label":  # "News", "Boo!": its pictures belong to the story that follows
                carried[:0] = [b for b in p.items if b.kind == "image"]
                p.items = [b for b in p.items if b.kind != "image"]
                continue
            last_text = max((j for j, b in enumerate(p.items) if b.kind == "text"), default=-1)
            if last_text < 0 and p.kind == "promo":
                # A promo without text: its first picture is the banner itself.
                last_text = next((j for j, b in enumerate(p.items) if b.kind == "image"), len(p.items))
            tail = p.items[last_text + 1 :]
            carried[:0] = [b for b in tail if b.kind == "image"]
            p.items = p.items[: last_text + 1] + [b for b in tail if b.kind != "image"]
            break
        s.items[:0] = carried


def _article(page_url: str, anchor: str, title: str, section: str, items: list[Block], ids: set[str]):
    lines: list[str] = []
    images: list[ImageRef] = []
    for b in items:
        if b.kind == "text":
            lines.append(b.text)
        elif b.kind == "image" and b.image is not None:
            im = b.image
            images.append(ImageRef(url=im.url, alt=im.alt, caption=im.caption, position=len(lines),
                                   width=im.width, height=im.height))
    url = page_url
    if anchor:
        a, n = anchor, 2
        while a in ids:
            a, n = f"{anchor}-{n}", n + 1
        ids.add(a)
        url = f"{page_url.split('#')[0]}#{a}"
    return ParsedArticle(url=url, title=clean_text(title), text="\n".join(lines), section=section, images=images)


def _is_promo(title: str) -> bool:
    # "NEW FROM <partner>" in capitals is a sponsor; a story may well be titled "New From Old …".
    return bool(_PROMO_RE.match(title)) or (title.isupper() and title.startswith("NEW FROM"))


def _heading_title(b: Block) -> str:
    lines = list(b.lines)
    while len(lines) > 1 and lines[0].strip(" :").lower() in _LABEL_LINES:
        lines.pop(0)
    return " ".join(lines).strip()
