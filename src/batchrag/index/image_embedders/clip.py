"""CLIP-family dual encoders (`clip:<model>`): pictures by their pixels, questions by their words, one space."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from batchrag.index.embedders.base import EmbedderError, normalise
from batchrag.index.image_embedders.base import ImageEmbedder, read_rgb
from batchrag.settings import IndexSettings

log = logging.getLogger(__name__)


class HFImageEmbedder(ImageEmbedder):
    """A transformers dual encoder (CLIP, SigLIP, …) from a local save_pretrained folder or a hub id, on CPU."""

    def __init__(self, index: IndexSettings, model: str = ""):
        try:
            # Imported here: optional and heavy: only for a CLIP image embedder.
            import torch
            from transformers import AutoModel, AutoProcessor
        except ImportError as e:  # torch is an optional extra
            raise EmbedderError(
                "CLIP image embedders need torch + transformers: pip install 'batchrag[torch]'"
            ) from e
        self._torch = torch
        local = Path(model).expanduser()
        src = str(local) if local.exists() else model
        try:
            self._proc = AutoProcessor.from_pretrained(src)
            self._m = AutoModel.from_pretrained(src).eval()
        except Exception as e:
            raise EmbedderError(
                f"cannot load image model {model!r} ({type(e).__name__}: {str(e)[:300]}). Without internet, put "
                "the model's save_pretrained folder (config.json, model.safetensors, tokenizer and preprocessor "
                "files) on disk and set BATCHRAG_IMAGE_EMBEDDER=clip:/path/to/that/folder, or "
                "BATCHRAG_IMAGE_EMBEDDER=none to index pictures by their text only"
            ) from e
        if not (hasattr(self._m, "get_image_features") and hasattr(self._m, "get_text_features")):
            raise EmbedderError(f"{model!r} is not a dual image/text encoder (CLIP, SigLIP)")
        cfg = self._m.config
        tcfg = getattr(cfg, "text_config", cfg)
        self._max_len = int(getattr(tcfg, "max_position_embeddings", 77))
        # SigLIP was trained on texts padded to full length: shorter padding shifts its text vectors.
        self._padding = "max_length" if "siglip" in getattr(cfg, "model_type", "") else True
        self.batch_size = index.image_batch_size
        self.failures = {}
        self.dim = int(self.embed_texts(["a picture"]).shape[1])

    def _features(self, out) -> np.ndarray:
        # transformers 5 returns a model output (projected features in pooler_output), 4.x a tensor.
        t = out if isinstance(out, self._torch.Tensor) else out.pooler_output
        return normalise(t.float().cpu().numpy())

    def embed_texts(self, texts):
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        x = self._proc(
            text=list(texts),
            return_tensors="pt",
            padding=self._padding,
            truncation=True,
            max_length=self._max_len,
        )
        with self._torch.inference_mode():
            return self._features(self._m.get_text_features(**x))

    def embed_images(self, paths):
        self.failures = {}
        out = np.zeros((len(paths), self.dim), np.float32)
        for i in range(0, len(paths), self.batch_size):
            ok: list[int] = []
            ims = []
            for j in range(i, min(i + self.batch_size, len(paths))):
                try:
                    ims.append(read_rgb(paths[j]))
                    ok.append(j)
                except Exception as e:  # one bad file must not fail the whole index
                    self.failures[str(paths[j])] = f"{type(e).__name__}: {e}"
                    log.warning("image %s skipped: %s", paths[j], self.failures[str(paths[j])])
            if not ims:
                continue
            x = self._proc(images=ims, return_tensors="pt")
            with self._torch.inference_mode():
                out[ok] = self._features(self._m.get_image_features(pixel_values=x["pixel_values"]))
        return out
