"""BackgroundJob: one job at a time in a thread, a snapshot of its state, a failure recorded as one line."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from batchrag.domain.errors import BatchragError
from batchrag.models.background import BackgroundJob


@dataclass
class _State:
    running: bool = False
    step: str = ""
    finished_at: float | None = None
    error: str | None = None


def test_a_job_runs_once_at_a_time_and_its_state_is_a_snapshot():
    job: BackgroundJob[_State] = BackgroundJob(_State(), name="test-job")
    go = threading.Event()

    def work():
        job.update(step="working")
        go.wait(10)
        job.update(step="done")

    assert job.start(lambda: _State(running=True, step="starting"), work)
    assert not job.start(lambda: _State(running=True, step="again"), work)  # one at a time
    snap = job.state()
    snap.step = "changed by the reader"
    assert job.state().step in ("starting", "working")  # a copy: the reader cannot change the job
    go.set()
    job.join(10)
    s = job.state()
    assert not s.running and s.step == "done" and s.finished_at is not None and s.error is None
    assert job.start(lambda: _State(running=True), lambda: None)  # finished: a new one may start
    job.join(10)


def test_a_failure_ends_the_job_with_one_line():
    job: BackgroundJob[_State] = BackgroundJob(_State(), name="test-job")

    def reader_error():
        raise BatchragError("the server is not reachable")

    job.start(lambda: _State(running=True), reader_error)
    job.join(10)
    assert job.state().error == "the server is not reachable" and not job.state().running

    def bug():
        raise KeyError("x")

    job.start(lambda: _State(running=True), bug)
    job.join(10)
    assert job.state().error == "KeyError: 'x'" and job.state().finished_at is not None


def test_a_job_may_record_its_own_fields_on_failure():
    job: BackgroundJob[_State] = BackgroundJob(
        _State(), name="test-job", failed=lambda e: {"step": "error", "error": f"{type(e).__name__}: {e}"}
    )

    def boom():
        raise RuntimeError("boom")

    job.start(lambda: _State(running=True), boom)
    job.join(10)
    s = job.state()
    assert (s.step, s.error, s.running) == ("error", "RuntimeError: boom", False)
