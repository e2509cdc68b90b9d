"""Conversations through the API (a real uvicorn on loopback): an answer names where it is kept, a follow-up by
conversation_id uses the earlier turn, the share link, export, delete, and with keys each key sees only its own."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from batchrag.service.keys import Keys

FIRST = "Який мікрочип розпізнає голос?"
FOLLOW = "А скільки енергії він споживає?"


@pytest.fixture(scope="module")
def live(tmp_path_factory, corpus):
    from batchrag.api import create_app
    from tests.support.live_api import serve_app

    s = corpus.build(tmp_path_factory.mktemp("conv") / "data", "use-m3").with_changes(
        llm_backend="extractive", rewrite="off")
    with serve_app(create_app(s)) as url:
        yield s, url


def ask(url: str, question: str, headers=None, **extra) -> httpx.Response:
    return httpx.post(f"{url}/ask", json={"question": question, "stream": False, **extra}, headers=headers or {},
                      timeout=120)


def test_a_conversation_is_kept_continued_shared_exported_and_deleted(live):
    _, url = live
    first = ask(url, FIRST).json()
    cid, aid = first["conversation_id"], first["answer_id"]
    assert cid and aid and first["answer"] and first["sources"]
    # Streamed, the answer event names them too.
    with httpx.stream("POST", f"{url}/ask", json={"question": FOLLOW, "conversation_id": cid}, timeout=120) as r:
        events = [json.loads(line[6:]) for line in r.iter_lines() if line.startswith("data: ")]
    follow = events[-2]  # the answer; the last event is its follow-ups (issue 43)
    assert follow["conversation_id"] == cid and follow["answer_id"] not in (None, aid)

    conv = httpx.get(f"{url}/conversations/{cid}").json()
    assert [t["question"] for t in conv["turns"]] == [FIRST, FOLLOW] and conv["title"] == FIRST
    assert conv["turns"][0]["answer"]["answer"] == first["answer"]  # as shown
    # The follow-up was searched with the earlier turn: its query leans on the first question.
    assert conv["turns"][1]["query"] != FOLLOW and "мікрочип" in conv["turns"][1]["query"].lower()
    assert all(p["text"] for p in conv["turns"][0]["passages"])
    listed = httpx.get(f"{url}/conversations").json()["conversations"]
    assert listed[0]["id"] == cid and listed[0]["turn_count"] == 2 and "turns" not in listed[0]

    shared = httpx.get(f"{url}/answers/{aid}").json()
    assert shared["answer"]["answer"] == first["answer"] and shared["conversation_id"] == cid
    for fmt in ("md", "html"):
        r = httpx.get(f"{url}/conversations/{cid}/export", params={"format": fmt})
        assert r.status_code == 200 and r.headers["content-disposition"].endswith(f'.{fmt}"')
        for s in first["sources"] + follow["sources"]:
            assert s["title"] in r.text.replace("&#x27;", "'").replace("&amp;", "&") and s["url"] in r.text

    for bad, code, words in [(f"/conversations/{'x' * 12}", 404, "немає"), ("/conversations/a%20b", 404, "ідентифікатор"),
                             (f"/answers/{'y' * 12}", 404, "немає"),
                             (f"/conversations/{cid}/export?format=pdf", 400, "format")]:
        r = httpx.get(f"{url}{bad}")
        assert r.status_code == code and words in r.json()["error"] and "\n" not in r.text, (bad, r.text)
    assert ask(url, FOLLOW, conversation_id="nope-nope-no").status_code == 404

    assert httpx.delete(f"{url}/conversations/{cid}").status_code == 204
    assert httpx.get(f"{url}/conversations/{cid}").status_code == 404
    assert httpx.get(f"{url}/answers/{aid}").status_code == 404


def test_with_keys_each_key_sees_only_its_own(live):
    s, url = live
    a, b = Keys(s).create("olena"), Keys(s).create("taras")
    time.sleep(1.1)  # a process re-reads whether keys exist once a second
    try:
        as_a, as_b = {"Authorization": f"Bearer {a}"}, {"Authorization": f"Bearer {b}"}
        mine = ask(url, FIRST, as_a).json()
        assert httpx.get(f"{url}/conversations/{mine['conversation_id']}", headers=as_a).status_code == 200
        assert httpx.get(f"{url}/conversations/{mine['conversation_id']}", headers=as_b).status_code == 404
        assert httpx.get(f"{url}/answers/{mine['answer_id']}", headers=as_b).status_code == 404
        assert ask(url, FOLLOW, as_b, conversation_id=mine["conversation_id"]).status_code == 404
        assert httpx.get(f"{url}/conversations", headers=as_b).json()["conversations"] == []
        assert [c["id"] for c in httpx.get(f"{url}/conversations", headers=as_a).json()["conversations"]] == [
            mine["conversation_id"]]
    finally:
        Keys(s).revoke("olena")
        Keys(s).revoke("taras")
