"""GET /feed.xml on a real API (uvicorn on loopback) over the fixture library: Atom that feedparser reads, one entry
per issue, every story linked; with keys, `?key=` lets a feed reader in."""

from __future__ import annotations

import json
import time

import feedparser
import httpx
import pytest

from batchrag.service.digest import Digester
from batchrag.service.keys import Keys
from batchrag.settings import Settings
from batchrag.store import open_store
from tests.support.corpus import ARTICLES
from tests.support.live_api import serve_app


def _served(root):
    """A fixture library (a store: the feed needs no index) and the API over it."""
    from batchrag.api import create_app

    s = Settings(data_dir=root, llm_backend="extractive", rewrite="off", public_url="https://rag.example.org/")
    assert open_store(s).import_jsonl(ARTICLES.read_text(encoding="utf-8").splitlines())["failed"] == 0
    return s, serve_app(create_app(s))


@pytest.fixture(scope="module")
def open_api(tmp_path_factory):
    s, server = _served(tmp_path_factory.mktemp("feed") / "data")
    with server as url:
        yield s, url


def test_the_feed_is_atom_with_one_entry_per_issue_every_story_linked(open_api):
    s, url = open_api
    r = httpx.get(f"{url}/feed.xml")
    assert r.status_code == 200 and r.headers["content-type"] == "application/atom+xml; charset=utf-8"
    f = feedparser.parse(r.content)
    assert f.bozo == 0, f.get("bozo_exception")
    assert f.version == "atom10" and f.feed.title == "The Batch українською"
    # The feed's own link is the configured public address, never the request's Host (docs/security.md).
    assert [ln.href for ln in f.feed.links if ln.rel == "self"] == ["https://rag.example.org/feed.xml"]
    dg = Digester(s)
    numbers = dg.issues()
    assert len(f.entries) == len(numbers) == 5
    for e, n in zip(f.entries, numbers, strict=True):
        d = dg.digest(n, summarise=False)
        assert e.title.startswith(f"The Batch №{n} (") and e.link == d.url
        assert e.published_parsed[:3] == (d.date.year, d.date.month, d.date.day)
        linked = [s.url for s in d.stories if f'href="{s.url}"' in e.content[0].value]
        assert linked == [s.url for s in d.stories] and len(linked) == 3


def test_a_polling_reader_gets_304_for_an_unchanged_feed_and_a_typo_gets_400(open_api):
    _, url = open_api
    tag = httpx.get(f"{url}/feed.xml").headers["etag"]
    again = httpx.get(f"{url}/feed.xml", headers={"If-None-Match": tag})
    assert again.status_code == 304 and not again.content
    bad = httpx.get(f"{url}/feed.xml", params={"foo": "1"})
    assert bad.status_code == 400 and bad.json() == {"error": "unknown parameter: foo"}
    # A reader that takes gzip (httpx does) gets it compressed, the same document once decoded; one that does not
    # gets the XML as it is.
    zipped = httpx.get(f"{url}/feed.xml")
    plain = httpx.get(f"{url}/feed.xml", headers={"Accept-Encoding": "identity"})
    assert zipped.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
    assert zipped.content == plain.content and int(zipped.headers["content-length"]) < len(plain.content)


def test_an_empty_library_is_a_valid_feed_without_entries(tmp_path):
    from batchrag.api import create_app

    with serve_app(create_app(Settings(data_dir=tmp_path / "data", llm_backend="extractive"))) as url:
        r = httpx.get(f"{url}/feed.xml")
    f = feedparser.parse(r.content)
    assert r.status_code == 200 and f.bozo == 0 and f.version == "atom10" and f.entries == []


def test_with_keys_a_feed_reader_sends_its_key_in_the_query(tmp_path):
    s, server = _served(tmp_path / "data")
    with server as url:
        reader = Keys(s).create("feedreader")
        time.sleep(1.1)  # a process re-reads whether keys exist once a second
        denied = httpx.get(f"{url}/feed.xml")
        assert denied.status_code == 401 and "error" in denied.json()
        assert httpx.get(f"{url}/feed.xml", params={"key": "brk_wrong"}).status_code == 401
        r = httpx.get(f"{url}/feed.xml", params={"key": reader})
        assert r.status_code == 200
        f = feedparser.parse(r.content)
        assert f.bozo == 0 and f.version == "atom10" and len(f.entries) == 5
        assert reader not in r.text  # the self link is the feed's, never the reader's key
        typo = httpx.get(f"{url}/feed.xml", params={"key": reader, "foo": "1"})
        assert typo.status_code == 400 and json.loads(typo.text)["error"] == "unknown parameter: foo"
