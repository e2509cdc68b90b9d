"""Picture vectors of the image rows (image embedder on), cached by file content in the vector cache."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import numpy as np
from rich.progress import track

from batchrag.domain.types import StoredArticle
from batchrag.index.image_embedders.base import ImageEmbedder
from batchrag.index.vector_cache import VectorCache
from batchrag.settings import Settings

log = logging.getLogger(__name__)


def image_file(settings: Settings, local_path: str) -> Path | None:
    if not local_path:
        return None
    root = settings.store.images_dir.resolve()
    p = (root / local_path).resolve()
    # local_path comes from the store (an imported JSONL may say anything): only files under images_dir count.
    return p if p.is_relative_to(root) and p.is_file() else None


def files_sig(art: StoredArticle, settings: Settings) -> str:
    """Which of an article's pictures are on disk: a download after indexing must re-embed its pixels."""
    on_disk = sorted(im.local_path for im in art.images if image_file(settings, im.local_path or ""))
    return hashlib.sha256("\n".join(on_disk).encode()).hexdigest()[:16]


def file_sha(p: Path) -> str:
    with p.open("rb") as fp:
        return hashlib.file_digest(fp, "sha256").hexdigest()


def add_pixels(
    rows: list[dict], img: ImageEmbedder, settings: Settings, cache: VectorCache, progress: bool
) -> tuple[int, list[str]]:
    """Give each image row its picture's vector, cached by file sha; rows without a readable file get zeros."""
    key = f"pixels:{img.name}"
    files = [image_file(settings, r["local_path"]) for r in rows]
    missing = sum(1 for r, f in zip(rows, files, strict=True) if r["local_path"] and f is None)
    if missing:
        log.warning("%d pictures have a local_path but no file under %s", missing, settings.store.images_dir)
    shas = [file_sha(f) if f else None for f in files]
    # A model folder replaced in place keeps its name: vectors of another size are stale.
    have = {k: v for k, v in cache.get(key, sorted({x for x in shas if x})).items() if v.shape[0] == img.dim}
    todo = list({x: f for x, f in zip(shas, files, strict=True) if x and x not in have}.items())
    failures: list[str] = []
    bs = max(1, settings.index.image_batch_size)
    batches = [todo[i : i + bs] for i in range(0, len(todo), bs)]
    if progress:
        batches = track(batches, description=f"embedding {len(todo)} pictures ({img.name})", transient=True)
    for b in batches:
        vecs = img.embed_images([f for _, f in b])
        new = {}
        for (x, f), v in zip(b, vecs, strict=True):
            if np.any(v):
                new[x] = v
            else:  # unreadable: no vector, the row keeps its text signal; retried when its article changes
                failures.append(f"{f.name}: {img.failures.get(str(f), 'no vector')}")
        cache.put(key, new)
        have.update(new)
    zero = np.zeros(img.dim, np.float32)
    for r, x in zip(rows, shas, strict=True):
        v = have.get(x) if x else None
        r["pixel_vector"] = zero if v is None else v
        r["has_pixels"] = v is not None
    return len(todo) - len(failures), failures
