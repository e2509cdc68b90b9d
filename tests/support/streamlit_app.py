"""Start the real page with `streamlit run` on a free loopback port for a browser test, and stop it after."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from batchrag.ui.page import APP_PATH
from tests.support.net import free_port


def page_answers(url: str, proc: subprocess.Popen, seconds: float) -> bool:
    """Whether the page at `url` answers its health check within `seconds`; False at once if `proc` has ended."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if httpx.get(f"{url}/_stcore/health", timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            return False
        time.sleep(0.5)
    return False


@contextmanager
def running_app(env: dict[str, str], log_path: Path, cwd: Path | None = None,
                address: str = "127.0.0.1") -> Iterator[str]:
    """The page's URL (on 127.0.0.1) while it runs with `env`, bound to `address` (0.0.0.0: every interface); a
    start that fails or takes 90 s fails the test with its log."""
    port = free_port()
    log = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP_PATH), "--server.address", address,
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=cwd,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        if not page_answers(url, proc, 90):
            pytest.fail(f"streamlit did not start: {log_path.read_text()[-2000:]}")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
