"""The reference design's entry points still work: scrape the fixture site, then build the index."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from batchrag.crawl.fixture_server import start_fixture_site
from batchrag.index.tables import read_meta
from batchrag.settings import Settings
from batchrag.store import open_store

ROOT = Path(__file__).resolve().parents[1]


def _run(script: str, *args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / script), *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


def test_reference_scripts_scrape_and_index(data_dir):
    site = start_fixture_site()
    env = {**os.environ, "BATCHRAG_DATA_DIR": str(data_dir), "BATCHRAG_RATE_LIMIT_PER_HOST": "0",
           "BATCHRAG_EMBEDDER": "use-m3"}
    try:
        scraped = _run("run_scraper_and_save.py", "--base-url", site.base_url, "--json", env=env)
    finally:
        site.stop()
    assert scraped.returncode == 0, scraped.stderr
    assert json.loads(scraped.stdout)["new"] > 20
    built = _run("build_multimodal_index.py", "--json", env=env)
    assert built.returncode == 0, built.stderr
    s = Settings(data_dir=data_dir)
    assert json.loads(built.stdout)["articles"] == open_store(s).stats()["articles"]
    assert read_meta(s)["embedder"] == "use-m3"
    again = _run("build_multimodal_index.py", "--json", env=env)  # idempotent: nothing re-embedded
    assert json.loads(again.stdout)["embedded"] == 0
