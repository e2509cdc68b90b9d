"""The published index loaded into memory: passage and picture-record vectors as numpy arrays, the article table."""

from __future__ import annotations

from datetime import date

import numpy as np

from batchrag.domain.types import ImageRef
from batchrag.index.tables import META_FILE, open_tables
from batchrag.settings import StoreSettings


def column(tbl, name: str) -> list:
    return tbl.column(name).to_pylist()


def vectors(tbl, dim: int, name: str = "vector") -> np.ndarray:
    """A fixed-size list column as a (rows, dim) float32 matrix."""
    if tbl.num_rows == 0:
        return np.zeros((0, dim), np.float32)
    flat = tbl.column(name).combine_chunks().flatten().to_numpy(zero_copy_only=False)
    return np.ascontiguousarray(flat.reshape(-1, dim), dtype=np.float32)


def meta_stamp(store: StoreSettings) -> int | None:
    """When the meta file was last replaced (a new index published), None when there is none."""
    p = store.lancedb_dir / META_FILE
    return p.stat().st_mtime_ns if p.exists() else None


class Snapshot:
    """One published version of the index: passage rows (p_*, P), picture records (images, I), articles by id."""

    def __init__(self, store: StoreSettings, embedder: str):
        meta, pt, it = open_tables(store, embedder)
        self.meta, self.passage_table, self.image_table = meta, pt, it
        self.stamp = meta_stamp(store)
        dim = meta["dim"]
        p = pt.to_arrow()
        self.p_id = column(p, "id")
        self.p_article = np.array(column(p, "article_id"), dtype=np.int64)
        self.p_text = column(p, "text")
        self.p_date = np.array([d or "" for d in column(p, "date")])
        self.p_tags = [{t.lower() for t in (ts or [])} for ts in column(p, "tags")]
        self.P = vectors(p, dim)
        self.row_of = {pid: i for i, pid in enumerate(self.p_id)}
        self.article = self._articles(p)
        im = it.to_arrow()
        self.images = im.select([c for c in im.column_names if c not in ("vector", "pixel_vector")]).to_pylist()
        self.I = vectors(im, dim)
        self.image_row = {r["id"]: i for i, r in enumerate(self.images)}
        for r in self.images:
            a = self.article.get(r["article_id"])
            if a is not None:
                a["images"].append(
                    ImageRef(
                        url=r["url"], alt=r["alt"], caption=r["caption"], local_path=r["local_path"] or None
                    )
                )
        dates = sorted({a["date"] for a in self.article.values() if a["date"]})
        self._dmin = dates[0].toordinal() if dates else 0
        self._dspan = max(1, (dates[-1].toordinal() - self._dmin) if dates else 1)

    def _articles(self, p) -> dict[int, dict]:
        """Article id -> its fields, taken from its first passage row ("row"); pictures are added after."""
        article: dict[int, dict] = {}
        for i, (aid, title, url, d, iss, sec, tags) in enumerate(
            zip(
                self.p_article.tolist(),
                column(p, "title"),
                column(p, "url"),
                column(p, "date"),
                column(p, "issue"),
                column(p, "section"),
                column(p, "tags"),
                strict=True,
            )
        ):
            if aid not in article:
                article[aid] = {
                    "title": title,
                    "url": url,
                    "date": date.fromisoformat(d) if d else None,
                    "issue": iss,
                    "section": sec,
                    "tags": list(tags or []),
                    "images": [],
                    "row": i,
                }
        return article

    def newness(self, aid: int) -> float:
        """Where the article's date lies between the oldest (0) and the newest (1) in the index; 0 when undated."""
        d = self.article[aid]["date"]
        return (d.toordinal() - self._dmin) / self._dspan if d else 0.0

    def is_current(self, store: StoreSettings) -> bool:
        """False once another index was published (a missing meta file keeps the loaded one)."""
        stamp = meta_stamp(store)
        return stamp is None or stamp == self.stamp
