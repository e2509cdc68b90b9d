"""Many API processes, one library: PostgreSQL for the store, one index dir; a sync is seen by all, no restart."""

from __future__ import annotations

import json
import time

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


def test_two_processes_sync_on_a_schedule_one_at_a_time_and_see_a_revocation_within_2_s(tmp_path, postgres):
    from batchrag.service.keys import Keys
    from tests.support.later_issue import LATER_STORY, start_later_site

    url = postgres.database()
    site = start_later_site()
    settings = Settings(data_dir=tmp_path / "shared", database_url=url, embedder="use-m3")
    admin, olena = Keys(settings).create("ops", "admin"), Keys(settings).create("olena")
    env = {"DATABASE_URL": url, "BATCHRAG_DATA_DIR": str(settings.store.data_dir), "BATCHRAG_EMBEDDER": "use-m3",
           "BATCHRAG_LLM_BACKEND": "extractive", "BATCHRAG_REWRITE": "off", "BATCHRAG_BASE_URL": site.base_url,
           "BATCHRAG_RATE_LIMIT_PER_HOST": "0", "BATCHRAG_DOWNLOAD_IMAGES": "false"}
    ports = [free_port(), free_port()]
    procs = []
    try:
        procs = [start_api(env, p, args=("--sync-every", "10s")) for p in ports]
        bases = [f"http://127.0.0.1:{p}" for p in ports]
        as_admin, as_olena = {"Authorization": f"Bearer {admin}"}, {"Authorization": f"Bearer {olena}"}

        def library(base: str) -> dict:
            r = httpx.get(f"{base}/library", headers=as_admin, timeout=30)
            assert r.status_code == 200, r.text
            return r.json()

        def titles(base: str) -> list[str]:
            r = httpx.get(f"{base}/search", params={"q": "robot dogs inspect power lines", "k": 3},
                          headers=as_olena, timeout=60)
            return [h["title"] for h in r.json()["results"]] if r.status_code == 200 else []

        def wait(cond, what: str, seconds: float = 90):
            deadline = time.monotonic() + seconds
            while not cond():
                assert time.monotonic() < deadline, what
                time.sleep(0.5)

        # An empty library: the first tick of one process crawls and indexes it; the other follows.
        wait(lambda: all(library(b)["indexed_articles"] for b in bases), "the first scheduled sync")
        first = library(bases[0])
        # "unchanged": on a busy machine a later tick may already have found nothing new after the first one
        assert first["sync"]["every_s"] == 10 and first["sync"]["next_at"]
        assert first["update"]["stage"] in ("done", "unchanged")
        assert first["update"] == library(bases[1])["update"]  # one record, whichever process ran it
        assert all(LATER_STORY not in titles(b) for b in bases)

        site.publish()  # a new issue: a later tick of either process picks it up; both serve it, no restart
        wait(lambda: all(LATER_STORY in titles(b) for b in bases), "the new issue served by both processes")
        holders = {library(b)["update"]["holder"] for b in bases}
        assert len(holders) == 1

        # A key revoked in one place is refused by every process within 2 s.
        assert all(httpx.get(f"{b}/library", headers=as_olena).status_code == 200 for b in bases)
        Keys(settings).revoke("olena")
        t0 = time.monotonic()
        wait(lambda: all(httpx.get(f"{b}/library", headers=as_olena).status_code == 401 for b in bases),
             "the revocation", seconds=2)
        assert time.monotonic() - t0 <= 2
    finally:
        for p in procs:
            stop_api(p)
        site.stop()
