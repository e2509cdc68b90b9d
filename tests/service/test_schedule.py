"""The scheduled sync: durations, a new issue picked up on a later tick, two processes never syncing at once."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from batchrag.service import LibraryUpdater
from batchrag.service.schedule import BadDuration, SyncSchedule, parse_duration
from batchrag.settings import Settings
from batchrag.store import open_store
from tests.support.later_issue import LATER_STORY, start_later_site


@pytest.mark.parametrize(("text", "seconds"), [("6h", 21600), ("30m", 1800), ("90s", 90), ("1d", 86400),
                                               ("45", 45), (" 1.5h ", 5400), ("2H", 7200)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "six hours", "6w", "-1h", "5s", "0"])
def test_bad_durations_are_one_line(text):
    with pytest.raises(BadDuration, match="bad duration|too short"):
        parse_duration(text)


def _settings(tmp_path, site) -> Settings:
    return Settings(data_dir=tmp_path / "lib", base_url=site.base_url, rate_limit_per_host=0, embedder="use-m3",
                    download_images=False)


def test_a_later_tick_picks_up_a_new_issue_and_an_unreachable_site_is_retried(tmp_path):
    site = start_later_site()
    s = _settings(tmp_path, site)
    schedule = SyncSchedule(s, every_s=3, first_tick_s=0).start()
    try:
        deadline = time.time() + 60
        while not ((schedule.status().last or {}).get("stage") in ("done", "unchanged") and
                   not schedule.status().last.get("running")):
            assert time.time() < deadline, schedule.status()
            time.sleep(0.2)
        titles = {a.title for a in open_store(s).iter_articles()}
        assert titles and LATER_STORY not in titles and {a.issue for a in open_store(s).iter_articles()} >= {1, 4}
        first = schedule.status().last["started_at"]
        assert schedule.status().next_at >= first + 3 - 0.01  # the next look is an interval after the last sync
        site.publish()  # a new issue on the site: the next tick finds it, with no restart
        while LATER_STORY not in {a.title for a in open_store(s).iter_articles()}:
            assert time.time() < deadline, schedule.status()
            time.sleep(0.2)
        site.stop()  # the site goes away: the next tick is logged and recorded, the schedule goes on
        while (schedule.status().last or {}).get("stage") != "unreachable":
            assert time.time() < deadline, schedule.status()
            time.sleep(0.2)
        assert schedule._thread.is_alive() and schedule.status().next_at > time.time() - 1
    finally:
        schedule.stop()
        site.stop()
    from batchrag.index.tables import read_meta

    assert read_meta(s.store)["hashes"] and len(read_meta(s.store)["hashes"]) == open_store(s).stats()["articles"]


RACER = """
import json, sys, time
from batchrag.service.schedule import SyncSchedule
from batchrag.settings import Settings
s = Settings(data_dir=sys.argv[1], base_url=sys.argv[2], rate_limit_per_host=0, embedder="use-m3",
             download_images=False, database_url=sys.argv[4] or None)
sch = SyncSchedule(s, every_s=3, first_tick_s=0).start()
runs, seen = [], None
end = time.time() + 15
while time.time() < end:
    st = sch.updater.state()
    if st.started_at and st.finished_at and st.holder == sch.updater.holder and st.started_at != seen:
        seen = st.started_at
        runs.append((st.started_at, st.finished_at, st.stage))
    time.sleep(0.05)
