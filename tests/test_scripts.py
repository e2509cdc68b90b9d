"""The scripts work: the reference design's entry points (scrape, then index) and the README's screenshots."""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

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
    assert read_meta(s.store)["embedder"] == "use-m3"
    again = _run("build_multimodal_index.py", "--json", env=env)  # idempotent: nothing re-embedded
    assert json.loads(again.stdout)["embedded"] == 0


def _screenshots_module():
    spec = importlib.util.spec_from_file_location("screenshots", ROOT / "scripts" / "screenshots.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_screenshots_script_says_in_one_line_when_the_app_cannot_start(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = _run("screenshots.py", "--out", str(tmp_path / "img"), "--port", str(port), env=dict(os.environ))
        assert done.returncode == 1
        assert done.stderr.strip().count("\n") == 0 and f"port {port} is in use" in done.stderr
        # Past the check too: streamlit itself refuses the taken port, and the script says so in one line.
        shots = _screenshots_module()
        with pytest.raises(shots.ScreenshotError, match="did not start") as err:
            shots.start_app(tmp_path / "data", "http://127.0.0.1:9", port, tmp_path / "streamlit.log", timeout_s=60)
        assert "\n" not in str(err.value)
    assert not (tmp_path / "img").exists()


@pytest.mark.browser
@pytest.mark.slow
def test_screenshots_script_writes_the_readme_pictures(tmp_path):
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("/usr/bin/chromium is absent (CI installs it with `apt-get install -y chromium`)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    from PIL import Image

    out = tmp_path / "img"
    env = {k: v for k, v in os.environ.items() if k != "BATCHRAG_DATA_DIR"}
    done = _run("screenshots.py", "--out", str(out), env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    for name in ("ask.png", "pictures.png", "digest.png", "timeline.png"):
        data = (out / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 30_000, name
        with Image.open(out / name) as im:
            assert im.size == (1280, 900), name
    gif = (out / "ask.gif").read_bytes()
    assert gif[:6] == b"GIF89a" and 30_000 < len(gif) < 1_500_000
    with Image.open(out / "ask.gif") as im:
        assert im.n_frames > 1 and im.width == 900
