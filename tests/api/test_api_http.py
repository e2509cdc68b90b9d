"""The HTTP API over a real fixture library: search, ask (SSE), articles, pictures, status, health, metrics, errors."""

from __future__ import annotations

import json

import httpx
import pytest

Q = "Як робот навчився готувати їжу, спостерігаючи за кухарем?"


def events(text: str) -> list[tuple[str, dict]]:
    """Server-Sent Events as (event, data) pairs."""
    out = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((lines["event"], json.loads(lines["data"])))
    return out


def test_search_ranks_the_fixture_articles(client):
    r = client.get("/search", params={"q": Q, "k": 3})
    assert r.status_code == 200
    body = r.json()
    assert body["query"] == Q and not body["images"] and 1 <= len(body["results"]) <= 3
    top = body["results"][0]
    assert top["issue"] == 901 and top["section"] == "letter" and top["article_id"] >= 1


def test_search_pictures(client):
    r = client.get("/search", params={"q": "glacier satellite", "images": "true", "k": 2})
    assert r.status_code == 200 and r.json()["images"] is True
    assert all("article_url" in h for h in r.json()["results"])


@pytest.mark.parametrize(("params", "status", "words"), [
    ({"q": ""}, 400, "q"),
    ({"q": "   "}, 400, "empty"),
    ({"q": "x" * 2001}, 400, "2000"),
    ({}, 400, "q"),
    ({"q": "robot", "k": "0"}, 400, "k"),
    ({"q": "robot", "k": "many"}, 400, "k"),
    ({"q": "robot", "kk": "3"}, 400, "unknown parameter: kk"),
    ({"q": "robot", "mode": "magic"}, 400, "mode"),
])
def test_bad_search_is_one_line_4xx(client, api_settings, params, status, words):
    before = client.get("/library").json()
    r = client.get("/search", params=params)
    assert r.status_code == status, r.text
    msg = r.json()["error"]
    assert words.lower() in msg.lower() and "\n" not in msg
    assert client.get("/library").json() == before  # nothing written


def test_ask_streams_tokens_then_the_ask_json(client):
    with client.stream("POST", "/ask", json={"question": Q}) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        evs = events("".join(r.iter_text()))
    kinds = [e for e, _ in evs]  # the follow-ups come after the answer, in an event of their own (issue 43)
    assert kinds[-2:] == ["answer", "followups"] and set(kinds[:-2]) == {"token"} and len(kinds) > 2
    final = evs[-2][1]
    assert set(final) >= {"answer", "sources", "images", "backend", "model", "language", "language_ok",
                          "searched_query", "rewrite", "warnings"}
    assert final["backend"] == "extractive" and final["sources"][0]["n"] == 1
    assert "".join(d["text"] for e, d in evs if e == "token").strip()


def test_ask_without_stream_is_the_ask_json(client):
    r = client.post("/ask", json={"question": Q, "stream": False, "k": 2})
    assert r.status_code == 200 and r.json()["backend"] == "extractive" and len(r.json()["sources"]) <= 2


@pytest.mark.parametrize(("body", "words"), [
    ({"question": ""}, "empty"),
    ({"question": "x" * 5000}, "2000"),
    ({"questio": Q}, "question"),
    ({"question": Q, "colour": "red"}, "colour"),
    ({"question": Q, "k": 1000}, "k"),
    ({"question": Q, "history": [{"role": "system", "content": "x"}]}, "role"),
])
def test_bad_ask_is_one_line_4xx(client, body, words):
    r = client.post("/ask", json=body)
    assert r.status_code == 400, r.text
    assert words in r.json()["error"] and "\n" not in r.json()["error"]


def test_ask_refuses_broken_and_huge_bodies(client):
    r = client.post("/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400 and "\n" not in r.json()["error"]
    r = client.post("/ask", content=b"x" * 300_000, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "bytes" in r.json()["error"]


def test_article_and_its_picture(client, api_settings):
    hit = client.get("/search", params={"q": Q, "k": 1}).json()["results"][0]
    art = client.get(f"/articles/{hit['article_id']}").json()
    assert art["title"] == hit["title"] and art["text"]
    assert client.get("/articles/999999").status_code == 404
    assert client.get("/articles/abc").status_code == 400
    # A picture file in images/ is served with its content type; anything else is a 404, never a path outside.
    api_settings.store.images_dir.mkdir(parents=True, exist_ok=True)
    name = "ab" * 32 + ".png"
    (api_settings.store.images_dir / name).write_bytes(b"\x89PNG\r\n\x1a\n")
    r = client.get(f"/images/{name}")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    for bad in ("nothere.png", "..%2Farticles.db", "cd" * 32 + ".jpg"):
        assert client.get(f"/images/{bad}").status_code == 404


def test_library_health_and_metrics(client):
    lib = client.get("/library").json()
    assert lib["articles"] == 15 and lib["has_index"] and lib["index_embedder"] == "use-m3"
    h = client.get("/health")
    assert h.status_code == 200
    assert h.json()["ok"] and {h.json()[p]["state"] for p in ("store", "index", "llm")} == {"ok"}
    client.get("/search", params={"q": "robot"})
    client.get("/search", params={"q": ""})
    client.post("/ask", json={"question": Q, "stream": False})
    text = client.get("/metrics").text
    assert 'batchrag_requests_total{endpoint="/search",method="GET",status="200"}' in text
    assert 'batchrag_request_seconds_bucket{endpoint="/search",le="+Inf"}' in text
    assert 'batchrag_errors_total{endpoint="/search",kind="client"}' in text
    assert 'batchrag_llm_tokens_total{backend="extractive"}' in text


def test_health_without_an_index_is_503(tmp_path):
    from fastapi.testclient import TestClient

    from batchrag.api import create_app
    from batchrag.settings import Settings

    app = create_app(Settings(data_dir=tmp_path / "empty", llm_backend="extractive"))
    with TestClient(app, base_url="http://localhost") as c:
        h = c.get("/health")
        assert h.status_code == 503 and h.json()["index"]["state"] == "missing" and h.json()["store"]["state"] == "ok"
        r = c.get("/search", params={"q": "robot"})
        assert r.status_code == 503 and "\n" not in r.json()["error"]
        assert c.get("/nowhere").status_code == 404


def test_openapi_schema_lists_every_endpoint(client):
    spec = client.get("/openapi.json").json()
    assert spec["info"]["title"] == "batchrag"
    assert set(spec["paths"]) >= {"/search", "/ask", "/articles/{article_id}", "/images/{name}", "/library",
                                  "/health", "/metrics", "/v1/chat/completions", "/v1/models"}
    params = {p["name"] for p in spec["paths"]["/search"]["get"]["parameters"]}
    assert params == {"q", "k", "images", "mode"}
    assert "AskRequest" in spec["components"]["schemas"]
    assert client.get("/docs").status_code == 200


def test_real_server_streams_and_survives_a_reader_who_leaves(live):
    with httpx.Client(base_url=live, timeout=60) as c:
        with c.stream("POST", "/ask", json={"question": Q}) as r:
            assert r.status_code == 200
            text = "".join(r.iter_text())
        assert [e for e, _ in events(text)][-2:] == ["answer", "followups"]
        # A reader who goes away after the first bytes: the server carries on, the next request is fine.
        with c.stream("POST", "/ask", json={"question": Q}) as r:
            next(r.iter_bytes())
        assert c.get("/health").status_code == 200
        assert c.get("/search", params={"q": Q}).status_code == 200
        assert 'status="500"' not in c.get("/metrics").text
