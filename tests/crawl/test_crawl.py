"""Full crawls of the invented fixture site into a real SQLite store: content, idempotence, faults, CLI."""

from __future__ import annotations

import json
import socket
import time
from datetime import date

import pytest
from typer.testing import CliRunner

from batchrag.cli import app
from batchrag.crawl.fixture_server import SITE_DIR
from batchrag.crawl.runner import run_crawl
from batchrag.settings import Settings
from batchrag.store import Store
from tests.support.fault_server import start_fault_site

ISSUE_STORIES = {1: 4, 2: 4, 3: 4, 4: 5, 5: 4}  # news stories per fixture issue (plus one letter each)


def crawl_settings(base_url: str, data_dir, **kw) -> Settings:
    base = dict(data_dir=data_dir, base_url=base_url, rate_limit_per_host=0, backoff_base_s=0.01,
                request_timeout_s=1.0, max_retries=2, max_response_bytes=300_000, max_retry_after_s=5)
    return Settings(**{**base, **kw})


@pytest.fixture
def site():
    s = start_fault_site()
    yield s
    s.stop()


@pytest.fixture
def store(any_db):
    return Store(any_db)  # the crawl on SQLite and on PostgreSQL


def rows(store: Store) -> list[tuple]:
    return [(a.url, a.title, a.text, a.section, a.issue, a.date, tuple(a.alt_urls),
             tuple((i.url, i.alt, i.local_path, i.width, i.error) for i in a.images)) for a in store.iter_articles()]


def test_full_crawl_stores_every_story(site, store, data_dir):
    s = crawl_settings(site.base_url, data_dir)
    summary = run_crawl(store, s, progress=False)
    arts = list(store.iter_articles())
    n_issue_articles = sum(ISSUE_STORIES.values()) + len(ISSUE_STORIES)
    assert summary.new == len(arts) == n_issue_articles + 1  # + the standalone "AI for Farmers"
    assert summary.failed == 0 and summary.aborted is None
    assert summary.pages_blocked == 1 and summary.duplicates_linked == 1
    assert summary.routes.get("probe") == 1  # issue-5 is in no sitemap or listing
    for n, k in ISSUE_STORIES.items():
        mine = [a for a in arts if a.issue == n]
        assert len([a for a in mine if a.section == "story"]) == k
        assert len([a for a in mine if a.section == "letter"]) == 1
        assert all(a.date and a.date.year >= 2019 and a.text for a in mine)
    by_title = {a.title: a for a in arts}
    robots = by_title["Robots Learn to Fold Laundry"]
    assert robots.date == date(2019, 6, 12) and robots.url.endswith("/issue-1/#robots-learn-to-fold-laundry")
    assert "400 human demonstrations" in robots.text
    assert robots.images[0].alt.startswith("A two-armed robot") and robots.images[0].width == 64
    assert (s.store.images_dir / robots.images[0].local_path).is_file()
    assert "Zoë Ørsted" in by_title["Vision Models Shrink Without Losing Sight"].text
    assert by_title["Warehouse Robots Go Shift-Free"].images == []
    small = by_title["Small Models, Big Context"]
    assert small.alt_urls == [site.base_url + "/the-batch/small-models-big-context/"]
    assert not any(a.title.startswith("Small Models, Big Context:") for a in arts)  # stored once
    assert all("Elevenlabs" not in a.text and "Enroll today" not in a.text for a in arts)
    assert "Embargoed" not in by_title and site.count("/the-batch/draft-embargoed-story/") == 0
    stats = store.stats()
    assert stats["images_downloaded"] == stats["images"] == summary.images_downloaded == 21
    assert stats["last_crawl"] is not None
    gifs = [a.images[0].local_path for a in arts if a.images and a.images[0].local_path.endswith(".gif")]
    assert len(gifs) == 2 and all((s.store.images_dir / g.replace(".gif", ".still.png")).is_file() for g in gifs)


def test_second_crawl_writes_nothing_and_asks_little(site, store, data_dir):
    s = crawl_settings(site.base_url, data_dir)
    run_crawl(store, s, progress=False)
    before = rows(store)
    site.reset_log()
    again = run_crawl(store, s, progress=False)
    assert (again.new, again.updated, again.failed, again.pages_fetched) == (0, 0, 0, 0)
    assert rows(store) == before
    paths = [p for _, p, _ in site.log]
    assert paths == ["/robots.txt", "/sitemap.xml", "/sitemap-0.xml", "/the-batch/",
                     "/the-batch/issue-6/", "/the-batch/issue-7/", "/the-batch/issue-8/"]
    assert [st for _, p, st in site.log if "sitemap" in p] == [304, 304]
    assert again.requests == 7


def test_refresh_refetches_with_conditional_requests(site, store, data_dir):
    s = crawl_settings(site.base_url, data_dir)
    run_crawl(store, s, progress=False)
    before = rows(store)
    again = run_crawl(store, s, refresh=True, progress=False)
    assert again.pages_not_modified == 7 and again.pages_fetched == 0 and again.new == 0
    assert rows(store) == before


