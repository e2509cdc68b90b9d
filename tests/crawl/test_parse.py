"""Parser and offline ingestion on small hand-written pages imitating the real site's eras."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pytest

from batchrag.crawl.parse import parse_page
from batchrag.crawl.saved import ingest_dir, iter_saved_pages, merge_standalone
from batchrag.domain.types import ParsedPage

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"


def _parse(name: str) -> ParsedPage:
    return parse_page((PAGES / name).read_bytes())


def test_2019_issue_h2_headings_letter_and_stories():
    p = _parse("issue_2019_h2.html")
    assert p.error is None and p.warnings == []
    assert (p.kind, p.issue, p.issue_slug, p.date) == ("issue", 7, "issue-7", date(2019, 10, 2))
    assert p.url == "https://www.deeplearning.ai/the-batch/issue-7/"
    assert "#internal" not in p.tags and "issue-7" in p.tags
    sections = [a.section for a in p.articles]
    assert sections == ["letter", "story", "story", "story", "story"]
    letter = p.articles[0]
    assert letter.url == p.url + "#letter" and letter.title == "Letter from Andrew Ng, issue 7"
    # inline elements keep their spaces; <br> splits the sign-off
    assert "I wrote about it before: small teams can ship big ideas." in letter.text
    assert letter.text.endswith("Keep learning!\nAndrew")
    assert [im.position for im in letter.images] == [2]
    titles = [a.title for a in p.articles[1:]]
    assert titles == ["Robots That Fold Laundry", "Chips Ahoy", "Counting Birds", "Speech for Everyone"]
    laundry, chips, birds, speech = p.articles[1:]
    assert laundry.url.endswith("/issue-7/#newsrobots-that-fold-laundry")
    assert "- The robot uses two cameras and a gripper.\n- It was trained on 10,000 videos" in laundry.text
    assert laundry.images == []  # the promo and the next story's picture do not leak backwards
    assert "Behind the news: Demand from data centers" in chips.text  # glued run-in label separated
    # the picture right before a heading belongs to that story, also right after a promo
    assert [im.alt for im in chips.images] == ["Animated chart of chip shipments"]
    assert [im.url.rsplit("/", 1)[-1] for im in birds.images] == ["Bird-Count.jpg"]
    assert "3 million birds in one weekend & shared" in birds.text  # nbsp and entities decoded
    assert [im.alt for im in speech.images] == ["Waveform of a spoken sentence"]  # image under its heading
    assert all("Enroll in our new course" not in a.text for a in p.articles)
    assert all(a.date == date(2019, 10, 2) and a.issue == 7 for a in p.articles)
    assert [a.position for a in p.articles] == [0, 1, 2, 3, 4]


def test_2024_issue_json_audio_promo_data_points_and_images():
    p = _parse("issue-250.json")
    assert p.error is None and p.kind == "issue" and p.issue == 250
    assert p.url == "https://www.deeplearning.ai/the-batch/issue-250/"  # from the slug: a JSON has no <link>
    text = "\n".join(a.text for a in p.articles)
    assert "Elevenlabs" not in text and "Loading the" not in text
    assert "short course" not in text and "deploy agents" not in text and "MESSAGE FROM" not in text
    assert [a.section for a in p.articles] == ["letter", "story", "story", "story", "data-points"]
    letter, tiny, drone, robots, dp = p.articles
    assert "Costs fell by a factor of ten, and" in letter.text
    assert letter.images == []  # the promo banner (ads-and-exclusive-banners) is dropped
    assert tiny.title == "Tiny Models, Big Scores"
    (im,) = tiny.images
    # the Next.js resizing proxy resolves to the original; src wins over srcset
    assert im.url == "https://dl-staging-website.ghost.io/content/images/2024/05/Tiny-Model.gif"
    assert (im.alt, im.caption, im.position, im.width, im.height) == (
        "Chart comparing tiny and large models", "Tiny models catch up", 0, 1600, 900)
    assert "What’s new: Researchers at Kraków’s Jagiellonian University released" in tiny.text
    assert "10^3 times cheaper" in tiny.text
    assert [i.alt for i in drone.images] == ["Drone delivering a parcel"]
    assert all("Promo banner" not in i.alt for a in p.articles for i in a.images)
    assert [i.alt for i in robots.images] == ["Robot stirring a pot"]
    assert "- It watched cooking shows.\n  - Mostly pasta dishes.\n- It practiced in simulation." in robots.text
    assert dp.title == "Data Points" and dp.url.endswith("#data-points")
    assert "Startup raises funds for weather model\nThe company plans" in dp.text


def test_standalone_article_non_ascii_and_lazy_image():
    p = _parse("article_speech.html")
    assert p.error is None and p.kind == "article" and p.issue is None
    (a,) = p.articles
    assert a.section == "article" and a.url == "https://www.deeplearning.ai/the-batch/speech-models-for-every-language/"
    assert a.title.startswith("Speech for Every Language")
    assert "Amélie Royer, Łukasz Kaiser and José Núñez" in a.text and "«Київ»" in a.text
    assert "40 million speakers & more." in a.text and "\xa0" not in a.text
    assert "Sign up for our newsletter" not in a.text  # promo section dropped
    (im,) = a.images  # base64 placeholder src: the real one is data-src behind the proxy
    assert im.url == "https://charonhub.deeplearning.ai/content/images/2025/03/Speech-Map.png"
    assert im.position == 1


def test_letter_without_date_warns_and_is_a_letter():
    p = _parse("letter_nodate.json")
    assert p.error is None and p.date is None
    assert any("published_at" in w for w in p.warnings)
    (a,) = p.articles
    assert a.section == "letter" and a.date is None and a.text.startswith("Dear friends,")


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ((PAGES / "truncated.html").read_bytes(), "truncated"),
        ((PAGES / "not_next.html").read_bytes(), "__NEXT_DATA__"),
        (b"", "empty"),
        (b'{"pageProps": {"cmsData": {"post": {"title": "x", "html": "<p>a', "JSON"),
        (gzip.compress(b"<html>")[:12], "gzip"),
        (b'{"pageProps": {"tag": {"slug": "letters"}, "posts": [{"title": "a", "slug": "a"}]}}', "listing"),
        (json.dumps({"post": {"title": "x", "slug": "x", "published_at": None, "html": "<hr>"}}).encode(), "split"),
    ],
)
def test_bad_content_gives_an_error_never_an_exception(content, needle):
    p = parse_page(content)
    assert p.error and needle.lower() in p.error.lower()
    assert p.articles == []


def test_same_issue_as_html_and_json_gets_one_url(tmp_path):
    html = _parse("issue_2019_h2.html")
    post = json.loads((PAGES / "issue_2019_h2.html").read_text().split('type="application/json">')[1].split("</script>")[0])
    as_json = parse_page(json.dumps(post["props"]).encode())
    assert as_json.url == html.url
    assert [a.content_hash() for a in as_json.articles] == [a.content_hash() for a in html.articles]


def test_iter_saved_pages_reads_plain_and_gzip(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.html").write_bytes(b"<html></html>")
    (tmp_path / "sub" / "b.json.gz").write_bytes(gzip.compress(b"{}"))
    (tmp_path / "notes.txt").write_text("ignored")
    got = dict(iter_saved_pages(tmp_path))
    assert set(got) == {str(tmp_path / "a.html"), str(tmp_path / "sub" / "b.json.gz")}
    assert got[str(tmp_path / "sub" / "b.json.gz")] == b"{}"
    with pytest.raises(NotADirectoryError):
        list(iter_saved_pages(tmp_path / "missing"))


def test_merge_standalone_folds_repeated_story_into_the_issue():
    issue = _parse("issue-250.json")
    story = issue.articles[1]
    twin = parse_page(json.dumps({"post": {
        "title": "Tiny Models, Big Scores: A small model matches a big one", "slug": "tiny-models-match-big",
        "published_at": "2024-05-23T10:00:00Z", "html": "".join(f"<p>{line}</p>" for line in story.text.split("\n")),
    }}).encode())
    assert twin.kind == "article" and twin.error is None
    assert merge_standalone([issue, twin]) == 1
    assert twin.articles == []
    assert story.alt_urls == ["https://www.deeplearning.ai/the-batch/tiny-models-match-big/"]
    assert story.title == "Tiny Models, Big Scores"  # the issue's heading stays the title


def test_ingest_dir_into_the_real_store_is_idempotent_and_reports_failures(tmp_path):
    from batchrag.settings import get_settings
    from batchrag.store import Store

    store = Store(get_settings().store.db_url)
    first = ingest_dir(store, PAGES, progress=False)
    assert first["issues"] == 2 and first["pages"] == 4
    assert first["articles_new"] == 12 and first["articles_updated"] == 0
    failed = dict(first["failed"])
    assert set(Path(f).name for f in failed) == {"truncated.html", "not_next.html"}
    assert all(reason for reason in failed.values())
    assert first["warnings"] == 1  # the letter without a date
    stored = store.get_article_by_url("https://www.deeplearning.ai/the-batch/issue-250/#tiny-models-big-scores")
    assert stored is not None and stored.issue == 250 and stored.section == "story"
    assert [i.url.rsplit("/", 1)[-1] for i in stored.images] == ["Tiny-Model.gif"]
    assert "What’s new: Researchers at Kraków’s" in stored.text
    again = ingest_dir(store, PAGES, progress=False)
    assert again["articles_new"] == 0 and again["articles_unchanged"] == 12
    # a bad page added later loses nothing already stored
    bad = tmp_path / "pages"
    bad.mkdir()
    (bad / "broken.json").write_text('{"pageProps": {"cmsData": {"post": {"title": "x"')
    third = ingest_dir(store, bad, progress=False)
    assert third["pages"] == 0 and len(third["failed"]) == 1
    assert ingest_dir(store, PAGES, progress=False)["articles_unchanged"] == 12
