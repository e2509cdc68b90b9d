"""The story signals: passages ranked densely or by BM25 under the filters, grouped into distinct articles."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from batchrag.retrieve.fusion import DEPTH
from batchrag.retrieve.query import fts_query
from batchrag.retrieve.snapshot import Snapshot

Ranked = list[tuple[int, list[int], float]]  # (article, its top passage rows, best score), best first


def filter_mask(snap: Snapshot, date_from, date_to, tags) -> np.ndarray | None:
    """Passage rows the filters let through; None when there are no filters."""
    if not (date_from or date_to or tags):
        return None
    m = np.ones(len(snap.p_id), dtype=bool)
    if date_from:
        m &= (snap.p_date != "") & (snap.p_date >= str(date_from))
    if date_to:
        m &= (snap.p_date != "") & (snap.p_date <= str(date_to))
    if tags:
        want = {t.lower() for t in tags}
        m &= np.array([bool(ts & want) for ts in snap.p_tags], dtype=bool)
    return m


def group(snap: Snapshot, rows, scores, cap: int) -> Ranked:
    """Passages in score order -> distinct articles (best score, their top `cap` passages), DEPTH at most."""
    out: dict[int, tuple[list[int], float]] = {}
    for r, s in zip(rows, scores, strict=True):
        aid = int(snap.p_article[r])
        if aid in out:
            if len(out[aid][0]) < cap:
                out[aid][0].append(int(r))
            continue
        if len(out) >= DEPTH:
            continue
        out[aid] = ([int(r)], float(s))
    return [(a, rs, s) for a, (rs, s) in out.items()]


def dense(snap: Snapshot, qvec: Callable[[str], np.ndarray], text: str, mask, cap: int) -> Ranked:
    if not len(snap.P):
        return []
    s = snap.P @ qvec(text)
    if mask is not None:
        s = np.where(mask, s, -np.inf)
    n = min(len(s), DEPTH * 4)
    top = np.argpartition(-s, n - 1)[:n]
    top = top[np.argsort(-s[top])]
    top = top[np.isfinite(s[top])]
    return group(snap, top, s[top], cap)


def bm25(snap: Snapshot, text: str, mask, cap: int) -> Ranked:
    q = fts_query(text)
    if not q or not snap.p_id:
        return []
    try:
        res = snap.passage_table.search(q, query_type="fts").limit(DEPTH * 4).select(["id", "_score"]).to_arrow()
    except Exception:  # an empty or odd query must not break search: BM25 just abstains
        return []
    rows, scores = [], []
    for pid, sc in zip(res.column("id").to_pylist(), res.column("_score").to_pylist(), strict=True):
        r = snap.row_of.get(pid)
        if r is not None and (mask is None or mask[r]):
            rows.append(r)
            scores.append(sc)
    return group(snap, rows, scores, cap)
