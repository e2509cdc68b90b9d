"""Store: idempotent upserts, export/import round trip, schema version, clear errors (on SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest

from batchrag.domain.types import ImageRef, ParsedArticle, ParsedPage
from batchrag.settings import get_settings
from batchrag.store import Store, StoreError, open_store


def _page():
    arts = [
        ParsedArticle(url="https://x/issue-1/#a", title="Alpha", text="One.\nTwo.", issue=1, issue_slug="issue-1",
                      date=date(2020, 1, 1), images=[ImageRef(url="https://x/a.png", alt="a chart")]),
        ParsedArticle(url="https://x/issue-1/#letter", title="Letter", text="Dear friends,", section="letter",
                      issue=1, issue_slug="issue-1", date=date(2020, 1, 1)),
    ]
    return ParsedPage(url="https://x/issue-1/", kind="issue", articles=arts, issue=1, issue_slug="issue-1",
                      date=date(2020, 1, 1), title="Issue 1")


def test_upsert_is_idempotent_and_detects_changes(any_db):
    store = open_store(get_settings())
    assert store.save_page(_page()) == {"new": 2, "updated": 0, "unchanged": 0}
    assert store.save_page(_page()) == {"new": 0, "updated": 0, "unchanged": 2}
    page = _page()
    page.articles[0].text = "One.\nTwo.\nThree."
    assert store.save_page(page) == {"new": 0, "updated": 1, "unchanged": 1}
    st = store.stats()
    assert st["articles"] == 2 and st["issues"] == 1 and st["images"] == 1
    assert store.schema_version() >= 1


def test_export_import_round_trip(tmp_path, any_db):
    store = open_store(get_settings())
    store.save_page(_page())
    buf = io.StringIO()
    assert store.export_jsonl(buf) == 2
    other = Store(f"sqlite:///{tmp_path / 'other.db'}")
    counts = other.import_jsonl(buf.getvalue().splitlines())
    assert counts["new"] == 2
    a = other.get_article_by_url("https://x/issue-1/#a")
    assert a.images[0].alt == "a chart" and a.date == date(2020, 1, 1)
    assert other.import_jsonl(buf.getvalue().splitlines())["unchanged"] == 2


def test_import_bad_line_keeps_good_ones(any_db):
    store = open_store(get_settings())
    good = json.dumps({"url": "u1", "title": "T", "text": "x", "issue": 3, "date": "2021-02-03"})
    counts = store.import_jsonl([good, "{not json", json.dumps({"title": "no url"})])
    assert counts["new"] == 1 and counts["failed"] == 2


def test_import_shared_corpus(shared_dir):
    store = open_store(get_settings())
    with (shared_dir / "corpus" / "batch-issues-290-298.jsonl").open() as fp:
        counts = store.import_jsonl(fp)
    assert counts["new"] == 45 and counts["failed"] == 0


def test_unusable_database_gives_clear_error(tmp_path):
    bad = tmp_path / "not-a-db"
    bad.write_bytes(b"garbage" * 1000)
    with pytest.raises(StoreError, match="cannot open the article database"):
        Store(f"sqlite:///{bad}")
    assert bad.read_bytes() == b"garbage" * 1000