def test_changed_page_is_updated_on_refresh(site, store, data_dir):
    s = crawl_settings(site.base_url, data_dir)
    run_crawl(store, s, progress=False)
    html = (SITE_DIR / "the-batch/issue-1/index.html").read_text(encoding="utf-8").replace("__BASE_URL__", site.base_url)
    site.overrides["/the-batch/issue-1/"] = html.replace("400 human demonstrations", "500 human demonstrations").encode()
    again = run_crawl(store, s, refresh=True, progress=False)
    assert again.updated == 1 and again.new == 0
    assert "500 human demonstrations" in next(a.text for a in store.iter_articles() if "Laundry" in a.title)


def test_limit_since_and_offline(site, store, data_dir):
    s = crawl_settings(site.base_url, data_dir, download_images=False)
    first = run_crawl(store, s, limit=2, progress=False)
    assert {a.issue for a in store.iter_articles()} == {1, 2} and first.pages_fetched == 2
    since = run_crawl(store, s, since=date(2024, 1, 1), progress=False)
    assert {a.issue for a in store.iter_articles()} == {1, 2, 4, 5, None}  # issue 3 (2023) skipped
    assert since.pages_skipped >= 1
    rest = run_crawl(store, s, progress=False)
    # issue 3 was skipped on its sitemap lastmod alone, so only it is fetched now
    assert 3 in {a.issue for a in store.iter_articles()} and rest.pages_fetched == 1
    before = rows(store)
    n_before = site.requests
    off = run_crawl(store, s, offline=True, progress=False)
    assert off.requests == 0 and off.unchanged == 27 and off.duplicates_linked == 1 and rows(store) == before
    assert site.requests == n_before


def test_faults_are_reported_and_the_rest_is_stored(store, data_dir):
    with start_fault_site(faults=True, slow_s=1.5) as site:
        s = crawl_settings(site.base_url, data_dir)
        summary = run_crawl(store, s, progress=False)
    reasons = {f["url"].rsplit("/", 2)[-2]: f["reason"] for f in summary.failures}
    assert set(reasons) == {"slow-story", "huge-story", "truncated-story"}
    assert "timed out" in reasons["slow-story"]
    assert "cap" in reasons["huge-story"] and "connection broken" in reasons["truncated-story"]
    titles = {a.title for a in store.iter_articles()}
    assert any(t.startswith("Flaky Server Story") for t in titles)
    assert any(t.startswith("Busy Server Story") for t in titles)
    flaky = next(a for a in store.iter_articles() if a.title.startswith("Flaky"))
    assert flaky.images[0].error == "HTTP 404" and flaky.images[0].local_path is None
    assert summary.images_failed == 1 and summary.images_downloaded == 21
    assert len(titles) == 27 + 2 and summary.failed == 3


