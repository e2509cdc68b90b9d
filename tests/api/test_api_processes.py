"""Many API processes, one library: PostgreSQL for the store, one index dir; a sync is seen by all, no restart."""

from __future__ import annotations

import json

import httpx

from batchrag.service import Library
from batchrag.settings import Settings
from tests.support.api_process import start_api, stop_api
from tests.support.corpus import ARTICLES
from tests.support.net import free_port

GLACIERS = "Satellites and Neural Nets Track Melting Glaciers"


def test_an_index_sync_reaches_every_api_process(tmp_path, postgres):
    url = postgres.database()
    settings = Settings(data_dir=tmp_path / "shared", database_url=url, embedder="use-m3")
    lines = ARTICLES.read_text(encoding="utf-8").splitlines()
    later = [ln for ln in lines if json.loads(ln)["title"] == GLACIERS]
    library = Library(settings)
    assert library.import_([ln for ln in lines if ln not in later])["new"] == 14
    library.index()

    env = {"DATABASE_URL": url, "BATCHRAG_DATA_DIR": str(settings.store.data_dir), "BATCHRAG_EMBEDDER": "use-m3",
           "BATCHRAG_LLM_BACKEND": "extractive", "BATCHRAG_REWRITE": "off"}
    ports = [free_port(), free_port()]
    procs = [start_api(env, ports[0], workers=2)]
    try:
        procs.append(start_api(env, ports[1]))
        bases = [f"http://127.0.0.1:{p}" for p in ports]

        def top(base: str) -> str:
            r = httpx.get(f"{base}/search", params={"q": "melting glaciers satellites", "k": 1}, timeout=60)
            assert r.status_code == 200, r.text
            return r.json()["results"][0]["title"]

        assert all(top(b) != GLACIERS for b in bases for _ in range(3))  # every worker has loaded the index
        assert library.import_(later)["new"] == 1
        assert library.index().to_json()["embedded"] >= 1  # one process syncs …
        for b in bases:  # … and every API process answers from the new index, without a restart
            assert all(top(b) == GLACIERS for _ in range(3))
            lib = httpx.get(f"{b}/library", timeout=30).json()
            assert lib["articles"] == 15 and lib["indexed_articles"] == 15
            ans = httpx.post(f"{b}/ask", json={"question": "Як тануть льодовики?", "stream": False}, timeout=60)
            assert ans.status_code == 200 and GLACIERS in [s["title"] for s in ans.json()["sources"]]
    finally:
        for p in procs:
            stop_api(p)
