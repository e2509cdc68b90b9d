"""The Atom feed over a real store of the fixture corpus: one entry per issue, newest first, every story linked, dates,
escaping, the Ukrainian summaries only where a model already wrote them, and the document kept until the library
changes."""

from __future__ import annotations

import html
import json
import xml.etree.ElementTree as ET

import pytest

from batchrag.service.digest import Digester
from batchrag.service.feed import Feed
from batchrag.settings import Settings
from batchrag.store import open_store
from tests.support.corpus import ARTICLES
from tests.support.ollama_wire import Reply, ScriptedOllama

A = "{http://www.w3.org/2005/Atom}"
SELF = "http://feeds.example/feed.xml"
SUMMARY = ("Дослідники навчили робота готувати за одним показом. "
           "Найважливішими виявилися чисті демонстрації, а не обсяг даних.")


def _library(root, *extra: dict) -> Settings:
    """A store (no index: the feed needs none) holding the fixture corpus and `extra` articles."""
    s = Settings(data_dir=root, llm_backend="extractive")
    lines = ARTICLES.read_text(encoding="utf-8").splitlines() + [json.dumps(r) for r in extra]
    assert open_store(s).import_jsonl(lines)["failed"] == 0
    return s


def _parse(doc: bytes) -> ET.Element:
    assert doc.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(doc)


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    return _library(tmp_path_factory.mktemp("feed") / "data")


def test_one_entry_per_issue_newest_first_each_linked_to_the_site(library):
    root = _parse(Feed(library).document(SELF))
    assert root.tag == f"{A}feed" and root.get("{http://www.w3.org/XML/1998/namespace}lang") == "uk"
    assert root.findtext(f"{A}title") == "The Batch українською"
    assert root.find(f"{A}link[@rel='self']").get("href") == SELF
    assert root.findtext(f"{A}author/{A}name") and root.findtext(f"{A}id").startswith("tag:")
    dg = Digester(library)
    numbers = dg.issues()
    entries = root.findall(f"{A}entry")
    assert len(entries) == len(numbers) == 5
    for e, n in zip(entries, numbers, strict=True):
        d = dg.digest(n, summarise=False)
        assert e.findtext(f"{A}title") == f"The Batch №{n} ({d.date:%d.%m.%Y})"
        assert e.findtext(f"{A}id") == f"tag:batchrag,2025:the-batch-uk/issue-{n}"
        assert e.findtext(f"{A}updated") == e.findtext(f"{A}published") == f"{d.date.isoformat()}T00:00:00Z"
        assert e.find(f"{A}link[@rel='alternate']").get("href") == d.url == f"https://example.test/the-batch/issue-{n}/"
        content = e.find(f"{A}content")
        assert content.get("type") == "html"
        for s in d.stories:  # every story: its title linked to its page, its English lead marked as such
            assert f'<a href="{html.escape(s.url)}">{html.escape(s.title)}</a>' in content.text
            assert html.escape(s.summary) in content.text
        assert content.text.count("Початок статті англійською") == len(d.stories)
        assert e.findtext(f"{A}summary").startswith(d.stories[0].title)
    assert root.findtext(f"{A}updated") == entries[0].findtext(f"{A}updated")  # the newest issue's day


def test_text_is_escaped_and_characters_xml_forbids_are_dropped(tmp_path):
    odd = {"issue": 950, "date": "2030-03-05", "url": "https://example.test/the-batch/issue-950/#letter",
           "section": "letter", "title": 'Chips & <Bits> "quoted"\x0b',
           "text": "Dear friends,\nA <script>alert(1)</script> & more, said the lab.\x01 Keep learning!"}
    s = _library(tmp_path / "data", odd)
    doc = Feed(s).document(SELF + "?a=1&b=<2>")
    assert b"\x0b" not in doc and b"\x01" not in doc and b"<script>" not in doc
    root = _parse(doc)
    assert root.find(f"{A}link[@rel='self']").get("href") == SELF + "?a=1&b=<2>"
    newest = root.find(f"{A}entry")
    assert newest.findtext(f"{A}title") == "The Batch №950 (05.03.2030)"
    assert newest.findtext(f"{A}summary") == 'Chips & <Bits> "quoted"'
    content = newest.findtext(f"{A}content")  # HTML, once unescaped from the XML: its own text escaped again
    assert "Chips &amp; &lt;Bits&gt; &quot;quoted&quot;</a>" in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in content and "<script>" not in content


def test_an_empty_library_is_a_valid_feed_with_no_entries(tmp_path):
    root = _parse(Feed(Settings(data_dir=tmp_path / "data", llm_backend="extractive")).document(SELF))
    assert root.findall(f"{A}entry") == [] and root.findtext(f"{A}updated")


def test_only_summaries_already_kept_are_shown_and_no_model_is_asked(tmp_path):
    srv = ScriptedOllama(default=Reply([SUMMARY])).start()
    try:
        s = _library(tmp_path / "data").with_changes(llm_backend="ollama", ollama_host=srv.url)
        Digester(s).digest(901)  # a reader opened issue 901's digest: its summaries are kept
        asked = len(srv.chat_requests())
        assert asked == 3
        feed = Feed(s)
        entries = {e.findtext(f"{A}id").rsplit("-", 1)[1]: e.findtext(f"{A}content")
                   for e in _parse(feed.document(SELF)).findall(f"{A}entry")}
        assert len(srv.chat_requests()) == asked  # four issues without summaries, and not one question to the model
        assert entries["901"].count("Переказ українською") == 3 and html.escape(SUMMARY) in entries["901"]
        assert "Перекази написала модель ollama:" in entries["901"]
        assert all("Переказ українською" not in entries[n] for n in ("902", "903", "904", "905"))
        assert entries["902"].count("Початок статті англійською") == 3
    finally:
        srv.stop()


def test_the_document_is_built_once_until_the_library_changes(tmp_path):
    s = _library(tmp_path / "data")
    feed = Feed(s)
    first = feed.document(SELF)
    assert feed.document(SELF) == first and feed.builds == 1
    other = feed.document("https://team.example/feed.xml")  # another host: the kept entries, its own self link
    assert feed.builds == 1 and other.replace(b"https://team.example/feed.xml", SELF.encode()) == first
    new = {"issue": 906, "date": "2030-02-12", "url": "https://example.test/the-batch/issue-906/#letter",
           "section": "letter", "title": "Letter from the editor, issue 906", "text": "Dear friends,\nNews. Bye."}
    open_store(s).import_jsonl([json.dumps(new)])
    entries = _parse(feed.document(SELF)).findall(f"{A}entry")
    assert feed.builds == 2 and len(entries) == 6
    assert entries[0].findtext(f"{A}title") == "The Batch №906 (12.02.2030)"
