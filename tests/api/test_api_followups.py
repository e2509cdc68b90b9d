"""POST /ask gains `followups` (issue 43): in the whole answer, and as the stream's `followups` event after the
`answer` event (docs/contracts.md)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from batchrag.api import create_app
from tests.support.followup_library import EXPECTED, QUESTION, build


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    app = create_app(build(tmp_path_factory.mktemp("api_followups") / "data"))
    with TestClient(app, base_url="http://127.0.0.1") as c:  # a Host this server answers (api/guard.py)
        yield c


def test_the_whole_answer_has_followups(client):
    r = client.post("/ask", json={"question": QUESTION, "k": 1, "stream": False})
    assert r.status_code == 200, r.text
    assert {f["why"]: f["story"]["url"] for f in r.json()["followups"]} == EXPECTED


def test_the_stream_sends_them_after_the_answer(client):
    with client.stream("POST", "/ask", json={"question": QUESTION, "k": 1}) as r:
        text = "".join(r.iter_text())
    events = [(e.split("\n")[0].removeprefix("event: "), e.split("data: ", 1)[1]) for e in text.split("\n\n") if e]
    names = [name for name, _ in events]
    assert names[-2:] == ["answer", "followups"] and "followups" not in json.loads(events[-2][1])
    assert {f["why"]: f["story"]["url"] for f in json.loads(events[-1][1])["followups"]} == EXPECTED
