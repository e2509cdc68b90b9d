"""The store's leases: one holder at a time, renewed, released, taken over once expired; two processes racing."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from batchrag.settings import get_settings
from batchrag.store import open_store

RACER = """
import json, os, sys, time
from batchrag.settings import get_settings
from batchrag.store import open_store
store, me, out = open_store(get_settings()), sys.argv[1], sys.argv[2]
held = []
deadline = time.time() + 4
while time.time() < deadline:
    if store.take_lock("job", me, 5.0):
        start = time.time()
        time.sleep(0.05)  # the job: nobody else may hold the lease meanwhile
        held.append((start, time.time()))
        store.release_lock("job", me)
    time.sleep(0.01)
open(out, "w").write(json.dumps(held))
"""


def test_one_holder_at_a_time_renewed_released_and_taken_over_when_expired(any_db):
    a, b = open_store(get_settings()), open_store(get_settings())  # two engines: as two processes see the store
    assert a.take_lock("sync", "A", 60) and a.lock_holder("sync") == "A"
    assert not b.take_lock("sync", "B", 60) and b.lock_holder("sync") == "A"
    assert a.take_lock("sync", "A", 60) and a.renew_lock("sync", "A", 60)  # the holder may take it again
    a.release_lock("sync", "B")  # not theirs to release
    assert b.lock_holder("sync") == "A"
    a.release_lock("sync", "A")
    assert b.lock_holder("sync") is None and b.take_lock("sync", "B", 0.3)
    time.sleep(0.4)  # B was killed: its lease runs out
    assert a.lock_holder("sync") is None and a.take_lock("sync", "A", 60)
    assert not b.renew_lock("sync", "B", 60)  # B learns it lost the lease


def test_two_processes_never_hold_the_lease_at_once(any_db, tmp_path):
    open_store(get_settings())  # the schema, before the racers start
    outs = [tmp_path / f"held-{i}.json" for i in range(2)]
    procs = [subprocess.Popen([sys.executable, "-c", RACER, f"p{i}", str(out)]) for i, out in enumerate(outs)]
    assert [p.wait(60) for p in procs] == [0, 0]
    spans = [tuple(s) + (i,) for i, out in enumerate(outs) for s in json.loads(out.read_text())]
    assert all(json.loads(out.read_text()) for out in outs), "each process held the lease at some time"
    spans.sort()
    for (_, end, who), (start, _, other) in zip(spans, spans[1:], strict=False):
        assert start >= end, f"p{who} and p{other} held the lease at once"


OPENER = """
import sys
from batchrag.settings import get_settings
from batchrag.store import open_store
store = open_store(get_settings())
store.set_meta("opened_by", sys.argv[1])
"""


@pytest.mark.parametrize("fresh", [False, True], ids=["made", "fresh"])
def test_many_processes_open_one_store_at_once(any_db, fresh):
    # Each open records the schema version: a delete-then-insert let two openers both insert it (PostgreSQL refused
    # the second with a unique violation, and that process failed to open its store). A fresh store: its tables too.
    if not fresh:
        open_store(get_settings())
    procs = [subprocess.Popen([sys.executable, "-c", OPENER, f"p{i}"], stderr=subprocess.PIPE) for i in range(6)]
    results = [(p.wait(60), p.stderr.read().decode()) for p in procs]
    assert all(rc == 0 for rc, _ in results), [err.strip().splitlines()[-1:] for _, err in results]
    store = open_store(get_settings())
    assert store.schema_version() >= 1 and store.get_meta("opened_by") in {f"p{i}" for i in range(6)}
