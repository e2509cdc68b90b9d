"""Load on the HTTP API: N `batchrag api` processes, M concurrent readers doing /search and /ask, while a sync runs.

Usage: python bench/load_bench.py [--data-dir DIR] [--database-url URL] [--processes 4] [--readers 50]
                                  [--duration 60] [--max-requests 200000] [--no-sync] [--keys] [--scheduled-sync]
Without --data-dir the fixture corpus is imported and indexed (use-m3) into a temporary dir. With --data-dir the
library is CHANGED (one article gets a marker sentence, then re-indexed): run it on a copy. Answers come from the
extractive backend (no model), rewrites are off. Loopback only. Prints one JSON object: requests/s, p50/p95/p99 per
endpoint, errors (must be 0), the sync and whether every process picked it up, memory per process.

--keys: every reader has its own API key (a team server), and one more client floods /search with its own key to
provoke the per-key limit on purpose: its 429s (with Retry-After) are counted apart, never as errors.
--scheduled-sync: instead of a marker import, the servers run `--sync-every 10s` against the loopback fixture site
(tests/support/later_issue.py), whose newest issue is published a quarter into the run: every process must then
serve it, with no restart, and the store's lease must have let one process sync at a time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

QUESTIONS = [
    "Що нового у відкритих моделях?", "Які роботи навчилися складати білизну?", "Що пишуть про чипи для інференсу?",
    "Як тануть льодовики?", "Як малі моделі працюють з довгим контекстом?", "Що нового в розпізнаванні облич?",
    "Як моделі вчаться міркувати?", "Що відомо про ШІ для фермерів?", "What is new in open-weight models?",
    "Як робот навчився готувати їжу?", "Які обмеження на експорт чипів?", "Хто такий Andrew Ng?",
]
MARKER = "zqxloadbenchmarker"
ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "corpus" / "articles.jsonl"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(xs: list[float], p: float) -> float | None:
    if not xs:
        return None
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))], 1)


def rss_mb(pid: int) -> dict:
    """Resident and peak memory of a process, from /proc (Linux)."""
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                out["rss_mb" if line.startswith("VmRSS") else "peak_mb"] = round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return out


def batchrag(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "batchrag.cli", *args], env=env, capture_output=True, text=True,
                          timeout=1800)


def prepare_library(args, env: dict) -> None:
    if args.data_dir:
        return
    out = batchrag(env, "import", str(FIXTURE))
    if out.returncode:
        sys.exit(f"import failed: {out.stderr}")
    out = batchrag(env, "index", "--json")
    if out.returncode:
        sys.exit(f"index failed: {out.stderr}")


def start_api(env: dict, port: int, log: Path, args: tuple[str, ...] = (), key: str | None = None) -> subprocess.Popen:
    # stderr to a file, never an unread pipe (a full pipe would stall the server).
    proc = subprocess.Popen([sys.executable, "-m", "batchrag.cli", "api", "--port", str(port), *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=log.open("w"), text=True)
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"batchrag api exited: {log.read_text()[-2000:]}")
        try:
            # A first search loads the embedder and the index, so the timed run measures a warm process.
            warm = httpx.get(f"http://127.0.0.1:{port}/search", params={"q": "warm up"}, headers=headers, timeout=120)
            if warm.status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.kill()
    sys.exit("batchrag api did not start")


class Tally:
    def __init__(self) -> None:
        self.lat: dict[str, list[float]] = {"/search": [], "/ask": []}
        self.first: list[float] = []
        self.errors: dict[str, int] = {}
        self.samples: list[str] = []
        self.flood = {"requests": 0, "429": 0, "retry_after_ok": 0, "other": 0}

    def error(self, what: str, detail: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1
        line = f"{what}: {detail}"[:300]
        if len(self.samples) < 10 and line not in self.samples:
            self.samples.append(line)


async def reader(i: int, bases: list[str], deadline: float, budget: list[int], tally: Tally,
                 keys: list[str] | None = None) -> None:
    headers = {"Authorization": f"Bearer {keys[i]}"} if keys else {}
    async with httpx.AsyncClient(timeout=120, headers=headers) as client:
        n = i
        while time.monotonic() < deadline and budget[0] > 0:
            budget[0] -= 1
            base, q = bases[n % len(bases)], QUESTIONS[n % len(QUESTIONS)]
            n += 1
            endpoint = "/ask" if n % 2 else "/search"
            t0 = time.perf_counter()
            try:
                if endpoint == "/search":
                    r = await client.get(f"{base}/search", params={"q": q, "k": 5})
                    if r.status_code != 200 or not r.json()["results"]:
                        tally.error(endpoint, f"{r.status_code} {r.text[:200]}")
                        continue
                else:
                    final, first = None, None
                    async with client.stream("POST", f"{base}/ask", json={"question": q}) as r:
                        if r.status_code != 200:
                            tally.error(endpoint, f"{r.status_code} {(await r.aread())[:200]!r}")
                            continue
                        event = None
                        async for line in r.aiter_lines():
                            if first is None and line:
                                first = time.perf_counter() - t0
                            if line.startswith("event: "):
                                event = line[7:]
                            elif line.startswith("data: ") and event in ("answer", "error"):
                                final = (event, json.loads(line[6:]))
                    if not final or final[0] != "answer" or not final[1]["sources"]:
                        tally.error(endpoint, f"no answer event: {final}")
                        continue
                    tally.first.append(first * 1000)
            except (httpx.HTTPError, ValueError, KeyError) as exc:
                tally.error(endpoint, f"{type(exc).__name__}: {exc}")
                continue
            tally.lat[endpoint].append((time.perf_counter() - t0) * 1000)


async def flooder(base: str, key: str, deadline: float, tally: Tally, lanes: int = 6) -> None:
    """One key over its limit on purpose (`lanes` connections at once): 429s with Retry-After, never a 5xx."""
    async with httpx.AsyncClient(timeout=120, headers={"Authorization": f"Bearer {key}"}) as client:
        await asyncio.gather(*(flood_lane(client, base, deadline, tally) for _ in range(lanes)))


async def flood_lane(client: httpx.AsyncClient, base: str, deadline: float, tally: Tally) -> None:
    while time.monotonic() < deadline:
        try:
            r = await client.get(f"{base}/v1/models")
        except httpx.HTTPError:
            tally.flood["other"] += 1
            continue
        tally.flood["requests"] += 1
        if r.status_code == 429:
            tally.flood["429"] += 1
            tally.flood["retry_after_ok"] += int(r.headers.get("retry-after", "").isdigit())
            await asyncio.sleep(0.05)
        elif r.status_code != 200:
            tally.flood["other"] += 1


def create_keys(env: dict, n: int) -> tuple[list[str], str, str]:
    """n readers' keys, a flooder's and an admin's, in the library's store (as `batchrag keys create` makes them)."""
    from batchrag.service.keys import Keys
    from batchrag.settings import Settings

    keys = Keys(Settings(data_dir=env["BATCHRAG_DATA_DIR"], database_url=env.get("DATABASE_URL") or None))
    return [keys.create(f"reader{i}") for i in range(n)], keys.create("flood"), keys.create("ops", "admin")


async def scheduled_sync(site, bases: list[str], delay: float, deadline: float, admin: str | None) -> dict:
    """Publish the fixture site's newest issue after `delay`; then wait for every process to serve it."""
    sys.path.insert(0, str(ROOT))
    from tests.support.later_issue import LATER_STORY

    await asyncio.sleep(delay)
    site.publish()
    t0 = time.perf_counter()
    headers = {"Authorization": f"Bearer {admin}"} if admin else {}
    seen: set[str] = set()
    async with httpx.AsyncClient(timeout=120, headers=headers) as client:
        while len(seen) < len(bases) and time.monotonic() < deadline + 60:
            for base in bases:
                r = await client.get(f"{base}/search", params={"q": "robot dogs inspect power lines", "k": 3})
                if r.status_code == 200 and LATER_STORY in [h["title"] for h in r.json()["results"]]:
                    seen.add(base)
            await asyncio.sleep(1)
        lib = (await client.get(f"{bases[0]}/library")).json()
    return {"ok": len(seen) == len(bases), "published_at_s": round(delay, 1),
            "served_by_all_after_s": round(time.perf_counter() - t0, 1), "picked_up_by": len(seen),
            "processes": len(bases), "last": lib.get("update"), "every_s": (lib.get("sync") or {}).get("every_s")}


