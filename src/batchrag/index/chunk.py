"""Split an article into passages on paragraph boundaries, with a small overlap and the title prepended."""

from __future__ import annotations

from batchrag.domain.site import LETTER
from batchrag.domain.types import Passage, StoredArticle

LEAD_WORDS = 120
AUTHOR = "Andrew Ng"
LETTER_PREFIX = f"Letter from {AUTHOR}"
RECIPE = "v3"  # bump when what a passage row holds changes (v3: untitled letters show a reader title): a rebuild


def _words(s: str) -> int:
    return len(s.split())


def lead(text: str, words: int = LEAD_WORDS) -> str:
    """The first ~`words` words of an article (whole paragraphs where possible)."""
    return " ".join(text.split()[:words])


def _split_long(par: str, size: int) -> list[str]:
    w = par.split()
    return [" ".join(w[i : i + size]) for i in range(0, len(w), size)] or [par]


def chunk_article(
    art: StoredArticle, chunk_words: int = 180, overlap_words: int = 30, whole: bool = False
) -> list[Passage]:
    """Passage 0 is title + lead; the rest cover the whole text in ~chunk_words windows of paragraphs."""
    if whole:  # the reference design: one record per article (the embedder truncates what it cannot read)
        return [_passage(art, 0, art.text)]
    pars: list[str] = []
    for p in art.text.split("\n"):
        p = p.strip()
        if p:
            pars.extend(_split_long(p, chunk_words) if _words(p) > chunk_words else [p])
    bodies: list[str] = [lead(art.text)]
    cur: list[str] = []
    for p in pars:
        if cur and sum(map(_words, cur)) + _words(p) > chunk_words:
            bodies.append("\n".join(cur))
            # Carry the tail of the previous window so a fact split across paragraphs stays findable.
            tail = " ".join(" ".join(cur).split()[-overlap_words:]) if overlap_words else ""
            cur = [tail] if tail else []
        cur.append(p)
    if cur and (len(bodies) == 1 or cur != [bodies[-1]]):
        bodies.append("\n".join(cur))
    # A short article is fully covered by its lead: no duplicate passage.
    if len(bodies) == 2 and _words(bodies[1]) <= LEAD_WORDS:
        bodies = bodies[:1]
    return [_passage(art, i, body) for i, body in enumerate(bodies)]


def heading(art: StoredArticle) -> str:
    """The line every passage starts with: the title, and for letters their author.

    Every letter is Andrew Ng's, but only the untitled ones say so in their title; without this a question naming him
    prefers any untitled letter to the titled one that answers it."""
    if art.section == LETTER and AUTHOR not in art.title:
        return f"{LETTER_PREFIX}: {art.title}"
    return art.title


def _passage(art: StoredArticle, i: int, body: str) -> Passage:
    return Passage(
        id=f"{art.id}:{i}",
        article_id=art.id,
        text=f"{heading(art)}\n{body}".strip(),
        position=i,
        title=art.title,
        url=art.url,
        date=art.date,
        issue=art.issue,
        section=art.section,
    )
