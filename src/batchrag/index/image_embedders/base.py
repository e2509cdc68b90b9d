"""The image embedder interface (one required method, `embed_images`) and reading a picture's pixels."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np


class ImageEmbedder:
    """Maps image files (and, for the query side, texts) into one space of L2-normalised float32 vectors."""

    name: str = ""
    dim: int = 0
    # path -> why it has no vector, for the files of the last embed_images call
    failures: dict[str, str]

    def embed_images(self, paths: Sequence[Path]) -> np.ndarray:
        """One row per path; an unreadable file gets a zero row (and its reason in self.failures), never an error."""
        raise NotImplementedError

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} has no text side")


def read_rgb(path: Path):
    """The picture in `path` as RGB (the first frame of an animation); raises on anything unreadable."""
    # Imported here: Pillow only where a picture is read.
    from PIL import Image

    with Image.open(path) as im:
        im.seek(0)  # animated GIF/WebP: the first frame stands for the whole clip
        return im.convert("RGB")  # decodes fully here: a truncated file fails now, not in the model
