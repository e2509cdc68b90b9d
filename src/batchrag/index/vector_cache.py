"""Content-hash cache of passage vectors: a re-index never re-embeds unchanged text."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import numpy as np
from rich.progress import track

from batchrag.index.embedders.base import TextEmbedder


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
            batches = track(batches, description=f"embedding {len(todo)} texts ({emb.name})", transient=True)
        for b in batches:
            vecs = emb.embed([by_key[k] for k in b], kind="passage")
            new = dict(zip(b, vecs, strict=True))
            cache.put(emb.name, new)
            have.update(new)
    out = np.stack([have[k] for k in keys]) if keys else np.zeros((0, emb.dim), np.float32)
    return out.astype(np.float32), len(todo)
