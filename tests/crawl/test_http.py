"""The HTTP client against a real loopback server: retries, Retry-After, timeouts, caps, robots, 304s."""

from __future__ import annotations

import email.utils
import socket
import time

import pytest

from batchrag.crawl.http import FetchError, HttpClient, NetworkDown, RobotsDisallowed, retry_after_seconds
from batchrag.settings import Settings
from tests.support.fault_server import start_fault_site


def fast_settings(**kw) -> Settings:
    base = dict(rate_limit_per_host=0, backoff_base_s=0.01, request_timeout_s=0.4, max_retries=2,
                max_response_bytes=300_000, max_retry_after_s=5)
    return Settings(**{**base, **kw})


@pytest.fixture
def site():
    s = start_fault_site(faults=True, slow_s=1.5)
    yield s
    s.stop()


def test_500_twice_then_success(site):
    with HttpClient.of(fast_settings()) as c:
        r = c.get(site.base_url + "/the-batch/flaky-story/")
    assert r.status == 200 and b"Flaky Server Story" in r.body
    assert site.count("/the-batch/flaky-story/") == 3


def test_429_retry_after_is_honoured(site):
    with HttpClient.of(fast_settings()) as c:
        t0 = time.monotonic()
        r = c.get(site.base_url + "/the-batch/busy-story/")
        elapsed = time.monotonic() - t0
    assert r.status == 200
    assert site.count("/the-batch/busy-story/") == 2
    assert elapsed >= 0.95  # Retry-After: 1, far above the 0.01 s backoff


def test_retry_after_longer_than_allowed_fails_fast(site):
    with HttpClient.of(fast_settings(max_retry_after_s=0.5)) as c, pytest.raises(FetchError, match="max_retry_after"):
        c.get(site.base_url + "/the-batch/busy-story/")


def test_timeout_is_a_clear_failure(site):
    with HttpClient.of(fast_settings(max_retries=1)) as c, pytest.raises(FetchError) as err:
        c.get(site.base_url + "/the-batch/slow-story/")
    assert "timed out" in str(err.value) and "slow-story" in str(err.value)


def test_huge_response_is_capped(site):
    with HttpClient.of(fast_settings()) as c, pytest.raises(FetchError, match="exceeds the cap of 300,000 bytes"):
        c.get(site.base_url + "/the-batch/huge-story/")
    assert site.count("/the-batch/huge-story/") == 1  # a cap is not retried


def test_truncated_body_is_an_error(site):
    with HttpClient.of(fast_settings()) as c, pytest.raises(FetchError, match="connection broken"):
        c.get(site.base_url + "/the-batch/truncated-story/")


def test_404_is_not_retried(site):
    with HttpClient.of(fast_settings()) as c, pytest.raises(FetchError) as err:
        c.get(site.base_url + "/the-batch/issue-999/")
    assert err.value.status == 404 and site.count("/the-batch/issue-999/") == 1


def test_robots_disallow_is_respected_without_a_request(site):
    with HttpClient.of(fast_settings()) as c:
        with pytest.raises(RobotsDisallowed):
            c.get(site.base_url + "/the-batch/draft-embargoed-story/")
        assert c.get(site.base_url + "/the-batch/issue-1/").status == 200
    assert site.count("/the-batch/draft-embargoed-story/") == 0
    assert site.count("/robots.txt") == 1  # fetched once per host


def test_conditional_get_gives_304(site):
    with HttpClient.of(fast_settings()) as c:
        r = c.get(site.base_url + "/sitemap.xml")
        assert r.etag and r.last_modified
        assert c.get(site.base_url + "/sitemap.xml", etag=r.etag).status == 304
        assert c.get(site.base_url + "/sitemap.xml", last_modified=r.last_modified).status == 304


def test_rate_limit_spaces_requests(site):
    with HttpClient.of(fast_settings(rate_limit_per_host=20)) as c:
        c.allowed(site.base_url + "/")
        t0 = time.monotonic()
        for _ in range(5):
            c.get(site.base_url + "/the-batch/issue-1/")
        assert time.monotonic() - t0 >= 4 / 20 - 0.01


def test_dead_port_is_network_down():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again below: nothing listens there
    with HttpClient.of(fast_settings()) as c, pytest.raises(NetworkDown, match="cannot connect"):
        c.get(f"http://127.0.0.1:{port}/the-batch/")
    # A host that cannot be reached gets connect_retries (1), not max_retries (2): the dead network fails fast.
    assert c.requests == 2


def test_retry_after_parsing():
    assert retry_after_seconds("7") == 7
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= retry_after_seconds(later) <= 31
