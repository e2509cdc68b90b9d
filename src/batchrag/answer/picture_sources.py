"""Pictures as answer sources: a picture becomes a numbered source, its file the JPEG a vision model is shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from batchrag.domain.types import Hit, ImageHit, ImageRef
from batchrag.llm.captioners.base import prepare_image
from batchrag.llm.prompts import PICTURE_SECTION, picture_text, picture_title
from batchrag.settings import Settings

MAX_REQUEST_PICTURES = 2  # a picture request shows the model at most this many of its top pictures


def is_picture(hit: Hit) -> bool:
    return hit.section == PICTURE_SECTION


def picture_hit(im: ImageHit, day: date | None = None, issue: int | None = None) -> Hit:
    """The picture as a source: listed under its story (article id and URL), described by its alt and captions."""
    return Hit(
        im.article_id, im.article_url, picture_title(im.article_title), day, issue, PICTURE_SECTION,
        picture_text(im.alt, im.caption, im.machine_caption, im.article_title), im.score,
        images=[ImageRef(im.url, im.alt, im.caption, local_path=im.local_path)],
    )


def picture_file(im: ImageHit, settings: Settings) -> Path | None:
    """The picture's downloaded file, when it is in the library (a stored path must stay inside images/)."""
    if not im.local_path:
        return None
    root = settings.store.images_dir.resolve()
    path = (root / im.local_path).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


def picture_bytes(im: ImageHit, settings: Settings) -> tuple[bytes | None, str]:
    """(JPEG a model sees, "") — an animation's first frame, downscaled past caption_max_px — or (None, why not)."""
    path = picture_file(im, settings)
    if path is None:
        return None, "not downloaded" if not im.local_path else "its file is missing"
    try:
        return prepare_image(path, settings.captions.max_px)[0], ""
    except (OSError, ValueError) as e:
        return None, f"its file is unreadable ({type(e).__name__})"


@dataclass
class PictureSources:
    """The picture sources of one answer: their hits (first in the prompt) and the pictures the model is shown."""

    hits: list[Hit]
    images: list[bytes]
    warnings: list[str]


def picture_sources(pictures: list[ImageHit], settings: Settings, sees: bool, model: str) -> PictureSources:
    """Each picture as a source; its file attached when the model can see, else a one-line warning why not."""
    hits = [picture_hit(p) for p in pictures]
    if not pictures:
        return PictureSources([], [], [])
    if not sees:
        return PictureSources(hits, [], [
            f"{model} cannot look at pictures: the picture was given to it by its alt text and description only"
        ])
    images: list[bytes] = []
    shown: list[Hit] = []
    unseen: list[Hit] = []
    warnings: list[str] = []
    for p, h in zip(pictures, hits, strict=True):
        data, why = picture_bytes(p, settings)
        if data is None:
            unseen.append(h)
            warnings.append(f"the picture {p.url} could not be shown to the model ({why}): it read the picture's "
                            "alt text and description only; `batchrag crawl --images-only` downloads missing files")
        else:
            images.append(data)
            shown.append(h)
    # The prompt pairs the attached pictures with the first picture sources: those shown come first.
    return PictureSources(shown + unseen, images, warnings)