sch.stop(30)
open(sys.argv[3], "w").write(json.dumps(runs))
"""


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
def test_two_processes_on_one_schedule_never_sync_at_once(tmp_path, db, request):
    url = request.getfixturevalue("postgres").database() if db == "postgresql" else ""
    site = start_later_site(delay_s=0.05)  # a crawl of a few seconds: long enough to overlap, were it allowed
    try:
        s = Settings(data_dir=tmp_path / "lib", base_url=site.base_url, rate_limit_per_host=0, embedder="use-m3",
                     download_images=False, database_url=url or None)
        open_store(s)  # the schema, before the racers start
        outs = [tmp_path / f"runs-{i}.json" for i in range(2)]
        procs = [subprocess.Popen([sys.executable, "-c", RACER, str(tmp_path / "lib"), site.base_url, str(o), url])
                 for o in outs]
        assert [p.wait(120) for p in procs] == [0, 0]
    finally:
        site.stop()
    runs = sorted((a, b, i) for i, o in enumerate(outs) for a, b, _ in json.loads(o.read_text()))
    stages = [stage for o in outs for *_, stage in json.loads(o.read_text())]
    assert len(runs) >= 2 and set(stages) <= {"done", "unchanged"}, stages  # a first sync, then a later one
    for (_, end, who), (start, _, other) in zip(runs, runs[1:], strict=False):
        assert start >= end, f"process {who} and process {other} synced at once"
        assert start - end < 10  # the interval is shared: no process waits its own full interval after another's


def test_an_update_in_one_process_is_refused_in_another(tmp_path):
    site = start_later_site(delay_s=0.05)
    try:
        s = _settings(tmp_path, site)
        a, b = LibraryUpdater(s), LibraryUpdater(s)  # two processes' updaters over one store
        assert a.start()
        assert not b.start() and b.busy_elsewhere() == a.holder and b.recorded()["running"]
        a.join(60)
        assert b.recorded()["running"] is False and b.recorded()["stage"] == "done"
        assert b.start()  # free again
        b.join(60)
    finally:
        site.stop()


def test_an_update_that_brings_an_issue_has_a_capable_model_write_its_digest_for_the_feed(tmp_path):
    from batchrag.service.digest import Digester
    from batchrag.service.feed import Feed
    from tests.support.ollama_wire import Reply, ScriptedOllama

    summary = "Дослідники показали робота, що оглядає лінії електропередач."
    ollama = ScriptedOllama(default=Reply([summary])).start()
    site = start_later_site()
    try:
        s = _settings(tmp_path, site).with_changes(llm_backend="ollama", ollama_host=ollama.url)
        up = LibraryUpdater(s)
        assert up.start()
        up.join(120)
        first = len(ollama.chat_requests())  # a first crawl: the two newest issues' summaries
        assert up.state().stage == "done" and first > 0
        site.publish()
        assert up.start()
        up.join(120)
        d = Digester(s).digest(5, ask=False)  # what the feed and the digest page show, never asking
        assert up.state().stage == "done" and len(ollama.chat_requests()) - first == len(d.stories)
        assert all(st.summary_kind == "model" and st.summary == summary for st in d.stories)
        assert "оглядає лінії електропередач" in Feed(s).document("http://x/feed.xml").decode()
    finally:
        site.stop()
        ollama.stop()


def test_without_a_capable_model_an_update_writes_no_summary(tmp_path):
    from tests.support.net import closed_port_url

    site = start_later_site()
    try:
        s = _settings(tmp_path, site).with_changes(ollama_host=closed_port_url())
        up = LibraryUpdater(s)
        assert up.start()
        up.join(120)
        from sqlalchemy import func, select

        from batchrag.store.schema import SummaryRow

        with open_store(s).Session() as ses:
            assert ses.scalar(select(func.count()).select_from(SummaryRow)) == 0
        assert up.state().stage == "done" and up.state().added > 0
    finally:
        site.stop()


def test_an_update_whose_process_died_reads_as_interrupted(tmp_path):
    import json as _json

    from batchrag.service.updater import LEASE, RECORD

    s = Settings(data_dir=tmp_path / "lib")
    store = open_store(s)
    store.take_lock(LEASE, "gone:1:x", 0.2)  # a process took the lease, recorded its crawl, and was killed
    store.set_meta(RECORD, _json.dumps({"stage": "crawl", "started_at": time.time(), "finished_at": None,
                                        "holder": "gone:1:x"}))
    up = LibraryUpdater(s)
    assert up.recorded()["running"] and up.recorded()["stage"] == "crawl" and not up.start()
    time.sleep(0.3)  # its lease runs out
    rec = up.recorded()
    assert not rec["running"] and rec["stage"] == "interrupted" and "перервано" in rec["message"]
    assert up.busy_elsewhere() is None
