"""UI latency in a real browser: submit → first answer token and → complete answer, and the app's RSS after N questions.

Usage: python bench/ui_bench.py [--questions 20] [--max-tokens 128] [--data-dir DIR] [--backend embedded]
Builds the demo library in a temporary data dir unless --data-dir is given; prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

QUESTIONS = [
    "Що нового у відкритих моделях?",
    "Які роботи навчилися складати білизну?",
    "Що пишуть про чипи для інференсу?",
    "Які обмеження на експорт чипів?",
    "Як малі моделі працюють з довгим контекстом?",
    "Що нового в розпізнаванні облич?",
    "Як моделі вчаться міркувати?",
    "Що відомо про ШІ для фермерів?",
]


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pct(values: list[float], q: float) -> float:
    v = sorted(values)
    return round(v[min(len(v) - 1, int(q * len(v)))], 3)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--questions", type=int, default=20)
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--backend", default="embedded")
    ap.add_argument("--data-dir", type=Path)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright

    from batchrag.service.demo import build_demo_library
    from batchrag.settings import Settings
    from batchrag.ui.page import APP_PATH

    data = args.data_dir or Path(tempfile.mkdtemp(prefix="ui_bench_")) / "data"
    if args.data_dir is None:
        build_demo_library(Settings(data_dir=data))
    port = _free_port()
    env = {**os.environ, "BATCHRAG_DATA_DIR": str(data), "BATCHRAG_LLM_BACKEND": args.backend,
           "BATCHRAG_LLM_MAX_TOKENS": str(args.max_tokens)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP_PATH), "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    first, full, rss_after = [], [], []
    try:
        for _ in range(180):
            try:
                if httpx.get(f"{url}/_stcore/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        rss_start = _rss_kb(proc.pid)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=args.chromium, headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync", "--no-first-run"],
            )
            page = browser.new_page()
            page.goto(url)
            box = page.get_by_test_id("stChatInputTextArea")
            box.wait_for(timeout=120_000)
            for i in range(args.questions):
                box.fill(QUESTIONS[i % len(QUESTIONS)])
                t0 = time.perf_counter()
                box.press("Enter")
                # The streaming placeholder ends with "▌" from the first token on.
                page.wait_for_function("() => document.body.innerText.includes('▌')", timeout=300_000,
                                       polling="raf")
                first.append(time.perf_counter() - t0)
                page.wait_for_function(
                    "n => [...document.querySelectorAll('[data-testid=stCaptionContainer]')]"
                    ".filter(e => e.innerText.startsWith('Модель:')).length >= n",
                    arg=i + 1, timeout=600_000, polling=100,
                )
                full.append(time.perf_counter() - t0)
                rss_after.append(_rss_kb(proc.pid))
            browser.close()
    finally:
        proc.terminate()
        proc.wait(10)
    print(json.dumps({
        "questions": len(full),
        "backend": args.backend,
        "max_tokens": args.max_tokens,
        "first_token_s": {"p50": _pct(first, 0.5), "p95": _pct(first, 0.95), "mean": round(statistics.mean(first), 3)},
        "complete_s": {"p50": _pct(full, 0.5), "p95": _pct(full, 0.95), "mean": round(statistics.mean(full), 3)},
        "rss_mb": {"start": round(rss_start / 1024, 1), "after_1": round(rss_after[0] / 1024, 1),
                   "after_all": round(rss_after[-1] / 1024, 1)},
        "data_dir": str(data),
    }, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
