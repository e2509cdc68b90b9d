"""Retrieval latency of the default query path: p50/p95 ms per question, stories and pictures (JSON).

usage: python bench/retrieve_bench.py DATA_DIR [--questions FILE.jsonl] [--repeat 3]
DATA_DIR must hold a built index (`batchrag index`); the embedder is the index's own.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from batchrag.evaluate.run import load_questions
from batchrag.evaluate.scoring import percentile
from batchrag.index.tables import read_meta
from batchrag.retrieve.search import Retriever
from batchrag.settings import Settings

DEFAULT_QS = [
    "Які нові моделі для генерації відео вийшли останнім часом?",
    "Як великі мовні моделі навчаються міркувати?",
    "What did Andrew Ng say about agentic workflows?",
    "Покажи картинку робота, що готує їжу",
    "How much does it cost to train a frontier model?",
    "Що кажуть про регулювання штучного інтелекту в Європі?",
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("--questions", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    meta = read_meta(Settings(data_dir=a.data_dir).store)
    if meta is None:
        raise SystemExit(f"no index in {a.data_dir}: run `batchrag index` first")
    s = Settings(data_dir=a.data_dir, embedder=meta["embedder"])
    qs = [q["question"] for q in load_questions(a.questions)] if a.questions else DEFAULT_QS
    t = time.perf_counter()
    r = Retriever.of(s)
    load = time.perf_counter() - t
    r.search(qs[0])
    r.search_images(qs[0])
    text, img = [], []
    for _ in range(a.repeat):
        for q in qs:
            r._qcache.clear()  # each search pays its query embedding
            t = time.perf_counter()
            r.search(q, k=5)
            text.append((time.perf_counter() - t) * 1000)
            r._qcache.clear()
            t = time.perf_counter()
            r.search_images(q, k=5)
            img.append((time.perf_counter() - t) * 1000)
    print(
        json.dumps(
            {
                "embedder": s.index.embedder,
                "mode": s.retrieve.search_mode,
                "passages": len(r.p_id),
                "images": len(r.images),
                "load_s": round(load, 2),
                "questions": len(qs) * a.repeat,
                "search_ms": {"p50": percentile(text, 0.5), "p95": percentile(text, 0.95)},
                "search_images_ms": {"p50": percentile(img, 0.5), "p95": percentile(img, 0.95)},
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
