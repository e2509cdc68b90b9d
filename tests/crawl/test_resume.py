"""SIGKILL a real `batchrag crawl` subprocess mid-way, re-run it, and get exactly the rows of an uninterrupted crawl."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from batchrag.crawl.fixture_server import start_fixture_site

QUERY_ARTICLES = "SELECT url, title, text, section, issue, date, alt_urls, content_hash FROM articles ORDER BY url"
QUERY_IMAGES = ("SELECT a.url, i.url, i.alt, i.position, i.local_path, i.width, i.height, i.error "
                "FROM images i JOIN articles a ON a.id = i.article_id ORDER BY a.url, i.url")


def crawl_cmd(base_url: str, data_dir: Path) -> tuple[list[str], dict]:
    env = {**os.environ, "BATCHRAG_DATA_DIR": str(data_dir), "BATCHRAG_RATE_LIMIT_PER_HOST": "25",
           "BATCHRAG_BACKOFF_BASE_S": "0.01"}
    return [sys.executable, "-m", "batchrag.cli", "crawl", "--base-url", base_url, "--json"], env


def count(db: Path, sql: str) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as con:
            return con.execute(sql).fetchone()[0]
    except sqlite3.OperationalError:  # tables not created yet
        return 0


def snapshot(db: Path) -> tuple[list, list, list]:
    with sqlite3.connect(db) as con:
        issues = con.execute("SELECT slug, number, url, title, date FROM issues ORDER BY slug").fetchall()
        return con.execute(QUERY_ARTICLES).fetchall(), con.execute(QUERY_IMAGES).fetchall(), issues


def run_until(cmd, env, db: Path, sql: str, threshold: int, deadline_s: float = 30) -> bool:
    """Start the crawl and SIGKILL it once `sql` counts at least `threshold`; False if it finished first."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t0 = time.monotonic()
    while proc.poll() is None and time.monotonic() - t0 < deadline_s:
        if count(db, sql) >= threshold:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.02)
    proc.wait(timeout=deadline_s)
    return False


@pytest.mark.timeout(120)
def test_kill_and_resume_gives_the_same_rows(tmp_path):
    with start_fixture_site() as site:
        ref_dir, killed_dir = tmp_path / "ref", tmp_path / "killed"
        cmd, env = crawl_cmd(site.base_url, ref_dir)
        subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=60)

        cmd, env = crawl_cmd(site.base_url, killed_dir)
        db = killed_dir / "articles.db"
        killed_in_pages = run_until(cmd, env, db, "SELECT count(*) FROM articles", 6)
        mid = count(db, "SELECT count(*) FROM articles")
        killed_in_images = run_until(cmd, env, db, "SELECT count(*) FROM images WHERE local_path IS NOT NULL", 3)
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr

    assert killed_in_pages and 6 <= mid < 27, "the crawl should have been killed mid-way through the pages"
    assert killed_in_images, "the second run should have been killed while downloading images"
    ref, got = snapshot(ref_dir / "articles.db"), snapshot(db)
    assert len(ref[0]) == 27 and len(ref[1]) == 21
    assert got == ref
    ref_files = sorted(p.name for p in (ref_dir / "images").iterdir())
    assert sorted(p.name for p in (killed_dir / "images").iterdir() if not p.name.endswith(".part")) == ref_files
