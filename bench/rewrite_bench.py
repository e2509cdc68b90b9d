"""Query-rewrite costs: LLM rewrite latency (cold and cache hit) and retrieval latency with and without it (JSON).

usage: python bench/rewrite_bench.py DATA_DIR [--questions FILE.jsonl] [--rewriter embedded] [--n 15]
DATA_DIR must hold a built index; the rewrite cache used is a throw-away one, so the first pass is a real LLM call.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from batchrag.evaluate.run import load_questions
from batchrag.index.tables import META_FILE
from batchrag.retrieve.rewrite.registry import REWRITERS
from batchrag.retrieve.search import Retriever
from batchrag.settings import Settings

DEFAULT_QUESTIONS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "corpus" / "questions.jsonl"


def pct(xs: list[float]) -> dict:
    xs = sorted(xs)
    return {"p50": round(statistics.median(xs), 1), "p95": round(xs[min(len(xs) - 1, int(0.95 * len(xs)))], 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    ap.add_argument("--rewriter", default="embedded")
    ap.add_argument("--n", type=int, default=15)
    a = ap.parse_args()
    embedder = json.loads((a.data_dir / "lancedb" / META_FILE).read_text())["embedder"]
    qs = [q["question"] for q in load_questions(a.questions) if q.get("lang") == "uk"][: a.n]
    with tempfile.TemporaryDirectory() as tmp:
        # The rewrite cache lives in the data dir: a throw-away one that links to the index, so the first pass
        # really calls the LLM.
        for name in ("lancedb", "articles.db"):
            (Path(tmp) / name).symlink_to((a.data_dir / name).resolve())
        s = Settings(data_dir=Path(tmp), embedder=embedder)
        rw = REWRITERS.create(a.rewriter, s)
        r = Retriever.of(s)
        r.search(qs[0], k=5)
        cold, hit, plain, fused, rewritten = [], [], [], [], {}
        for q in qs:
            t = time.perf_counter()
            rewritten[q] = rw.rewrite(q)
            cold.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            rw.rewrite(q)
            hit.append((time.perf_counter() - t) * 1000)
        for q in qs:
            t = time.perf_counter()
            r.search(q, k=5)
            plain.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            r.search(q, k=5, english_query=rewritten[q])
            fused.append((time.perf_counter() - t) * 1000)
    print(json.dumps({
        "rewriter": a.rewriter, "questions": len(qs), "rewritten": sum(v is not None for v in rewritten.values()),
        "rewrite_ms": pct(cold), "rewrite_cache_hit_ms": pct(hit),
        "search_ms": pct(plain), "search_with_rewrite_ms": pct(fused),
        "examples": dict(list(rewritten.items())[:3]),
    }, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
