"""The picture signals (record text by BM25, pixels by an image embedder, the story's rank) and picture hits."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from batchrag.domain.types import ImageHit
from batchrag.index.image_embedders.registry import IMAGE_EMBEDDERS
from batchrag.index.tables import check_image_embedder
from batchrag.retrieve.fusion import DEPTH
from batchrag.retrieve.query import fts_query, remembered
from batchrag.retrieve.snapshot import Snapshot, column, vectors
from batchrag.settings import Settings


class Pixels:
    """The picture vectors of one index version and the image embedder that reads queries for them."""

    def __init__(self, snap: Snapshot, img):
        self.stamp, self.img = snap.stamp, img
        t = snap.image_table.to_arrow().select(["id", "pixel_vector", "has_pixels"])
        dim = t.schema.field("pixel_vector").type.list_size
        self.P = np.zeros((len(snap.images), dim), np.float32)
        self.has = np.zeros(len(snap.images), dtype=bool)
        flat = vectors(t, dim, "pixel_vector")
        # Matched by id: the table may be a newer version than the rows loaded with the index.
        for j, (iid, h) in enumerate(zip(column(t, "id"), column(t, "has_pixels"), strict=True)):
            i = snap.image_row.get(iid)
            if i is not None and h:
                self.P[i], self.has[i] = flat[j], True
        self._qcache: OrderedDict[str, np.ndarray] = OrderedDict()  # text vectors of recent queries

    def order(self, text: str) -> list[int]:
        """Rows of the pictures that have a vector, best match to `text` first (CLIP text-to-image)."""
        q = remembered(self._qcache, text, lambda t: self.img.embed_texts([t])[0])
        rows = np.flatnonzero(self.has)
        return rows[np.argsort(-(self.P[rows] @ q), kind="stable")].tolist()


def pixels_of(snap: Snapshot, settings: Settings, cached: Pixels | None) -> Pixels | None:
    """The index's picture vectors (`cached` while still of this version), None when it was built without them.

    Settings saying image_embedder=none keep the pixel signal off (no torch at search time); another
    image embedder than the index's is the same mismatch error as at index time."""
    if snap.meta.get("image_embedder", "none") == "none" or settings.index.image_embedder == "none":
        return None
    check_image_embedder(snap.meta, settings.index.image_embedder)
    if cached is not None and cached.stamp == snap.stamp:
        return cached
    return Pixels(snap, IMAGE_EMBEDDERS.create(snap.meta["image_embedder"], settings))


def bm25_images(snap: Snapshot, text: str) -> list[int]:
    q = fts_query(text)
    if not q:
        return []
    try:
        res = snap.image_table.search(q, query_type="fts").limit(DEPTH).select(["id", "_score"]).to_arrow()
    except Exception:  # no FTS index (no images) or an odd query: BM25 abstains
        return []
    return [snap.image_row[i] for i in res.column("id").to_pylist() if i in snap.image_row]


def by_story(snap: Snapshot, story_order: list[int]) -> dict[int, int]:
    """Picture row -> the rank of its story among the first DEPTH stories (pictures of a story share it)."""
    story_rank = {aid: r for r, aid in enumerate(story_order[:DEPTH])}
    return {i: story_rank[r["article_id"]] for i, r in enumerate(snap.images) if r["article_id"] in story_rank}


def image_hits(snap: Snapshot, fused: dict[int, float], k: int) -> list[ImageHit]:
    """The k best pictures by fused score, one per URL (a picture in two stories counts once)."""
    scores = np.zeros(len(snap.images))
    for i, v in fused.items():
        scores[i] = v
    out: list[ImageHit] = []
    seen: set[str] = set()
    for i in np.argsort(-scores):
        r = snap.images[int(i)]
        if r["url"] in seen:
            continue
        seen.add(r["url"])
        out.append(
            ImageHit(
                url=r["url"],
                alt=r["alt"],
                caption=r["caption"],
                article_id=r["article_id"],
                article_url=r["article_url"],
                article_title=r["article_title"],
                score=round(float(scores[i]), 6),
                local_path=r["local_path"] or None,
                machine_caption=r.get("machine_caption") or "",
            )
        )
        if len(out) >= k:
            break
    return out
