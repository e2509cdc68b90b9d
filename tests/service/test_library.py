"""The library (status, quick start) and the background updater: real store, real threads, real crawl."""

from __future__ import annotations

from batchrag.domain.types import ParsedArticle
from batchrag.service import Library, LibraryUpdater
from batchrag.service.llm_status import llm_status
from batchrag.settings import Settings, get_settings
from batchrag.store import open_store


def test_status_of_empty_library_has_no_index():
    st = Library(get_settings()).status()
    assert st.empty and not st.has_index and st.indexed_articles is None


def test_updater_runs_in_background_and_reports_progress():
    settings = get_settings()
    calls = []

    def crawl(s, offline=False):
        # A real write while the page would be polling: the progress line counts it.
        open_store(s).upsert_article(ParsedArticle(url="https://x/a", title="A", text="t"))
        calls.append("crawl")
        return {"new": 1}

    def index(s):
        calls.append("index")
        return {"articles": 1}

    up = LibraryUpdater(settings, crawl=crawl, index=index)
    assert up.start()
    up.join(10)
    s = up.state()
    assert calls == ["crawl", "index"] and s.stage == "done" and not s.running
    assert s.crawl == {"new": 1} and "нових статей: 1" in up.progress_text()


def test_updater_failure_is_reported_and_store_kept():
    settings = get_settings()
    open_store(settings).upsert_article(ParsedArticle(url="https://x/keep", title="Keep", text="t"))

    def crawl(s, offline=False):
        raise ConnectionError("site unreachable")

    up = LibraryUpdater(settings, crawl=crawl, index=lambda s: {})
    up.start()
    up.join(10)
    s = up.state()
    assert s.stage == "error" and "site unreachable" in s.error and "site unreachable" in up.progress_text()
    assert open_store(settings).stats()["articles"] == 1
    assert up.start()  # a failed run can be retried
    up.join(10)


def test_llm_status_reports_closed_ollama(monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", "http://127.0.0.1:9")
    get_settings.cache_clear()
    lines = {line.name: line for line in llm_status(get_settings())}
    assert not lines["ollama"].ok and "not reachable" in lines["ollama"].detail
    assert lines["extractive"].ok


def test_quick_start_crawls_the_newest_issue_and_indexes_it(tmp_path):

    from batchrag.crawl.fixture_server import start_fixture_site
    from batchrag.index.tables import read_meta
    from batchrag.settings import Settings

    site = start_fixture_site()
    try:
        s = Settings(data_dir=tmp_path / "d", base_url=site.base_url, rate_limit_per_host=0, embedder="use-m3",
                     quick_start_pages=1, download_images=False)
        done = Library(s).quick_start()
    finally:
        site.stop()
    arts = list(open_store(s).iter_articles())
    assert done["crawl"]["new"] == len(arts) > 0 and {a.issue for a in arts} == {5}
    assert done["index"]["articles"] == len(arts) and read_meta(s.store)["embedder"] == "use-m3"


def test_update_with_the_site_unreachable_is_a_warning_not_a_success():
    from batchrag.settings import Settings
    from tests.support.net import closed_port_url

    base = get_settings()
    store = open_store(base)
    store.upsert_article(ParsedArticle(url="https://x/keep", title="Keep", text="t"))
    store.set_meta("last_crawl", "2025-06-01T08:30:00+00:00")
    s = Settings(data_dir=base.store.data_dir, base_url=closed_port_url(), backoff_base_s=0.01)
    indexed = []
    up = LibraryUpdater(s, index=lambda s: indexed.append(1) or {})
    up.start()
    up.join(30)
    state = up.state()
    assert state.stage == "unreachable" and state.problem and not indexed  # no index run over an unchanged store
    assert state.crawl["outcome"] == "unreachable" and "cannot reach" in state.reason
    text = up.progress_text()
    assert "недоступний" in text and "така сама, як була" in text and "01.06.2025" in text
    assert "оновлено." not in text and "cannot reach" not in text  # the page's line is Ukrainian only
    assert open_store(s).stats()["articles"] == 1 and open_store(s).get_meta("last_crawl").startswith("2025-06-01")


def test_update_that_finds_nothing_new_says_so():
    up = LibraryUpdater(get_settings(), crawl=lambda s, offline=False: {"outcome": "unchanged"},
                        index=lambda s: {})
    up.start()
    up.join(10)
    assert up.state().stage == "unchanged" and "Нових статей на сайті немає" in up.progress_text()


def test_an_import_of_saved_pages_is_an_update_and_the_newest_issue_has_its_own_date(tmp_path):
    from pathlib import Path

    from batchrag.service.library import Library
    from batchrag.ui.render import newest_text

    pages = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
    library = Library(Settings(data_dir=tmp_path / "data"))
    assert library.status().last_crawl is None  # «Останнє оновлення: ще ніколи» is true here
    library.ingest_dir(pages)
    st = library.status()
    assert st.last_crawl is not None  # and no longer after the import
    assert st.newest_issue == max(library.store.issue_numbers()) and st.first_issue <= st.newest_issue
    assert st.newest_issue_date == library.store.issue_info(st.newest_issue)["date"].isoformat()
    # The page writes the issue's own date, and a newer standalone post's beside it, dd.mm.yyyy.
    st.newest_issue, st.newest_issue_date, st.newest_date = 304, "2025-06-04", "2025-06-11"
    assert newest_text(st) == "Найновіший випуск: **№304** (04.06.2025), найновіша стаття — 11.06.2025"
    st.newest_date = "2025-06-04"
    assert newest_text(st) == "Найновіший випуск: **№304** (04.06.2025)"
