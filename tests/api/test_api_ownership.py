"""Ownership by key identity on a real API (uvicorn on loopback): a revoked key's name given to a new key reaches none
of the old key's conversations; they are orphans, which an admin's key (never a reader's) lists, reads and deletes."""

from __future__ import annotations

import time

import httpx
import pytest

from batchrag.service.keys import Keys

QUESTION = "Який мікрочип розпізнає голос?"


@pytest.fixture(scope="module")
def live(tmp_path_factory, corpus):
    from batchrag.api import create_app
    from tests.support.live_api import serve_app

    s = corpus.build(tmp_path_factory.mktemp("ownership") / "data", "use-m3").with_changes(
        llm_backend="extractive", rewrite="off")
    with serve_app(create_app(s)) as url:
        yield s, url


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def ask(url: str, key: str, **extra) -> httpx.Response:
    return httpx.post(f"{url}/ask", json={"question": QUESTION, "stream": False, **extra}, headers=bearer(key),
                      timeout=120)


def reads(url: str, key: str, cid: str, aid: str) -> list[int]:
    """The statuses of reading a conversation, its export and one of its answers."""
    with httpx.Client(base_url=url, headers=bearer(key), timeout=60) as c:
        return [c.get(f"/conversations/{cid}").status_code,
                c.get(f"/conversations/{cid}/export", params={"format": "md"}).status_code,
                c.get(f"/conversations/{aid}/export", params={"format": "html"}).status_code,
                c.get(f"/answers/{aid}").status_code]


def test_a_new_key_with_a_revoked_keys_name_gets_none_of_its_conversations(live):
    s, url = live
    keys = Keys(s)
    admin = keys.create("ops", "admin")  # keys stay in use throughout: the API never falls open
    alice = keys.create("alice")
    time.sleep(1.1)  # a process re-reads whether keys exist once a second
    first = ask(url, alice)
    assert first.status_code == 200, first.text
    cid, aid = first.json()["conversation_id"], first.json()["answer_id"]
    assert cid and aid and reads(url, alice, cid, aid) == [200] * 4
    old_owner = keys.check(alice).owner
    assert old_owner.startswith("key_") and old_owner != "alice"

    keys.revoke("alice")
    new_alice = keys.create("alice")
    assert keys.check(new_alice).owner != old_owner
    assert httpx.get(f"{url}/conversations", headers=bearer(new_alice)).json()["conversations"] == []
    assert reads(url, new_alice, cid, aid) == [404] * 4
    r = httpx.get(f"{url}/answers/{aid}", headers=bearer(new_alice))
    assert "немає" in r.json()["error"] and "\n" not in r.text  # as an unknown id: nothing says it exists
    assert ask(url, new_alice, conversation_id=cid).status_code == 404  # nor goes on in it
    assert httpx.delete(f"{url}/conversations/{cid}", headers=bearer(new_alice)).status_code == 404
    # The new key's own conversation is its own, and not an orphan.
    mine = ask(url, new_alice).json()
    assert [c["id"] for c in httpx.get(f"{url}/conversations", headers=bearer(new_alice)).json()["conversations"]] \
        == [mine["conversation_id"]]

    # A reader key named like the old key's identity is still another identity: nothing of the old key's.
    namesake = keys.create(old_owner)
    assert keys.check(namesake).owner != old_owner
    assert reads(url, namesake, cid, aid) == [404] * 4
    assert httpx.delete(f"{url}/conversations/{cid}", headers=bearer(namesake)).status_code == 404
    denied = httpx.get(f"{url}/conversations", params={"orphans": "true"}, headers=bearer(namesake))
    assert denied.status_code == 403 and "admin" in denied.json()["error"] and "\n" not in denied.text

    # An admin's key: the orphan listed (with the identity it belonged to), read, exported; a live key's is not its.
    orphans = httpx.get(f"{url}/conversations", params={"orphans": "true"}, headers=bearer(admin)).json()
    assert [(c["id"], c["owner"], c["turn_count"]) for c in orphans["conversations"]] == [(cid, old_owner, 1)]
    assert httpx.get(f"{url}/conversations", headers=bearer(admin)).json()["conversations"] == []  # its own: none
    assert reads(url, admin, cid, aid) == [200] * 4
    shown = httpx.get(f"{url}/answers/{aid}", headers=bearer(admin)).json()
    assert shown["answer"]["answer"] == first.json()["answer"] and shown["conversation_id"] == cid
    assert reads(url, admin, mine["conversation_id"], mine["answer_id"]) == [404] * 4
    assert httpx.delete(f"{url}/conversations/{mine['conversation_id']}", headers=bearer(admin)).status_code == 404
    assert ask(url, admin, conversation_id=cid).status_code == 404  # read, not continued: it is nobody's now
    assert httpx.delete(f"{url}/conversations/{cid}", headers=bearer(admin)).status_code == 204
    assert reads(url, admin, cid, aid) == [404] * 4
    assert httpx.get(f"{url}/conversations", params={"orphans": "true"},
                     headers=bearer(admin)).json()["conversations"] == []
    assert reads(url, new_alice, mine["conversation_id"], mine["answer_id"]) == [200] * 4  # untouched
