"""The picture signals (record text by BM25, pixels by an image embedder, the story's score), each calibrated by its
own distribution, and picture hits."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from batchrag.domain.types import ImageHit
from batchrag.index.image_embedders.registry import IMAGE_EMBEDDERS
from batchrag.index.tables import check_image_embedder
from batchrag.retrieve.fusion import DEPTH, standardised
from batchrag.retrieve.query import fts_query, remembered
from batchrag.retrieve.snapshot import Snapshot, column, vectors
from batchrag.settings import IndexSettings


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

    def scores(self, text: str) -> np.ndarray:
        """Each picture's match to `text` (CLIP text-to-image) in standard deviations over the pictures that have a
        vector; those without one get the lowest."""
        q = remembered(self._qcache, text, lambda t: self.img.embed_texts([t])[0])
        raw = self.P @ q
        z = standardised(raw, raw[self.has])
        return np.where(self.has, z, z[self.has].min() if self.has.any() else 0.0)


def pixels_of(snap: Snapshot, index: IndexSettings, cached: Pixels | None) -> Pixels | None:
    """The index's picture vectors (`cached` while still of this version), None when it was built without them.

    Settings saying image_embedder=none keep the pixel signal off (no torch at search time); another
    image embedder than the index's is the same mismatch error as at index time."""
    if snap.meta.get("image_embedder", "none") == "none" or index.image_embedder == "none":
        return None
    check_image_embedder(snap.meta, index.image_embedder)
    if cached is not None and cached.stamp == snap.stamp:
        return cached
    return Pixels(snap, IMAGE_EMBEDDERS.create(snap.meta["image_embedder"], index))


def record_scores(snap: Snapshot, qvec: np.ndarray) -> np.ndarray:
    """Each picture record's dense similarity to the query, in standard deviations over all the pictures."""
    return standardised(snap.I @ qvec)


def bm25_scores(snap: Snapshot, text: str) -> np.ndarray:
    """Each picture record's BM25 score for `text`, in standard deviations over all the pictures (0 for the records
    that match no word); all 0 when BM25 abstains."""
    raw = np.zeros(len(snap.images))
    q = fts_query(text)
    if not q:
        return raw
    try:
        res = snap.image_table.search(q, query_type="fts").limit(DEPTH).select(["id", "_score"]).to_arrow()
    except Exception:  # no FTS index (no images) or an odd query: BM25 abstains
        return raw
    for i, sc in zip(res.column("id").to_pylist(), res.column("_score").to_pylist(), strict=True):
        if i in snap.image_row:
            raw[snap.image_row[i]] = sc
    return standardised(raw)


def story_scores(snap: Snapshot, fused: dict[int, float], story_order: list[int]) -> np.ndarray:
    """Each picture's story's fused score, in standard deviations over the first DEPTH stories' scores; the pictures
    of the other stories get the lowest of them. A story's pictures share it (their records order them)."""
    top = np.array([fused[a] for a in story_order[:DEPTH]], dtype=np.float64)
    if not len(top):
        return np.zeros(len(snap.images))
    z = dict(zip(story_order[:DEPTH], standardised(top).tolist(), strict=True))
    floor = min(z.values())
    return np.array([z.get(r["article_id"], floor) for r in snap.images])


def image_hits(snap: Snapshot, scores: np.ndarray, k: int) -> list[ImageHit]:
    """The k best pictures by fused score, one per URL (a picture in two stories counts once)."""
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
