"""Parse throughput (pages/s) over the fixture pages and the real saved archive, with the archive's totals."""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from batchrag.crawl.parse import parse_page
from batchrag.crawl.saved import iter_saved_pages, merge_standalone

ROOT = Path(__file__).resolve().parents[1]


def bench(directory: Path, repeat: int = 1) -> tuple[dict, list]:
    files = list(iter_saved_pages(directory))  # read (and un-gzip) first: time the parser alone
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        pages = [parse_page(raw) for _, raw in files]
        best = min(best, time.perf_counter() - t0)
    mb = sum(len(raw) for _, raw in files) / 1e6
    stats = {"dir": str(directory), "pages": len(files), "seconds": round(best, 3),
             "pages_per_s": round(len(files) / best, 1), "mb_per_s": round(mb / best, 1)}
    return stats, pages, [name for name, _ in files]


def totals(pages: list, names: list[str]) -> dict:
    issues: dict = {}
    standalone: dict = {}
    for p in pages:
        if p.kind == "issue":
            issues.setdefault(p.url, p)
        elif p.kind == "article":
            standalone.setdefault(p.url, p)
    arts = [a for p in issues.values() for a in p.articles]
    numbered = [p for p in issues.values() if p.issue is not None]
    nstories = [a for p in numbered for a in p.articles if a.section == "story"]
    merged = merge_standalone(list(issues.values()) + list(standalone.values()))
    return {
        "issues": len(issues),
        "numbered_issues": len(numbered),
        "sections": dict(Counter(a.section for a in arts)),
        "numbered_issue_letters": sum(a.section == "letter" for p in numbered for a in p.articles),
        "numbered_issue_stories": len(nstories),
        "story_images": sum(len(a.images) for a in arts if a.section == "story"),
        "letter_images": sum(len(a.images) for a in arts if a.section == "letter"),
        "numbered_stories_with_picture": sum(bool(a.images) for a in nstories),
        "standalone_pages": len(standalone),
        "standalone_merged_into_issue_stories": merged,
        "standalone_kept": sum(len(p.articles) for p in standalone.values()),
        "not_split": {Path(n).name: p.error for n, p in zip(names, pages, strict=True) if p.error},
        "warnings": sum(len(p.warnings) for p in pages),
    }


def ingest_twice(directory: Path) -> list[dict]:
    """Offline ingestion into a real SQLite store in a temporary data dir: first run, then a no-op rerun."""
    import os
    import tempfile

    from batchrag.crawl.saved import ingest_dir
    from batchrag.settings import get_settings
    from batchrag.store import Store

    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["BATCHRAG_DATA_DIR"] = tmp
        get_settings.cache_clear()
        store = Store(get_settings().store.db_url)
        for _ in range(2):
            t0 = time.perf_counter()
            s = ingest_dir(store, directory, progress=False)
            s.pop("warning_details")
            s = {k: (len(v) if isinstance(v, list) else v) for k, v in s.items()}
            s["seconds"] = round(time.perf_counter() - t0, 2)
            runs.append(s)
        store.engine.dispose()
    return runs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--archive", type=Path, default=ROOT.parent / "shared" / "thebatch")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--ingest", action="store_true", help="also ingest the archive twice into a fresh store")
    args = ap.parse_args()
    out: dict = {}
    out["fixtures"], _, _ = bench(ROOT / "tests" / "fixtures" / "pages", repeat=max(args.repeat, 20))
    if args.archive.is_dir():
        out["archive"], pages, names = bench(args.archive, repeat=args.repeat)
        out["totals"] = totals(pages, names)
        if args.ingest:
            out["ingest"] = ingest_twice(args.archive)
    else:
        out["archive"] = f"absent: {args.archive}"
    print(json.dumps(out, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
