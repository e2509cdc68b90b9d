"""`batchrag serve`: with an empty library and no network it builds the demo library, then serves the app."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from batchrag.settings import Settings
from batchrag.store import open_store
from tests.support.net import free_port
from tests.support.streamlit_app import page_answers

pytestmark = pytest.mark.slow


def test_serve_offline_builds_demo_and_answers_health(data_dir):
    port = free_port()
    # .invalid never resolves: the same situation as a machine without network.
    env = {**os.environ, "BATCHRAG_DATA_DIR": str(data_dir), "BATCHRAG_BASE_URL": "https://site.invalid"}
    proc = subprocess.Popen([sys.executable, "-m", "batchrag.cli", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        assert page_answers(f"http://127.0.0.1:{port}", proc, 180), "serve did not start in time"
        assert open_store(Settings(data_dir=data_dir)).stats()["articles"] > 0
        assert (data_dir / "lancedb").is_dir()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def test_every_way_of_starting_the_app_hides_the_developer_chrome():
    import tomllib
    from pathlib import Path

    from batchrag.cli.server_cmds import streamlit_command
    from batchrag.ui.page import CHROME_CONFIG

    cmd = streamlit_command(Settings(), port=8600)
    assert cmd[cmd.index("--client.toolbarMode") + 1] == "minimal"  # batchrag serve, make run
    shim = Path(__file__).resolve().parents[2] / "app" / "ui" / ".streamlit" / "config.toml"
    for config in (CHROME_CONFIG, shim):  # beside the packaged page, beside `streamlit run app/ui/app.py`
        assert tomllib.loads(config.read_text())["client"]["toolbarMode"] == "minimal"
