"""`batchrag api` as real processes on 127.0.0.1 (what a deployment runs), for the many-processes tests and bench."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

import httpx


def start_api(env: dict[str, str], port: int, workers: int = 1, args: tuple[str, ...] = ()) -> subprocess.Popen:
    """Start `batchrag api` with `env` on top of this process's environment (and `args`); returns once /health
    answers."""
    log = tempfile.TemporaryFile("w+")  # never an unread pipe: a full one would stall the server
    proc = subprocess.Popen(
        [sys.executable, "-m", "batchrag.cli", "api", "--port", str(port), "--workers", str(workers), *args],
        env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=log, text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"batchrag api exited {proc.returncode}: {log.read()[-2000:]}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
            return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    stop_api(proc)
    raise RuntimeError("batchrag api did not answer /health within 120 s")


def stop_api(proc: subprocess.Popen) -> None:
    """SIGTERM (uvicorn stops its workers and itself), then SIGKILL if it lingers."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
