"""Relevance matching and rank metrics (recall@k, MRR@10, nDCG@10 with binary gains)."""

from __future__ import annotations

import math
import re
import unicodedata

from batchrag.domain.site import LETTER

METRIC_KEYS = ("recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10", "p50_ms", "p95_ms")


def norm_title(t: str | None) -> str:
    """Titles compare case-, accent-, quote- and punctuation-insensitively."""
    t = unicodedata.normalize("NFKD", t or "").casefold()
    t = "".join(c for c in t if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+", t))


def is_relevant(issue: int | None, title: str, section: str, relevant: list[dict]) -> bool:
    """A hit: any relevant entry matched by issue + normalised title, or issue + section 'letter'."""
    for r in relevant:
        if r.get("issue") is not None and r["issue"] != issue:
            continue
        if r.get("title") and norm_title(r["title"]) == norm_title(title):
            return True
        if r.get("section") == LETTER and section == LETTER and not r.get("title"):
            return True
    return False


def percentile(xs: list[float], q: float) -> float | None:
    if not xs:
        return None
    s = sorted(xs)
    i = (len(s) - 1) * q
    lo, hi = math.floor(i), math.ceil(i)
    return round(s[lo] + (s[hi] - s[lo]) * (i - lo), 2)


def score_ranking(flags: list[bool], n_relevant: int) -> dict[str, float]:
    """Metrics of one ranked list of relevance flags; n_relevant items exist in the corpus (for the ideal DCG)."""
    first = next((i for i, f in enumerate(flags) if f), None)
    dcg = sum(1 / math.log2(i + 2) for i, f in enumerate(flags[:10]) if f)
    idcg = sum(1 / math.log2(i + 2) for i in range(min(max(n_relevant, 1), 10)))
    return {
        "recall@1": float(first is not None and first < 1),
        "recall@5": float(first is not None and first < 5),
        "recall@10": float(first is not None and first < 10),
        "mrr@10": 1 / (first + 1) if first is not None and first < 10 else 0.0,
        "ndcg@10": dcg / idcg if idcg else 0.0,
    }


def aggregate(rows: list[dict[str, float]], latencies: list[float]) -> dict:
    """The metrics object M of docs/contracts.md#eval---json: n, means of the rank metrics, p50/p95 latency (nulls when n is 0)."""
    out: dict = {"n": len(rows)}
    for key in METRIC_KEYS[:5]:
        out[key] = round(sum(r[key] for r in rows) / len(rows), 4) if rows else None
    out["p50_ms"] = percentile(latencies, 0.5)
    out["p95_ms"] = percentile(latencies, 0.95)
    return out
