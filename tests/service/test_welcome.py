"""The empty page's overview and example questions, chosen from the library actually loaded (a real store)."""

from __future__ import annotations

from datetime import date

from batchrag.service.welcome import choose_examples, overview
from batchrag.settings import get_settings
from batchrag.store import open_store
from tests.support.corpus import ARTICLES


def _store_with_corpus():
    store = open_store(get_settings())
    with ARTICLES.open(encoding="utf-8") as fp:
        assert store.import_jsonl(fp)["failed"] == 0
    return store


def test_overview_counts_dates_and_newest_issue():
    _store_with_corpus()
    ov = overview(get_settings())
    assert (ov.issues, ov.articles) == (5, 15)
    assert ov.first_date == date(2030, 1, 8) and ov.last_date == date(2030, 2, 12)
    assert ov.newest_issue == 905 and ov.newest_issue_date == date(2030, 2, 12)


def test_examples_come_from_the_newest_stories_one_of_each_kind():
    store = _store_with_corpus()
    arts = list(store.iter_articles())
    ex = choose_examples(arts)
    assert [e.kind for e in ex] == ["text", "image", "english"]
    assert len({e.article_url for e in ex}) == 3  # three different stories
    by_url = {a.url: a for a in arts}
    picked = [by_url[e.article_url] for e in ex]
    assert all(a.section != "letter" for a in picked)
    assert picked[0].date == date(2030, 2, 12)  # the newest issue's story first
    assert picked[1].images  # a picture request names a story that has a picture
    assert picked[0].title in ex[0].question and "«" in ex[0].question
    assert ex[1].question.startswith("Покажи зображення")
    assert ex[2].question.startswith("What did The Batch")


def test_a_story_with_a_downloaded_picture_is_preferred_for_the_picture_request():
    store = _store_with_corpus()
    arts = list(store.iter_articles())
    oldest = min((a for a in arts if a.images and a.section != "letter"), key=lambda a: a.date)
    oldest.images[0].local_path = "x.png"
    ex = {e.kind: e for e in choose_examples(arts)}
    assert ex["image"].article_url == oldest.url


def test_empty_library_has_no_examples():
    ov = overview(get_settings())
    assert ov.articles == 0 and ov.examples == [] and ov.first_date is None
