"""Crawl benchmark on the fixture site: full crawl time and the request count of a no-change re-crawl (JSON)."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from batchrag.crawl.fixture_server import start_fixture_site
from batchrag.crawl.runner import run_crawl
from batchrag.settings import Settings
from batchrag.store import Store


def main(rate: float = 0.0) -> dict:
    with tempfile.TemporaryDirectory() as tmp, start_fixture_site() as site:
        s = Settings(data_dir=Path(tmp), base_url=site.base_url, rate_limit_per_host=rate)
        store = Store(s.store.db_url)
        t0 = time.perf_counter()
        full = run_crawl(store, s, progress=False)
        t_full = time.perf_counter() - t0
        site.reset_log()
        t0 = time.perf_counter()
        again = run_crawl(store, s, progress=False)
        t_again = time.perf_counter() - t0
        t0 = time.perf_counter()
        offline = run_crawl(store, s, offline=True, progress=False)
        t_off = time.perf_counter() - t0
        return {
            "rate_limit_per_host": rate,
            "full_crawl_s": round(t_full, 3),
            "full_crawl_requests": full.requests,
            "articles": full.new,
            "images": full.images_downloaded,
            "recrawl_s": round(t_again, 3),
            "recrawl_requests": again.requests,
            "recrawl_server_log": [f"{st} {p}" for _, p, st in site.log],
            "recrawl_writes": again.new + again.updated,
            "offline_reparse_s": round(t_off, 3),
            "offline_reparse_articles": offline.unchanged,
        }


if __name__ == "__main__":
    print(json.dumps(main(float(sys.argv[1]) if len(sys.argv) > 1 else 0.0), indent=2))
