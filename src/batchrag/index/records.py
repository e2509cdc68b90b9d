"""What the index embeds: the passage and picture rows of a story, and the recipe signature they are built by."""

from __future__ import annotations

import hashlib
import re

from batchrag.domain.site import LETTER, reader_title
from batchrag.domain.types import StoredArticle
from batchrag.index.chunk import RECIPE, chunk_article, lead
from batchrag.settings import Settings

IMAGE_RECORDS = "alt+title"  # what an image record embeds (see image_text)

_JUNK_ALT = re.compile(
    r"^(screen ?shot\b|img[_-]?\d|image\s*\d*$|unnamed|untitled|photo\s*\d*$)|\.(png|jpe?g|gif|webp)$", re.I
)


def chunking_of(settings: Settings) -> str:
    # The image-record recipe is part of the signature: changing what a record embeds needs a rebuild too.
    if settings.index.chunk_mode == "article":
        return f"article:{RECIPE};images:{IMAGE_RECORDS}"
    return (
        f"passages:{settings.index.chunk_words}/{settings.index.chunk_overlap_words};"
        f"letters:{settings.index.letter_chunk_words}/{settings.index.letter_chunk_overlap_words}:{RECIPE};images:{IMAGE_RECORDS}"
    )


def window_of(a: StoredArticle, settings: Settings) -> tuple[int, int]:
    """(words per passage, overlap) for this article: letters are cut finer (docs/decisions/0013-letters-finer.md).

    A letter is one essay on one theme, so its paragraphs look alike to the embedder; a detail question matches one
    of them, and a 180-word window dilutes it with its neighbours."""
    if a.section == LETTER:
        return settings.index.letter_chunk_words, settings.index.letter_chunk_overlap_words
    return settings.index.chunk_words, settings.index.chunk_overlap_words


def meaningful_alt(alt: str) -> str:
    """The alt text, or '' when it is a file name or 'Screen Shot …' (it says nothing about the picture)."""
    alt = (alt or "").strip()
    return "" if _JUNK_ALT.search(alt) else alt


def image_text(art: StoredArticle, alt: str, caption: str, machine: str = "") -> str:
    """What an image record embeds: its own words (alt, the page's caption, a vision model's caption), then its
    story's title; the lead only when it has no words. A junk alt (a file name) is left out, so the machine
    caption takes its place.

    A story lead next to a caption drowns the caption (measured: the right picture fell out of the top 10)."""
    own = ". ".join(x.strip() for x in (meaningful_alt(alt), caption, machine) if x and x.strip())
    return f"{own}\n{art.title}" if own else f"{art.title}\n{lead(art.text, 60)}"


def passage_rows(a: StoredArticle, settings: Settings) -> list[dict]:
    """One row per passage of the story (one for the whole story in chunk_mode=article), without its vector."""
    d = a.date.isoformat() if a.date else ""
    return [
        {
            "id": p.id,
            "article_id": a.id,
            "position": p.position,
            "text": p.text,
            "title": reader_title(a.section, a.title, a.text),  # what cards show; the embedded heading keeps a.title
            "url": a.url,
            "date": d,
            "issue": a.issue,
            "section": a.section,
            "tags": list(a.tags),
        }
        for p in chunk_article(a, *window_of(a, settings), whole=settings.index.chunk_mode == "article")
    ]


def file_sha(local_path: str | None) -> str:
    """The content hash a downloaded picture is named by (<sha256>.<ext>), "" when it has no file."""
    return (local_path or "").split(".")[0]


def image_rows(a: StoredArticle, captions: dict[str, str] | None = None) -> list[dict]:
    """One row per distinct picture URL of the story, without its vectors; the id keeps the picture's position.

    `captions` maps a picture file's sha256 to its machine-written caption (store.captions())."""
    captions = captions or {}
    d = a.date.isoformat() if a.date else ""
    out: list[dict] = []
    seen: set[str] = set()
    for i, im in enumerate(a.images):
        if not im.url or im.url in seen:
            continue
        seen.add(im.url)
        machine = captions.get(file_sha(im.local_path), "")
        out.append(
            {
                "id": f"{a.id}:{i}",
                "article_id": a.id,
                "url": im.url,
                "alt": im.alt or "",
                "caption": im.caption or "",
                "machine_caption": machine,
                "local_path": im.local_path or "",
                "article_url": a.url,
                "article_title": reader_title(a.section, a.title, a.text),
                "issue": a.issue,
                "date": d,
                "text": image_text(a, im.alt, im.caption, machine),
            }
        )
    return out


def rows(
    arts: list[StoredArticle], settings: Settings, captions: dict[str, str] | None = None
) -> tuple[list[dict], list[dict]]:
    """(passage rows, image rows) of the stories, in story order."""
    return (
        [r for a in arts for r in passage_rows(a, settings)],
        [r for a in arts for r in image_rows(a, captions)],
    )


def captions_sig(art: StoredArticle, captions: dict[str, str]) -> str:
    """Which machine captions an article's pictures have: a new caption must re-embed its picture record."""
    mine = sorted(f"{s}={captions[s]}" for s in {file_sha(im.local_path) for im in art.images} if s in captions)
    return hashlib.sha256("\n".join(mine).encode()).hexdigest()[:16] if mine else ""
