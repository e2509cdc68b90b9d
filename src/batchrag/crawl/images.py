"""Download story images into data_dir/images/ under content-addressed names, checked with Pillow."""

from __future__ import annotations

import hashlib
import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image, UnidentifiedImageError

from batchrag.crawl.http import FetchError, HttpClient, NetworkDown
from batchrag.settings import Settings

MAX_IMAGE_PIXELS = 60_000_000  # a decompression bomb guard: bigger images are refused, not decoded
EXTENSIONS = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "WEBP": ".webp"}


@dataclass
class ImageResult:
    url: str
    local_path: str | None = None  # relative to images_dir
    width: int | None = None
    height: int | None = None
    error: str | None = None  # permanent: recorded in the store, not retried
    transient: str | None = None  # worth retrying on the next crawl: not recorded


def allowed_hosts(settings: Settings) -> set[str]:
    return {h.lower() for h in settings.crawl.image_hosts} | {urlsplit(settings.crawl.base_url).netloc.lower()}


def fetch_image(client: HttpClient, url: str, settings: Settings, images_dir: Path) -> ImageResult:
    """Download one image; NetworkDown propagates (the caller stops), every other problem is in the result."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return ImageResult(url, error=f"not an http(s) URL: {url[:80]}")
    if parts.netloc.lower() not in allowed_hosts(settings):
        return ImageResult(url, error=f"host not allowed: {parts.netloc}")
    try:
        r = client.get(url, max_bytes=settings.crawl.max_image_bytes)
    except NetworkDown:
        raise
    except FetchError as exc:
        permanent = exc.status is not None and 400 <= exc.status < 500 and exc.status != 429
        if permanent or "cap" in exc.reason or "robots" in exc.reason:
            return ImageResult(url, error=exc.reason)
        return ImageResult(url, transient=exc.reason)
    ctype = r.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype and not ctype.startswith("image/") and ctype != "application/octet-stream":
        return ImageResult(url, error=f"not an image (Content-Type {ctype})")
    return store_image(r.body, url, images_dir)


def store_image(data: bytes, url: str, images_dir: Path) -> ImageResult:
    """Validate the bytes with Pillow and write <sha256>.<ext> (+ <sha256>.still.png for animations)."""
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                fmt, (w, h) = im.format, im.size
                animated = bool(getattr(im, "is_animated", False))
                im.load()  # decodes the first frame: catches truncated files
                still = None
                if animated:
                    buf = io.BytesIO()
                    im.seek(0)
                    im.convert("RGBA").save(buf, "PNG")
                    still = buf.getvalue()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        return ImageResult(url, error=f"refused: too many pixels ({exc})")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        return ImageResult(url, error=f"not a readable image ({exc})")
    ext = EXTENSIONS.get(fmt or "")
    if ext is None:
        return ImageResult(url, error=f"unsupported image format {fmt}")
    sha = hashlib.sha256(data).hexdigest()
    images_dir.mkdir(parents=True, exist_ok=True)
    _write_atomic(images_dir / f"{sha}{ext}", data)
    if still is not None:
        _write_atomic(images_dir / f"{sha}.still.png", still)
    return ImageResult(url, f"{sha}{ext}", w, h)


def _write_atomic(path: Path, data: bytes) -> None:
    if path.exists() and path.stat().st_size == len(data):
        return
    tmp = path.with_name(path.name + f".{os.getpid()}.part")
    tmp.write_bytes(data)
    tmp.replace(path)