def test_cli_crawl_json_and_dead_network(site, data_dir, monkeypatch):
    for k, v in {"RATE_LIMIT_PER_HOST": "0", "BACKOFF_BASE_S": "0.01", "MAX_RETRIES": "1"}.items():
        monkeypatch.setenv(f"BATCHRAG_{k}", v)
    runner = CliRunner()
    res = runner.invoke(app, ["crawl", "--base-url", site.base_url, "--json", "--no-images"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["new"] == 27 and out["images_downloaded"] == 0 and out["outcome"] == "updated"
    store = Store(f"sqlite:///{data_dir / 'articles.db'}")
    before = rows(store)
    res = runner.invoke(app, ["crawl", "--base-url", site.base_url, "--json", "--no-images"])
    assert res.exit_code == 0 and json.loads(res.stdout.strip().splitlines()[-1])["outcome"] == "unchanged"
    last = store.get_meta("last_crawl")  # a check that found nothing new is still a check
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    res = runner.invoke(app, ["crawl", "--base-url", f"http://127.0.0.1:{port}"])
    # "Could not check" is not "nothing new": its own exit status and one line saying the library is as it was.
    assert res.exit_code == 3
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "cannot reach" in lines[0] and "library is unchanged" in lines[0]
    assert "Traceback" not in res.output
    res = runner.invoke(app, ["crawl", "--base-url", f"http://127.0.0.1:{port}", "--json"])
    out = json.loads(res.stdout.strip().splitlines()[0])
    assert res.exit_code == 3 and out["outcome"] == "unreachable" and out["new"] == 0
    assert out["requests"] == 2  # one try and connect_retries=1: a refused connection fails in about a second
    assert rows(store) == before and store.get_meta("last_crawl") == last  # nothing lost, nothing claimed


def test_cli_rejects_bad_since(data_dir):
    res = CliRunner().invoke(app, ["crawl", "--since", "last week"])
    assert res.exit_code == 1 and "--since" in res.output


def test_cli_from_dir_ingests_saved_pages(tmp_path, data_dir):
    saved = tmp_path / "saved"
    saved.mkdir()
    for n in (1, 2):
        html = (SITE_DIR / f"the-batch/issue-{n}/index.html").read_text(encoding="utf-8")
        (saved / f"issue-{n}.html").write_text(html.replace("__BASE_URL__", "https://www.deeplearning.ai"))
    res = CliRunner().invoke(app, ["crawl", "--from-dir", str(saved), "--json"])
    assert res.exit_code == 0, res.output
    store = Store(f"sqlite:///{data_dir / 'articles.db'}")
    assert {a.issue for a in store.iter_articles()} == {1, 2} and len(rows(store)) == 10
    res = CliRunner().invoke(app, ["crawl", "--from-dir", str(tmp_path / "absent")])
    assert res.exit_code == 1 and "no such folder" in res.output


def test_blocked_site_stops_early_with_advice(site, store, data_dir):
    site.forced_status["/the-batch/"] = 403
    summary = run_crawl(store, crawl_settings(site.base_url, data_dir), progress=False)
    assert summary.aborted and "HTTP 403" in summary.aborted and "--from-dir" in summary.aborted
    assert summary.failed == 5 and store.stats()["articles"] == 0


def test_robots_crawl_delay_is_obeyed(site, store, data_dir):
    site.overrides["/robots.txt"] = b"User-agent: *\nCrawl-delay: 1\n"
    from batchrag.crawl.http import HttpClient

    with HttpClient.of(crawl_settings(site.base_url, data_dir)) as c:
        c.allowed(site.base_url + "/")
        t0 = time.monotonic()
        c.get(site.base_url + "/the-batch/issue-1/")
        c.get(site.base_url + "/the-batch/issue-2/")
        assert time.monotonic() - t0 >= 0.95


def test_standalone_stored_before_its_issue_is_folded_in(site, store, data_dir):
    s = crawl_settings(site.base_url, data_dir, download_images=False)
    site.forced_status["/the-batch/issue-4/"] = 503
    first = run_crawl(store, s, progress=False)
    assert first.failed == 1
    assert any(a.title.startswith("Small Models, Big Context:") for a in store.iter_articles())
    site.forced_status.clear()
    run_crawl(store, s, progress=False)
    arts = {a.title: a for a in store.iter_articles()}
    assert len(arts) == 27 and not any(t.startswith("Small Models, Big Context:") for t in arts)
    assert arts["Small Models, Big Context"].alt_urls == [site.base_url + "/the-batch/small-models-big-context/"]


def test_without_sitemaps_listing_and_probing_find_everything(site, store, data_dir):
    site.forced_status["/sitemap"] = 404
    summary = run_crawl(store, crawl_settings(site.base_url, data_dir, download_images=False), progress=False)
    assert summary.new == 27 and summary.failed == 0
    assert summary.routes == {"listing": 5, "probe": 1}
    assert any("sitemap" in w and "404" in w for w in summary.warnings)
    assert site.count("/the-batch/page/3/") == 1  # tried past the last linked page, got a 404, stopped


def test_discovery_url_rules():
    from batchrag.crawl.discover import Discovery, is_content, normalise

    base = "https://www.deeplearning.ai"
    assert is_content(base + "/the-batch/issue-295/") and is_content(base + "/the-batch/some-story")
    for url in ("/the-batch/", "/the-batch/page/3/", "/the-batch/tag/letters/", "/courses/x/",
                "/the-batch/tag/letters/page/2/"):
        assert not is_content(base + url), url
    assert normalise("https://WWW.deeplearning.ai/the-batch/issue-1?utm_source=x#top") == base + "/the-batch/issue-1/"
    d = Discovery()
    for u in ("/the-batch/x-story/", "/the-batch/issue-119-2/", "/the-batch/issue-ii/", "/the-batch/issue-7/"):
        d.add(base + u, "sitemap")
    assert [(t.kind, t.issue) for t in d.ordered()] == [("issue", 7), ("issue", 119), ("issue", None),
                                                        ("article", None)]


def test_newest_first_limit_fetches_the_latest_issues(site, store, data_dir):
    s = crawl_settings(site.base_url, data_dir)
    summary = run_crawl(store, s, progress=False, limit=2, newest_first=True, download_images=False)
    issues = {a.issue for a in store.iter_articles()}
    assert summary.new and issues == {5, 4}


def test_images_only_fetches_the_missing_picture_files_and_no_pages(site, store, data_dir):
    # As after --from-dir: the stories and their image URLs are stored, the files are not.
    s = crawl_settings(site.base_url, data_dir, image_hosts=["127.0.0.1"])
    run_crawl(store, s, progress=False, download_images=False)
    assert store.stats()["images_downloaded"] == 0 and store.images_to_download()
    last = store.get_meta("last_crawl")
    site.reset_log()
    res = CliRunner().invoke(app, ["crawl", "--images-only", "--json", "--base-url", site.base_url],
                             env={"BATCHRAG_DATA_DIR": str(data_dir), "BATCHRAG_RATE_LIMIT_PER_HOST": "0",
                                  "BATCHRAG_IMAGE_HOSTS": '["127.0.0.1"]'})
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["outcome"] == "updated" and out["images_downloaded"] > 0 and out["pages_fetched"] == 0
    assert all("/the-batch/" not in p for _, p, _ in site.log)  # no page was asked for
    assert store.stats()["images_downloaded"] == out["images_downloaded"]
    assert store.get_meta("last_crawl") == last  # pictures alone are not a check of the site for new issues