async def sync_during(env: dict, bases: list[str], delay: float, change: Path) -> dict:
    """After `delay`, one article gets a marker sentence and `batchrag index` publishes it; then every API process
    must find the article by the marker, without a restart."""
    await asyncio.sleep(delay)
    t0 = time.perf_counter()
    imp = await asyncio.to_thread(batchrag, env, "import", str(change))
    idx = await asyncio.to_thread(batchrag, env, "index", "--json")
    took = time.perf_counter() - t0
    ok = imp.returncode == 0 and idx.returncode == 0
    title = json.loads(change.read_text())["title"]
    seen = 0
    async with httpx.AsyncClient(timeout=120) as client:
        for base in bases:
            # BM25 finds the one article with the marker; its passage text comes from the process's in-memory
            # snapshot, so the marker in it shows that the process reloaded the published index.
            r = await client.get(f"{base}/search", params={"q": MARKER, "k": 1, "mode": "bm25"})
            hits = r.json()["results"] if r.status_code == 200 else []
            if hits and hits[0]["title"] == title and MARKER in hits[0]["text"]:
                seen += 1
    summary = json.loads(idx.stdout.strip().splitlines()[-1]) if ok and idx.stdout.strip() else {}
    return {"ok": ok, "started_at_s": round(delay, 1), "duration_s": round(took, 1),
            "updated": summary.get("updated"), "embedded": summary.get("embedded"),
            "picked_up_by": seen, "processes": len(bases), "error": None if ok else (imp.stderr + idx.stderr)[-300:]}


