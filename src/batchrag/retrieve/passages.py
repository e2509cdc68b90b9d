"""The story signals: passages ranked densely or by BM25 under the filters, grouped into distinct articles."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from batchrag.retrieve.fusion import DEPTH
from batchrag.retrieve.query import fts_query
from batchrag.retrieve.snapshot import Snapshot


class Story(NamedTuple):
    """One article in a signal's ranking: its top passage rows, the score it ranks by, its best passage's score."""

    article: int
    rows: list[int]
    score: float
    best: float


Ranked = list[Story]  # best first


class Complete(list):
    """A ranking that holds every article the signal scores at all (BM25 on rare words): the rest score 0."""


def complete(ranked: Ranked) -> bool:
    """Whether `ranked` lists every article its signal scores (then the unlisted ones score 0, not "lower")."""
    return isinstance(ranked, Complete)


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
    return [Story(a, rs, s, s) for a, (rs, s) in out.items()]


def pooled(snap: Snapshot, ranked: Ranked, rows, scores, temperature: float) -> Ranked:
    """Re-rank articles by a soft maximum over all their passages among `rows`: T·log Σ exp(s/T).

    One passage far ahead still decides; several passages that each match part of a detail question add up, which
    a long letter of many similar paragraphs needs (docs/decisions/0013-soft-max-pooling-and-finer-letters.md). `best` stays the best
    passage's own similarity (the refusal floor and the cards read it)."""
    if temperature <= 0 or not ranked:
        return ranked
    top = float(scores[0])
    mass: dict[int, float] = {}
    for r, s in zip(rows, scores, strict=True):
        aid = int(snap.p_article[r])
        mass[aid] = mass.get(aid, 0.0) + float(np.exp((s - top) / temperature))
    out = [st._replace(score=top + temperature * float(np.log(mass[st.article]))) for st in ranked]
    return sorted(out, key=lambda st: -st.score)


def dense(
    snap: Snapshot, qvec: Callable[[str], np.ndarray], text: str, mask, cap: int, temperature: float = 0.0
) -> Ranked:
    """Articles by their passages' similarity to `text`: the best passage's, or pooled when temperature > 0."""
    if not len(snap.P):
        return []
    s = snap.P @ qvec(text)
    if mask is not None:
        s = np.where(mask, s, -np.inf)
    n = min(len(s), DEPTH * 4)
    top = np.argpartition(-s, n - 1)[:n]
    top = top[np.argsort(-s[top])]
    top = top[np.isfinite(s[top])]
    return pooled(snap, group(snap, top, s[top], cap), top, s[top], temperature)


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
    ranked = group(snap, rows, scores, cap)
    # Fewer passages than asked for: every passage that matches a word is here (and every article, below DEPTH).
    return Complete(ranked) if res.num_rows < DEPTH * 4 and len(ranked) < DEPTH else ranked
