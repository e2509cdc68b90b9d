"""Admin routes on a real API (uvicorn on loopback): the library update (one at a time across processes, its state at
GET /library) and the model pull; readers get 403; and `batchrag api --sync-every` over two processes."""

from __future__ import annotations

import time

import httpx
import pytest

from batchrag.service import LibraryUpdater
from batchrag.service.keys import Keys
from batchrag.settings import Settings
from tests.support.later_issue import LATER_STORY, start_later_site
from tests.support.ollama_wire import ScriptedOllama


@pytest.fixture
def admin_api(tmp_path):
    from batchrag.api import create_app
    from tests.support.live_api import serve_app

    site = start_later_site(delay_s=0.05)  # a slow site: an update runs long enough to be raced
    ollama = ScriptedOllama(models=[], library={"llama3.1:8b": 4_900_000_000}).start()
    s = Settings(data_dir=tmp_path / "lib", base_url=site.base_url, rate_limit_per_host=0, embedder="use-m3",
                 download_images=False, llm_backend="extractive", rewrite="off", ollama_host=ollama.url)
    reader, admin = Keys(s).create("olena"), Keys(s).create("ops", "admin")
    try:
        with serve_app(create_app(s)) as url:
            yield s, url, {"Authorization": f"Bearer {reader}"}, {"Authorization": f"Bearer {admin}"}
    finally:
        site.stop()
        ollama.stop()


def test_only_admins_update_the_library_one_at_a_time_and_every_process_sees_its_state(admin_api):
    s, url, reader, admin = admin_api
    for method, path in [("POST", "/library/update"), ("POST", "/models/pull"), ("GET", "/models/pull")]:
        r = httpx.request(method, f"{url}{path}", headers=reader)
        assert r.status_code == 403 and "admins" in r.json()["error"], (path, r.text)
        assert httpx.request(method, f"{url}{path}").status_code == 401
    assert httpx.get(f"{url}/library", headers=reader).json()["update"] is None  # never updated yet

    started = httpx.post(f"{url}/library/update", headers=admin)
    assert started.status_code == 202 and started.json()["update"]["running"] is True
    again = httpx.post(f"{url}/library/update", headers=admin)
    assert again.status_code == 409 and "already running" in again.json()["error"]
    other = LibraryUpdater(s)  # another process over the same store: it may not start one either
    assert not other.start() and other.busy_elsewhere()

    deadline = time.time() + 120
    while (lib := httpx.get(f"{url}/library", headers=reader).json())["update"]["running"]:
        assert time.time() < deadline
        time.sleep(0.3)
    assert lib["update"]["stage"] == "done" and lib["update"]["added"] == lib["articles"] > 0
    assert lib["update"]["finished_at"] >= lib["update"]["started_at"]  # ISO times
    assert lib["indexed_articles"] == lib["articles"] and lib["sync"]["every_s"] is None
    hit = httpx.get(f"{url}/search", params={"q": "robot dogs power lines"}, headers=reader).json()["results"]
    assert LATER_STORY not in [h["title"] for h in hit]  # not published yet
    assert other.start()  # free again, for any process
    other.join(120)


def test_an_admin_pulls_a_model_in_the_background(admin_api):
    _, url, _, admin = admin_api
    bad = httpx.post(f"{url}/models/pull", json={"model": "rm -rf /"}, headers=admin)
    assert bad.status_code == 400 and "bad model name" in bad.json()["error"]
    r = httpx.post(f"{url}/models/pull", json={"model": "llama3.1:8b"}, headers=admin)
    assert r.status_code == 202 and r.json()["pull"]["name"] == "llama3.1:8b"
    deadline = time.time() + 60
    while (st := httpx.get(f"{url}/models/pull", headers=admin).json())["running"]:
        assert time.time() < deadline
        time.sleep(0.2)
    assert st["error"] is None and st["result"]["via"] == "ollama" and st["result"]["model"] == "llama3.1:8b"
    missing = httpx.post(f"{url}/models/pull", json={"model": "gemma3:27b"}, headers=admin)
    assert missing.status_code == 202
    while (st := httpx.get(f"{url}/models/pull", headers=admin).json())["running"]:
        time.sleep(0.2)
    assert "file does not exist" in st["error"] and "\n" not in st["error"]  # the failure, one line, in the state


def test_api_sync_every_takes_a_duration_or_says_one_line():
    from typer.testing import CliRunner

    from batchrag.cli import app

    r = CliRunner().invoke(app, ["api", "--sync-every", "5s"])
    assert r.exit_code == 1 and r.stderr.strip() == "error: --sync-every 5s is too short: at least 10 s"
