"""The captioner interface (one required method, `describe`): a vision model's English description of a story's
picture (docs/captions.md); the picture as a model sees it, and what makes a caption usable."""

from __future__ import annotations

import io
import re
from pathlib import Path

import httpx

from batchrag.domain.errors import BatchragError

MAX_CAPTION_CHARS = 500


class CaptionError(BatchragError):
    """A picture could not be captioned (server down, timed out, refused the image)."""


class Captioner:
    """Writes an English description of one picture. Subclasses implement `describe`."""

    name = "none"
    model = ""

    def describe(self, image: bytes, mime: str, story_title: str) -> str:
        raise NotImplementedError


def prepare_image(path: Path, max_px: int) -> tuple[bytes, str]:
    """The bytes a model sees: an animation's first frame (the `.still.png` beside it), downscaled past max_px."""
    # Imported here: Pillow only where a picture is read.
    from PIL import Image

    still = path.with_name(path.name.split(".")[0] + ".still.png")
    src = still if path.suffix.lower() == ".gif" and still.is_file() else path
    with Image.open(src) as im:
        im.seek(0)
        frame = im.convert("RGB") if im.mode not in ("RGB", "L") else im.copy()
    if max(frame.size) > max_px:
        frame.thumbnail((max_px, max_px))
    out = io.BytesIO()
    frame.save(out, format="JPEG", quality=88)
    return out.getvalue(), "image/jpeg"


_LOOP = re.compile(r"(\b\w+(?:\W+\w+){2,8}?\b)(?:\W+\1){2,}", re.I)


def clean_caption(text: str) -> tuple[str | None, str]:
    """A model's caption if it is usable: not empty, English, not far too long, not a loop. (caption | None, why)."""
    t = " ".join((text or "").split()).strip("\"' ")
    if not t:
        return None, "empty"
    letters = [c for c in t if c.isalpha()]
    if not letters or sum(c.isascii() for c in letters) / len(letters) < 0.9:
        return None, "not English"
    if len(t) > MAX_CAPTION_CHARS:
        return None, "far too long"
    if _LOOP.search(t):
        return None, "repeats itself"
    return t, ""


def _post(url: str, body: dict, headers: dict, timeout_s: float, who: str) -> dict:
    """One caption request; every way it can fail is one CaptionError line naming `who` answered (or did not)."""
    try:
        r = httpx.post(url, json=body, headers=headers, timeout=httpx.Timeout(timeout_s, connect=5.0))
    except httpx.TimeoutException as e:
        raise CaptionError(f"no caption within {timeout_s:g} s") from e
    except httpx.HTTPError as e:
        raise CaptionError(f"{who} is not reachable") from e
    if r.status_code >= 400:
        raise CaptionError(f"{who} answered HTTP {r.status_code}: {r.text.strip()[:160]}")
    return r.json()


NO_VISION = ("no vision model: start Ollama and `ollama pull gemma3:4b` (or set BATCHRAG_CAPTION_MODEL="
             "openai:<model> with BATCHRAG_OPENAI_BASE_URL); pictures keep their alt text, nothing changed")


class NoCaptioner(Captioner):
    """Stands in when no vision model is available; `reason` says what to start."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
