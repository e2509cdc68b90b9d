"""Image download and validation: formats, animated GIF stills, host allow-list, caps, decompression bombs."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from batchrag.crawl.fixture_server import start_fixture_site
from batchrag.crawl.http import HttpClient
from batchrag.crawl.images import fetch_image, store_image
from batchrag.settings import Settings


def png_bytes(size=(8, 6), mode="RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def site():
    s = start_fixture_site()
    yield s
    s.stop()


def settings_for(site, **kw) -> Settings:
    return Settings(**{"base_url": site.base_url, "rate_limit_per_host": 0, "backoff_base_s": 0.01,
                       "max_retries": 1, **kw})


def test_png_is_stored_content_addressed(tmp_path):
    data = png_bytes()
    r = store_image(data, "http://x/a.png", tmp_path)
    assert r.error is None and (r.width, r.height) == (8, 6)
    assert r.local_path.endswith(".png") and len(r.local_path) == 64 + 4
    assert (tmp_path / r.local_path).read_bytes() == data
    assert store_image(data, "http://y/b.png", tmp_path).local_path == r.local_path  # same bytes, one file


def test_animated_gif_gets_a_still(site, tmp_path):
    with HttpClient.of(settings_for(site)) as c:
        r = fetch_image(c, site.base_url + "/content/images/2019/06/fake-reviews.gif", settings_for(site), tmp_path)
    assert r.error is None and r.local_path.endswith(".gif")
    still = tmp_path / r.local_path.replace(".gif", ".still.png")
    with Image.open(still) as im:
        assert im.format == "PNG" and im.size == (r.width, r.height)


def test_jpeg_from_the_site(site, tmp_path):
    s = settings_for(site)
    with HttpClient.of(s) as c:
        r = fetch_image(c, site.base_url + "/content/images/2019/06/inference-chip.jpg", s, tmp_path)
    assert r.error is None and r.local_path.endswith(".jpg") and r.width == 64


def test_foreign_host_is_refused_without_a_request(site, tmp_path):
    s = settings_for(site)
    with HttpClient.of(s) as c:
        r = fetch_image(c, "https://images.example.com/cat.png", s, tmp_path)
    assert r.error == "host not allowed: images.example.com" and c.requests == 0


def test_missing_image_is_a_recorded_error(site, tmp_path):
    s = settings_for(site)
    with HttpClient.of(s) as c:
        r = fetch_image(c, site.base_url + "/content/images/nope.png", s, tmp_path)
    assert r.error == "HTTP 404" and r.local_path is None


def test_html_is_not_an_image(site, tmp_path):
    s = settings_for(site)
    with HttpClient.of(s) as c:
        r = fetch_image(c, site.base_url + "/the-batch/issue-1/", s, tmp_path)
    assert r.error.startswith("not an image (Content-Type text/html")


def test_byte_cap(site, tmp_path):
    s = settings_for(site, max_image_bytes=100)
    with HttpClient.of(s) as c:
        r = fetch_image(c, site.base_url + "/content/images/2019/06/laundry-robot.png", s, tmp_path)
    assert "exceeds the cap of 100 bytes" in r.error


def test_decompression_bomb_is_refused(tmp_path):
    bomb = png_bytes((10_000, 7_000), mode="1")  # 70 Mpx in a few kB
    r = store_image(bomb, "http://x/bomb.png", tmp_path)
    assert r.error.startswith("refused: too many pixels") and not list(tmp_path.iterdir())


def test_garbage_and_truncated_images(tmp_path):
    assert store_image(b"not an image", "http://x/a.png", tmp_path).error.startswith("not a readable image")
    data = png_bytes((64, 64))
    assert store_image(data[: len(data) // 2], "http://x/b.png", tmp_path).error is not None