def changed_article(env: dict, tmp: Path) -> Path:
    """One stored article with a marker sentence added: importing it changes its hash, so the sync re-embeds it."""
    dump = tmp / "export.jsonl"
    out = batchrag(env, "export", str(dump))
    if out.returncode:
        sys.exit(f"export failed: {out.stderr}")
    with dump.open(encoding="utf-8") as fp:
        art = json.loads(next(fp))
    art["text"] += f"\nLoad bench {MARKER} {int(time.time())}."
    change = tmp / "change.jsonl"
    change.write_text(json.dumps(art, ensure_ascii=False) + "\n", encoding="utf-8")
    return change


async def main_async(args, env: dict, tmp: Path) -> dict:
    ports = [free_port() for _ in range(args.processes)]
    logs = [tmp / f"api-{p}.log" for p in ports]
    keys, flood, admin = create_keys(env, args.readers) if args.keys else (None, None, None)
    if args.keys:  # a team's limit: above what one reader of the bench sends, below what the flooder does
        env = {**env, "BATCHRAG_SERVE__API_REQUESTS_PER_MINUTE": str(args.per_key_limit)}
    site, api_args = None, ()
    if args.scheduled_sync:
        sys.path.insert(0, str(ROOT))
        from tests.support.later_issue import start_later_site

        site = start_later_site()
        env = {**env, "BATCHRAG_BASE_URL": site.base_url, "BATCHRAG_RATE_LIMIT_PER_HOST": "0",
               "BATCHRAG_DOWNLOAD_IMAGES": "false"}
        api_args = ("--sync-every", "10s")
    procs = [start_api(env, p, log, api_args, admin) for p, log in zip(ports, logs, strict=True)]
    bases = [f"http://127.0.0.1:{p}" for p in ports]
    try:
        change = None if args.no_sync or site else changed_article(env, tmp)
        tally, budget = Tally(), [args.max_requests]
        t0 = time.monotonic()
        deadline = t0 + args.duration
        sync = None
        if site:
            sync = asyncio.create_task(scheduled_sync(site, bases, args.duration / 4, deadline, admin))
        elif change is not None:
            sync = asyncio.create_task(sync_during(env, bases, args.duration / 4, change))
        work = [reader(i, bases, deadline, budget, tally, keys) for i in range(args.readers)]
        if flood:
            work.append(flooder(bases[0], flood, deadline, tally))
        await asyncio.gather(*work)
        wall = time.monotonic() - t0
        sync_result = await sync if sync else None
        memory = [{"pid": p.pid, **rss_mb(p.pid)} for p in procs]
        as_admin = {"Authorization": f"Bearer {admin}"} if admin else {}
        metrics_ok = all("batchrag_requests_total" in httpx.get(f"{b}/metrics", headers=as_admin, timeout=30).text
                         for b in bases)
    finally:
        if site:
            site.stop()
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
    total = sum(len(v) for v in tally.lat.values())
    return {
        "config": {"processes": args.processes, "readers": args.readers, "duration_s": args.duration,
                   "data_dir": args.data_dir or "fixture corpus (temporary)", "backend": "extractive",
                   "database": "postgresql" if (args.database_url or "").startswith("postgresql") else "sqlite",
                   "cpus": os.cpu_count(), "keys": bool(args.keys), "scheduled_sync": bool(args.scheduled_sync)},
        "wall_s": round(wall, 1),
        "requests": total,
        "requests_per_s": round(total / wall, 1),
        "endpoints": {e: {"n": len(v), "per_s": round(len(v) / wall, 1), "p50_ms": percentile(v, 50),
                          "p95_ms": percentile(v, 95), "p99_ms": percentile(v, 99)} for e, v in tally.lat.items()},
        "ask_first_event_ms": {"p50": percentile(tally.first, 50), "p95": percentile(tally.first, 95)},
        "errors": sum(tally.errors.values()),
        "errors_by_endpoint": tally.errors,
        "error_samples": tally.samples,
        "server_errors": [ln for log in logs for ln in log.read_text().splitlines() if "Error" in ln][-10:],
        "sync": sync_result,
        "flood": tally.flood if args.keys else None,
        "memory": memory,
        "metrics_served": metrics_ok,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", help="A library with an index (CHANGED by the sync: use a copy).")
    ap.add_argument("--database-url", help="The store (default: the data dir's SQLite).")
    ap.add_argument("--embedder", default=None, help="The index's embedder (default: use-m3 for the fixture).")
    ap.add_argument("--processes", type=int, default=4)
    ap.add_argument("--readers", type=int, default=50)
    ap.add_argument("--duration", type=float, default=60.0, help="Seconds of load (at most 600).")
    ap.add_argument("--max-requests", type=int, default=200_000, help="Stop after this many requests.")
    ap.add_argument("--no-sync", action="store_true", help="No index sync during the run.")
    ap.add_argument("--keys", action="store_true", help="A key per reader, and a flooder over its limit.")
    ap.add_argument("--per-key-limit", type=int, default=600,
                    help="With --keys: requests a minute per key and process (the servers' setting).")
    ap.add_argument("--scheduled-sync", action="store_true",
                    help="The servers' own --sync-every against the loopback fixture site, not a marker import.")
    args = ap.parse_args()
    if not (1 <= args.processes <= 16 and 1 <= args.readers <= 500 and 0 < args.duration <= 600):
        sys.exit("bounds: 1-16 processes, 1-500 readers, duration 0-600 s")
    with tempfile.TemporaryDirectory(prefix="batchrag-load-") as tmp:
        data = Path(args.data_dir) if args.data_dir else Path(tmp) / "data"
        env = {**os.environ, "BATCHRAG_DATA_DIR": str(data), "BATCHRAG_LLM_BACKEND": "extractive",
               "BATCHRAG_REWRITE": "off", "BATCHRAG_THREADS": "1"}
        if args.embedder or not args.data_dir:
            env["BATCHRAG_EMBEDDER"] = args.embedder or "use-m3"
        elif (data / "lancedb" / "index_meta.json").exists():
            env["BATCHRAG_EMBEDDER"] = json.loads((data / "lancedb" / "index_meta.json").read_text())["embedder"]
        if args.database_url:
            env["DATABASE_URL"] = args.database_url
        else:
            env.pop("DATABASE_URL", None)
        prepare_library(args, env)
        print(json.dumps(asyncio.run(main_async(args, env, Path(tmp))), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
