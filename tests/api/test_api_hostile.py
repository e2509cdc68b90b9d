"""The API tried as a hostile client would (issue 40), against real uvicorn servers on loopback: the last revoke, a
chunked body over the limit, a slow client, a foreign Host or Origin, a form-encoded change, guessed keys, a huge id,
a Host copied into links. Each probe is refused with one line and never a 5xx (docs/security.md)."""

from __future__ import annotations

import select
import socket
import time

import httpx
import pytest

from batchrag.service.keys import Keys
from batchrag.settings import Settings
from tests.support.api_process import start_api, stop_api
from tests.support.live_api import serve_app
from tests.support.net import free_port

ROUTES = [("GET", "/search?q=chip"), ("GET", "/conversations"), ("GET", "/metrics"), ("GET", "/library"),
          ("GET", "/articles/1"), ("GET", "/feed.xml"), ("GET", "/v1/models"),
          ("POST", "/library/update"), ("POST", "/models/pull"), ("POST", "/ask")]


def built(root, corpus) -> Settings:
    return corpus.build(root / "data", "use-m3").with_changes(llm_backend="extractive", rewrite="off")


@pytest.fixture(scope="module")
def library(tmp_path_factory, corpus) -> Settings:
    """A library with no key, shared by the probes that create none."""
    return built(tmp_path_factory.mktemp("hostile"), corpus)


@pytest.fixture
def keyed_library(tmp_path, corpus) -> Settings:
    """A library of its own, for a probe that creates and revokes keys."""
    return built(tmp_path, corpus)


@pytest.fixture(scope="module")
def open_api(library):
    """The API on loopback with no key: the case a web page the user visits could reach."""
    from batchrag.api import create_app

    with serve_app(create_app(library.with_changes(auth_failures_per_minute=5))) as url:
        yield url


def one_line_error(r: httpx.Response) -> str:
    body = r.json()
    message = body["error"]["message"] if isinstance(body["error"], dict) else body["error"]
    assert message and "\n" not in message and "Traceback" not in r.text
    return message


def test_the_last_revoke_leaves_both_processes_of_a_server_beyond_loopback_closed(keyed_library):
    library = keyed_library
    keys = Keys(library)
    admin, reader = keys.create("ops", "admin"), keys.create("olena")
    env = {"BATCHRAG_DATA_DIR": str(library.store.data_dir), "BATCHRAG_EMBEDDER": "use-m3",
           "BATCHRAG_LLM_BACKEND": "extractive", "BATCHRAG_REWRITE": "off",
           "BATCHRAG_SERVE__AUTH_FAILURES_PER_MINUTE": "10000"}
    port = free_port()
    proc = start_api(env, port, workers=2, args=("--host", "0.0.0.0"))
    base = f"http://127.0.0.1:{port}"
    try:
        assert httpx.get(f"{base}/search", params={"q": "chip"}, headers={"Authorization": f"Bearer {reader}"},
                         timeout=60).status_code == 200
        keys.revoke("olena")
        keys.revoke("ops")
        time.sleep(1.5)  # every process re-reads the key table within a second
        with httpx.Client(base_url=base, timeout=60) as c:
            for _ in range(6):  # enough requests for both workers to answer some
                for method, path in ROUTES:
                    for key in (None, admin, reader):
                        headers = {"Authorization": f"Bearer {key}"} if key else {}
                        r = c.request(method, path, headers=headers, json={} if method == "POST" else None)
                        assert r.status_code == 401, (method, path, r.status_code, r.text)
                        one_line_error(r)
            r = c.get("/conversations")
            assert "batchrag keys create" in one_line_error(r)  # how to get back in
            assert c.get("/health").status_code == 200  # the probe stays open
    finally:
        stop_api(proc)


def test_a_running_loopback_server_that_saw_a_key_stays_closed_after_the_last_revoke(keyed_library):
    from batchrag.api import create_app

    s = keyed_library.with_changes(auth_failures_per_minute=10000)
    with serve_app(create_app(s)) as url:
        assert httpx.get(f"{url}/conversations").status_code == 200  # no key yet, loopback: open
        Keys(s).create("late", "admin")
        time.sleep(1.1)
        assert httpx.get(f"{url}/conversations").status_code == 401
        Keys(s).revoke("late")
        time.sleep(1.1)
        for method, path in ROUTES:
            assert httpx.request(method, f"{url}{path}", json={} if method == "POST" else None,
                                 timeout=60).status_code == 401


def test_require_keys_closes_a_loopback_server_with_no_key(library):
    from batchrag.api import create_app

    with serve_app(create_app(library.with_changes(require_keys=True))) as url:
        r = httpx.get(f"{url}/conversations")
        assert r.status_code == 401 and "batchrag keys create" in one_line_error(r)
        assert httpx.get(f"{url}/health").status_code == 200


def test_a_chunked_body_over_the_limit_is_refused_before_it_is_read(open_api):
    host, port = open_api.removeprefix("http://").split(":")
    sent, status = 0, b""
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(f"POST /ask HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n".encode())
        chunk = b"x" * 65536
        try:
            while sent < 50_000_000:
                if select.select([sock], [], [], 0)[0]:
                    break  # the server answered: stop sending
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            while piece := sock.recv(4096):  # the answer, to the server's close
                status += piece
        except ConnectionResetError:
            pass
    assert sent < 20_000_000  # the server stopped reading long before 50 MB
    assert status.startswith(b"HTTP/1.1 413"), status[:200]
    assert b"request body over 256000 bytes" in status


