"""bench/load_bench.py runs end to end (tiny: one process, two readers, three seconds) and reports no errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "load_bench.py"


def test_load_bench_smoke():
    out = subprocess.run([sys.executable, str(BENCH), "--processes", "1", "--readers", "2", "--duration", "3"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    res = json.loads(out.stdout)
    assert res["errors"] == 0 and res["endpoints"]["/search"]["n"] > 0 and res["endpoints"]["/ask"]["n"] > 0
    assert res["sync"]["ok"] and res["sync"]["picked_up_by"] == 1 and res["memory"][0]["rss_mb"] > 0


def test_load_bench_with_keys_and_a_scheduled_sync():
    out = subprocess.run([sys.executable, str(BENCH), "--processes", "2", "--readers", "3", "--duration", "20",
                          "--keys", "--scheduled-sync"], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    res = json.loads(out.stdout)
    assert res["errors"] == 0, res["error_samples"]
    assert res["flood"]["429"] > 0 and res["flood"]["retry_after_ok"] == res["flood"]["429"]
    assert res["flood"]["other"] == 0  # over the limit: 429s only, never a 5xx
    assert res["sync"]["ok"] and res["sync"]["picked_up_by"] == 2 and res["sync"]["every_s"] == 10
