"""Keys on a real API (uvicorn on loopback, its own library): who gets in, and the safe default of `batchrag api`."""

from __future__ import annotations

import time

import httpx
import openai
import pytest
from typer.testing import CliRunner

from batchrag.service.keys import Keys


@pytest.fixture(scope="module")
def keyed(tmp_path_factory, corpus):
    from batchrag.api import create_app
    from tests.support.live_api import serve_app

    # Failed keys are limited per address (tests/api/test_api_hostile.py): this library's tests send many on purpose.
    s = corpus.build(tmp_path_factory.mktemp("keyed") / "data", "use-m3").with_changes(
        llm_backend="extractive", rewrite="off", auth_failures_per_minute=5000)
    app = create_app(s)
    with serve_app(app) as url:
        yield s, url


def test_with_no_key_the_api_is_open_and_with_one_it_is_closed(keyed):
    s, url = keyed
    assert httpx.get(f"{url}/search", params={"q": "chip"}).status_code == 200  # no key exists: loopback, open
    reader, admin = Keys(s).create("reader1"), Keys(s).create("admin1", "admin")
    time.sleep(1.1)  # a process re-reads whether keys exist once a second
    r = httpx.get(f"{url}/search", params={"q": "chip"})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert r.json() == {"error": "an API key is required: send `Authorization: Bearer <key>`"}
    assert "\n" not in r.text
    assert httpx.get(f"{url}/health").status_code == 200  # the probe needs none
    as_reader = {"Authorization": f"Bearer {reader}"}
    assert httpx.get(f"{url}/search", params={"q": "chip"}, headers=as_reader).status_code == 200
    ask = httpx.post(f"{url}/ask", json={"question": "Який мікрочип розпізнає голос?", "stream": False},
                     headers=as_reader, timeout=60)
    assert ask.status_code == 200 and ask.json()["answer"]
    denied = httpx.get(f"{url}/metrics", headers=as_reader)
    assert denied.status_code == 403 and "reader" in denied.json()["error"]
    metrics = httpx.get(f"{url}/metrics", headers={"Authorization": f"Bearer {admin}"})
    assert metrics.status_code == 200
    assert 'batchrag_key_requests_total{key="reader1",status="200"} 2' in metrics.text  # /search and /ask
    assert 'batchrag_key_requests_total{key="reader1",status="403"} 1' in metrics.text
    assert reader not in metrics.text and admin not in metrics.text  # names, never key material

    # The OpenAI client sends its api_key as the Bearer key.
    good = openai.OpenAI(base_url=f"{url}/v1", api_key=reader, max_retries=0, timeout=60)
    pieces = list(good.chat.completions.create(
        model="batchrag", stream=True, messages=[{"role": "user", "content": "Який мікрочип розпізнає голос?"}]))
    assert "".join(p.choices[0].delta.content or "" for p in pieces if p.choices)
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=f"{url}/v1", api_key="sk-wrong", max_retries=0).models.list()

    # A thousand wrong keys: a thousand one-line 401s, never a 5xx.
    with httpx.Client(base_url=url, timeout=30) as c:
        codes = [c.get("/search", params={"q": "x"}, headers={"Authorization": f"Bearer brk_{i}"}).status_code
                 for i in range(1000)]
    assert codes == [401] * 1000

    # A revoked key is refused at once (the lookup is per request, by hash).
    Keys(s).revoke("reader1")
    assert httpx.get(f"{url}/search", params={"q": "chip"}, headers=as_reader).status_code == 401


def test_api_refuses_to_bind_beyond_loopback_without_a_key(tmp_path, monkeypatch):
    from batchrag.cli import app
    from batchrag.settings import get_settings

    monkeypatch.setenv("BATCHRAG_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    r = CliRunner().invoke(app, ["api", "--host", "0.0.0.0"])
    assert r.exit_code == 1 and len(r.stderr.strip().splitlines()) == 1
    assert "refusing to serve 0.0.0.0 with no API key" in r.stderr and "batchrag keys create" in r.stderr
    created = CliRunner().invoke(app, ["keys", "create", "olena"])
    key = created.stdout.strip()
    assert created.exit_code == 0 and key.startswith("brk_") and "shown only now" in created.stderr
    listed = CliRunner().invoke(app, ["keys", "list"])
    assert "olena\treader" in listed.stdout and key not in listed.stdout
    assert CliRunner().invoke(app, ["keys", "revoke", "olena"]).exit_code == 0
    again = CliRunner().invoke(app, ["keys", "revoke", "olena"])
    assert again.exit_code == 1 and again.stderr.startswith("error: no key named 'olena'")


def test_a_flood_over_a_keys_limit_gets_429_with_retry_after(keyed):
    from batchrag.api import create_app
    from tests.support.live_api import serve_app

    s, _ = keyed
    key = Keys(s).create("flood")
    app = create_app(s.with_changes(api_requests_per_minute=5))
    with serve_app(app) as url, httpx.Client(base_url=url, timeout=30) as c:
        auth = {"Authorization": f"Bearer {key}"}
        codes = [c.get("/search", params={"q": "chip"}, headers=auth).status_code for _ in range(8)]
        assert codes == [200] * 5 + [429] * 3
        r = c.get("/search", params={"q": "chip"}, headers=auth)
        assert r.status_code == 429 and 1 <= int(r.headers["Retry-After"]) <= 60
        assert r.json()["error"].startswith("too many requests for this key: over 5 requests a minute")
        other = Keys(s).create("calm")  # the limit is per key: another reader is not held back
        assert c.get("/search", params={"q": "chip"}, headers={"Authorization": f"Bearer {other}"}).status_code == 200
