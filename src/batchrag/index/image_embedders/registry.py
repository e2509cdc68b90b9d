"""IMAGE_EMBEDDERS: image embedders by name, built-ins imported on first use, plugins by entry point."""

from __future__ import annotations

from batchrag.index.image_embedders.base import ImageEmbedder
from batchrag.registry import Registry

# "none" (the default) indexes pictures by their text only; a model is loaded once per process.
IMAGE_EMBEDDERS: Registry[ImageEmbedder] = Registry(
    "image embedder",
    {"clip:": "batchrag.index.image_embedders.clip:HFImageEmbedder"},
    group="batchrag.image_embedders",
    none=True,
    cache=True,
)