def test_a_body_with_a_length_over_the_limit_is_refused_at_once(open_api):
    r = httpx.post(f"{open_api}/ask", content=b"{" + b" " * 300_000 + b"}",
                   headers={"content-type": "application/json"})
    assert r.status_code == 413 and "256000" in one_line_error(r)


def test_a_foreign_host_is_refused_and_a_loopback_or_ip_host_is_served(open_api):
    for host in ("rebind.attacker.example", "localhost.attacker.example", "evil.example:8000"):
        r = httpx.get(f"{open_api}/library", headers={"Host": host})
        assert r.status_code == 400 and "allowed_hosts" in one_line_error(r)
        assert httpx.post(f"{open_api}/library/update", json={}, headers={"Host": host}).status_code == 400
    for host in ("localhost:8000", "127.0.0.1", "[::1]:8000", "192.168.1.20:8000"):
        assert httpx.get(f"{open_api}/library", headers={"Host": host}).status_code == 200, host


def test_a_cross_site_change_is_refused_and_starts_nothing(open_api):
    # What a web page can send without a preflight: a form or text/plain POST; and a JSON one from a foreign Origin.
    before = httpx.get(f"{open_api}/library").json()["update"]
    r = httpx.post(f"{open_api}/library/update", content=b"{}", headers={"content-type": "text/plain"})
    assert r.status_code == 415 and "application/json" in one_line_error(r)
    r = httpx.post(f"{open_api}/library/update", data={"a": "b"})
    assert r.status_code == 415
    for origin in ("https://evil.example", "null", "http://127.0.0.1.evil.example"):
        r = httpx.post(f"{open_api}/library/update", json={}, headers={"Origin": origin})
        assert r.status_code == 403 and "Origin" in one_line_error(r), origin
        r = httpx.post(f"{open_api}/models/pull", json={"model": "qwen2.5-1.5b"}, headers={"Origin": origin})
        assert r.status_code == 403
    assert httpx.get(f"{open_api}/library").json()["update"] == before  # no update was started
    # The server's own page (same origin) and programs (no Origin) may.
    own = httpx.post(f"{open_api}/ask", json={"question": "chip", "stream": False},
                     headers={"Origin": open_api}, timeout=60)
    assert own.status_code == 200


def test_guessed_keys_are_throttled_per_address(library):
    from batchrag.api import create_app

    s = library.with_changes(auth_failures_per_minute=10, require_keys=True)
    with serve_app(create_app(s)) as url, httpx.Client(base_url=url, timeout=30) as c:
        codes = [c.get("/search", params={"q": "x"}, headers={"Authorization": f"Bearer brk_{i}"}).status_code
                 for i in range(300)]
        assert codes[:10] == [401] * 10 and set(codes[10:]) == {429}
        r = c.get("/search", params={"q": "x"}, headers={"Authorization": "Bearer brk_more"})
        assert r.status_code == 429 and 1 <= int(r.headers["Retry-After"]) <= 60
        assert "failed API keys" in one_line_error(r)
        assert c.get("/health").status_code == 200


def test_a_huge_id_is_a_400_not_a_500(open_api):
    for path in ("/articles/99999999999999999999999", "/articles/9223372036854775808", "/articles/-1"):
        r = httpx.get(f"{open_api}{path}")
        assert r.status_code in (400, 404) and r.status_code < 500, (path, r.text)
        one_line_error(r)
    assert httpx.get(f"{open_api}/articles/9223372036854775807").status_code == 404


def test_no_redirect_is_built_from_the_request_host(open_api):
    r = httpx.get(f"{open_api}/feed.xml/", params={"key": "brk_secret"}, headers={"Host": "127.0.0.1"},
                  follow_redirects=False)
    assert r.status_code == 404 and "location" not in r.headers


def test_a_slow_client_is_disconnected(library):
    env = {"BATCHRAG_DATA_DIR": str(library.store.data_dir), "BATCHRAG_EMBEDDER": "use-m3",
           "BATCHRAG_LLM_BACKEND": "extractive", "BATCHRAG_REWRITE": "off", "BATCHRAG_SERVE__HEADER_TIMEOUT_S": "1",
           "BATCHRAG_SERVE__REQUIRE_KEYS": "false"}
    port = free_port()
    proc = start_api(env, port)
    try:
        for opening in (b"", b"GET /library HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(opening)
                start = time.monotonic()
                assert sock.recv(100) == b""  # closed by the server, nothing answered
                assert time.monotonic() - start < 5
        # A body that stalls: 408 after the pause.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"POST /ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 100\r\n\r\n{")
            assert sock.recv(200).startswith(b"HTTP/1.1 408")
        # A kept-alive connection is not cut by the header deadline between requests.
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as c:
            assert c.get("/health").status_code == 200
            time.sleep(1.5)
            assert c.get("/health").status_code == 200
    finally:
        stop_api(proc)
