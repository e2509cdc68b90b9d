"""`kill <pid of batchrag serve>` (SIGTERM, what systemd and containers send) and SIGINT stop the page too: the port
is free within seconds and no child of `serve` is left serving it without a parent."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from batchrag.settings import Settings
from batchrag.store import open_store
from tests.support.corpus import ARTICLES
from tests.support.net import closed_port_url, free_port
from tests.support.streamlit_app import page_answers

pytestmark = pytest.mark.slow


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting for a reaper (a container's PID 1 may never reap the orphans it inherits)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _session(sid: int) -> list[int]:
    """The live processes of session `sid` (serve was started in its own: whatever it started is in it)."""
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if os.getsid(int(d.name)) == sid and _alive(int(d.name)):
                    out.append(int(d.name))
            except OSError:
                continue
    return out


def _refused(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return False
    except ConnectionRefusedError:
        return True
    except OSError:
        return False


@pytest.fixture
def library(data_dir):
    with ARTICLES.open(encoding="utf-8") as fp:  # articles only: serve goes straight to the page
        assert open_store(Settings(data_dir=data_dir)).import_jsonl(fp)["failed"] == 0
    return data_dir


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_serve_stops_the_page_and_frees_its_port(library, tmp_path, sig):
    port = free_port()
    env = {**os.environ, "BATCHRAG_DATA_DIR": str(library), "BATCHRAG_BASE_URL": "https://site.invalid",
           "OLLAMA_HOST": closed_port_url(), "BATCHRAG_LLM_BACKEND": "extractive"}
    log = (tmp_path / "serve.log").open("w")
    # Its own session: the test's cleanup can reach every process it started, and only those.
    proc = subprocess.Popen([sys.executable, "-m", "batchrag.cli", "serve", "--port", str(port)], env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        assert page_answers(f"http://127.0.0.1:{port}", proc, 120), (tmp_path / "serve.log").read_text()[-2000:]
        page = _children(proc.pid)
        assert page, "the page runs as serve's child"

        os.kill(proc.pid, sig)  # the parent alone, as systemd's `kill` or `docker stop` does
        assert proc.wait(15) == 0, (tmp_path / "serve.log").read_text()[-2000:]
        deadline = time.time() + 5
        while not _refused(port):
            assert time.time() < deadline, "the port still answers after serve stopped"
            time.sleep(0.1)
        assert [p for p in page if _alive(p)] == [] and _session(proc.pid) == []
    finally:
        log.close()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(5)


def test_a_page_that_ignores_the_signal_is_killed_after_the_grace_period(tmp_path):
    stubborn = ("import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                "print('ready', flush=True); time.sleep(120)")
    runner = ("import sys; from batchrag.cli.server_cmds import run_page; "
              f"sys.exit(run_page([sys.executable, '-c', {stubborn!r}], grace_s=1.0))")
    proc = subprocess.Popen([sys.executable, "-c", runner], stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        child = _children(proc.pid)
        t0 = time.monotonic()
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(10) == 128 + signal.SIGKILL  # the child's end, as a shell reports it
        assert 0.9 < time.monotonic() - t0 < 5
        assert child and not any(_alive(p) for p in child) and _session(proc.pid) == []
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(5)
