"""Feedback over a real API (uvicorn on loopback) with keys: the answer's owner rates it (again: replaced), another
key — an admin's too — gets 404 as for an unknown id, a malformed story link is one Ukrainian line, the guard's
rules hold (JSON only, no foreign Origin), GET /feedback is the admins', and deleting the conversation deletes it."""

from __future__ import annotations

import time

import httpx
import pytest

from batchrag.service.keys import Keys

QUESTION = "Як супутники стежать за льодовиками?"


@pytest.fixture(scope="module")
def live(tmp_path_factory, corpus):
    from batchrag.api import create_app
    from tests.support.live_api import serve_app

    s = corpus.build(tmp_path_factory.mktemp("feedback") / "data", "use-m3").with_changes(
        llm_backend="extractive", rewrite="off")
    with serve_app(create_app(s)) as url:
        yield s, url


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def one_line_error(r: httpx.Response) -> str:
    assert "\n" not in r.text and "Traceback" not in r.text
    return r.json()["error"]


def test_the_owner_rates_others_get_404_bad_links_one_line_and_delete_forgets(live):
    s, url = live
    keys = Keys(s)
    admin, alice, bob = keys.create("ops", "admin"), keys.create("alice"), keys.create("bob")
    time.sleep(1.1)  # a process re-reads whether keys exist once a second
    asked = httpx.post(f"{url}/ask", json={"question": QUESTION, "stream": False}, headers=bearer(alice), timeout=120)
    assert asked.status_code == 200, asked.text
    aid, cid, story = asked.json()["answer_id"], asked.json()["conversation_id"], asked.json()["sources"][0]["url"]
    rate = f"{url}/answers/{aid}/feedback"

    with httpx.Client(headers=bearer(alice), timeout=60) as c:
        assert c.get(rate).json() == {"feedback": None}
        r = c.post(rate, json={"rating": "down", "reason": "wrong_source", "text": "не та", "story": story})
        assert r.status_code == 200, r.text
        assert {k: r.json()[k] for k in ("rating", "reason", "reason_label", "story")} == {
            "rating": "down", "reason": "wrong_source", "reason_label": "не те джерело", "story": story}
        assert c.get(rate).json()["feedback"]["rating"] == "down"
        # Bad input: one line each, and the rating kept as it was.
        bad = c.post(rate, json={"rating": "down", "story": "htp:/не-посилання"})
        assert bad.status_code == 400 and "не посилання на статтю" in one_line_error(bad)
        gone = c.post(rate, json={"rating": "down", "story": "https://example.test/the-batch/issue-1/#nope"})
        assert gone.status_code == 400 and "у бібліотеці немає" in one_line_error(gone)
        assert c.post(rate, json={"rating": "meh"}).status_code == 400
        assert c.post(rate, json={"rating": "up", "colour": "red"}).status_code == 400
        assert c.post(rate, json={"rating": "up", "reason": "bored"}).status_code == 400
        assert c.post(rate, data={"rating": "up"}).status_code == 415  # a form: not JSON
        foreign = c.post(rate, json={"rating": "up"}, headers={"Origin": "https://evil.example"})
        assert foreign.status_code == 403
        assert c.get(rate).json()["feedback"]["reason"] == "wrong_source"
        assert c.get(f"{url}/feedback").status_code == 403  # a reader's key: the summary is the admins'

    for other in (bob, admin):  # another live key's answer: as unknown, for an admin too
        r = httpx.post(rate, json={"rating": "up"}, headers=bearer(other))
        assert r.status_code == 404 and "немає" in one_line_error(r)
        assert httpx.get(rate, headers=bearer(other)).status_code == 404
    assert httpx.post(f"{url}/answers/not-an-id/feedback", json={"rating": "up"},
                      headers=bearer(alice)).status_code == 404

    summary = httpx.get(f"{url}/feedback", headers=bearer(admin), timeout=60)
    assert summary.status_code == 200, summary.text
    got = summary.json()
    assert got["total"] == 1 and got["weeks"][-1]["down"] == 1 and got["weeks"][-1]["share_up"] == 0.0
    assert got["newest_down"][0]["question"] == QUESTION and got["newest_down"][0]["sources"]
    assert "alice" not in summary.text
    assert httpx.get(f"{url}/feedback", params={"since": "2999-01-01"}, headers=bearer(admin)).json()["total"] == 0
    assert httpx.get(f"{url}/feedback", params={"since": "yesterday"}, headers=bearer(admin)).status_code == 400

    assert httpx.delete(f"{url}/conversations/{cid}", headers=bearer(alice)).status_code == 204
    assert httpx.get(f"{url}/feedback", headers=bearer(admin)).json()["total"] == 0
    assert httpx.get(rate, headers=bearer(alice)).status_code == 404
