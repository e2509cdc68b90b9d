"""/ask streaming a model's tokens (a scripted Ollama on 127.0.0.1), and a reader who leaves mid-answer."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.support.live_api import serve_app
from tests.support.ollama_wire import Reply, ScriptedOllama

Q = "Як робот навчився готувати їжу, спостерігаючи за кухарем?"


@pytest.fixture
def slow_model():
    srv = ScriptedOllama(default=Reply(["Робот ", "навчився ", "готувати ", "їжу, ", "спостерігаючи ", "за ",
                                        "кухарем ", "[1]."] * 4, piece_delay_s=0.15)).start()
    yield srv
    srv.stop()


def test_tokens_stream_and_a_reader_who_leaves_stops_the_answer(api_settings, slow_model):
    from batchrag.api import create_app

    s = api_settings.with_changes(**{"llm_backend": "ollama", "ollama_host": slow_model.url})
    with serve_app(create_app(s)) as base, httpx.Client(base_url=base, timeout=60) as c:
        with c.stream("POST", "/ask", json={"question": Q}) as r:
            assert r.status_code == 200
            lines = [ln for ln in r.iter_lines() if ln.startswith("event: ")]
        assert lines.count("event: token") >= 32 and lines[-2:] == ["event: answer", "event: followups"]
        tokens = [ln for ln in c.get("/metrics").text.splitlines() if ln.startswith("batchrag_llm_tokens_total{")]
        assert tokens == [f'batchrag_llm_tokens_total{{backend="ollama"}} {lines.count("event: token")}']

        t0 = time.monotonic()
        with c.stream("POST", "/ask", json={"question": Q}) as r:
            for line in r.iter_lines():
                if line == "event: token":
                    break  # the reader leaves after the first token
        deadline = time.monotonic() + 15
        while 'kind="disconnect"' not in c.get("/metrics").text and time.monotonic() < deadline:
            time.sleep(0.2)
        text = c.get("/metrics").text
        assert 'batchrag_errors_total{endpoint="/ask",kind="disconnect"} 1' in text
        assert time.monotonic() - t0 < 32 * 0.15  # stopped well before the model's whole answer
        assert 'status="500"' not in text and c.get("/health").status_code == 200
