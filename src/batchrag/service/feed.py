"""The library's issues as an Atom feed: one entry per issue, its digest (cached Ukrainian summaries, else leads)."""

from __future__ import annotations

import html
import re
import threading
import time
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

from batchrag.llm.base import LLMBackend
from batchrag.service.digest import Digest, Digester, DigestError
from batchrag.service.digest_export import SECTION_UK, summary_label
from batchrag.service.library import Library
from batchrag.settings import Settings

ATOM = "http://www.w3.org/2005/Atom"
TITLE = "The Batch українською"
SUBTITLE = "Випуски The Batch: кожна історія з переказом українською, де його вже написала модель, або з початком англійською"
# tag: URIs (RFC 4151): stable whatever host serves the feed, and never the site's own ids (its feed is English).
FEED_ID = "tag:batchrag,2025:the-batch-uk"
ENTRY_ID = "tag:batchrag,2025:the-batch-uk/issue-{number}"
MAX_AGE_S = 300  # summaries kept meanwhile (a reader opened a digest) appear within minutes, the library unchanged
SUMMARY_TITLES = 3
# Characters XML 1.0 forbids: one in a scraped title would make the whole document unreadable to every reader.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")


def stamp(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _sub(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: clean(v) for k, v in attrs.items()})
    el.text = clean(text) or None
    return el


def content_html(d: Digest) -> str:
    """The digest as HTML for the entry's content: each story's linked title, picture and summary (or lead)."""
    e = html.escape
    parts = [f'<p><a href="{e(d.url)}">Випуск на сайті</a></p>']
    if d.model:
        parts.append(f"<p><em>Перекази написала модель {e(d.model)}.</em></p>")
    for s in d.stories:
        parts.append(f'<h3><a href="{e(s.url)}">{e(s.title)}</a></h3>')
        parts.append(f"<p><small>{e(SECTION_UK.get(s.section, s.section))}</small></p>")
        if s.picture:
            parts.append(f'<p><img src="{e(s.picture.url)}" alt="{e(s.picture.alt)}"></p>')
        parts.append(f'<p><strong>{e(summary_label(s))}:</strong> <span lang="{e(s.summary_language)}">'
                     f"{e(s.summary)}</span></p>")
    return "\n".join(parts)


def entry(d: Digest, when: str, day: date | None) -> ET.Element:
    """One issue's <entry> (no namespace of its own: the feed element declares Atom as the default)."""
    el = ET.Element("entry")
    _sub(el, "id", ENTRY_ID.format(number=d.issue))
    _sub(el, "title", f"The Batch №{d.issue}" + (f" ({day:%d.%m.%Y})" if day else ""))
    _sub(el, "updated", when)
    _sub(el, "published", when)
    _sub(el, "link", "", rel="alternate", type="text/html", href=d.url)
    titles = [s.title for s in d.stories]
    _sub(el, "summary", " · ".join(titles[:SUMMARY_TITLES]) + (" …" if len(titles) > SUMMARY_TITLES else ""))
    _sub(el, "content", content_html(d), type="html")
    return el


def _crawled(last_crawl: str | None) -> str:
    """The last crawl as an RFC 3339 time (the date of a feed or entry that has none of its own), else now."""
    try:
        when = datetime.fromisoformat(last_crawl or "")
    except ValueError:
        when = datetime.now(UTC)
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).isoformat(timespec="seconds")


class Feed:
    """The Atom feed of one library: its entries built once per change of the library and kept in memory, so a
    feed reader polling every minute costs a few counts; no model is ever asked (only summaries already kept)."""

    def __init__(self, settings: Settings, *, backend: LLMBackend | None = None, library: Library | None = None):
        self.library = library or Library(settings)
        self.digester = Digester(settings, backend=backend)
        self.builds = 0
        self._lock = threading.Lock()
        self._built: tuple[tuple, float, str, str] | None = None  # (library key, built at, updated, entries' XML)

    def _key(self) -> tuple:
        st = self.library.stats()
        return tuple(st.get(k) for k in ("articles", "issues", "newest_issue", "newest_date", "last_crawl"))

    def _entries(self, last_crawl: str | None) -> tuple[str, str]:
        """(the feed's updated, the entries' XML), newest issue first."""
        last = _crawled(last_crawl)
        out, days = [], []
        for number in self.digester.issues():
            try:
                d = self.digester.digest(number, ask=False)
            except DigestError:  # an issue page whose stories are not stored: nothing to show a reader
                continue
            day = d.date or min((s.date for s in d.stories if s.date), default=None)
            days += [day] if day else []
            out.append(ET.tostring(entry(d, stamp(day) if day else last, day), encoding="unicode"))
        return (stamp(max(days)) if days else last), "".join(out)

    def document(self, self_url: str) -> bytes:
        """The whole feed, its self link `self_url` (the host the reader asked, so not part of what is kept)."""
        key = self._key()
        with self._lock:  # one build at a time: readers polling together wait for it instead of repeating it
            b = self._built
            if b is None or b[0] != key or time.monotonic() - b[1] > MAX_AGE_S:
                b = self._built = (key, time.monotonic(), *self._entries(key[-1]))
                self.builds += 1
        root = ET.Element("feed", {"xmlns": ATOM, "xml:lang": "uk"})
        _sub(root, "id", FEED_ID)
        _sub(root, "title", TITLE)
        _sub(root, "subtitle", SUBTITLE)
        _sub(root, "updated", b[2])
        _sub(root, "link", "", rel="self", type="application/atom+xml", href=self_url)
        _sub(ET.SubElement(root, "author"), "name", "batchrag")
        _sub(root, "generator", "batchrag")
        head = ET.tostring(root, encoding="unicode").removesuffix("</feed>")
        return f'<?xml version="1.0" encoding="utf-8"?>\n{head}{b[3]}</feed>\n'.encode()
