"""What every request passes before a key is even looked at: a Host this server answers to (DNS rebinding), a
state-changing request sent as JSON from no foreign Origin (cross-site requests), and a body no larger than the limit
however it is sent (Content-Length or chunked), arriving without long pauses (slow clients)."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI, Request

from batchrag.service.exposure import Exposure

MAX_BODY_BYTES = 256_000  # a question is at most a few thousand characters; a history of turns fits easily
CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})  # what a foreign page must not make this server do
JSON_BODIES = frozenset({"POST", "PUT", "PATCH"})
_BODILESS = {"type": "http.request", "body": b"", "more_body": False}


class Refused(Exception):
    def __init__(self, status: int, why: str) -> None:
        super().__init__(why)
        self.status, self.why = status, why


def header(scope, name: bytes) -> str | None:
    for k, v in scope.get("headers") or ():
        if k == name:
            return v.decode("latin-1")
    return None


def check_request(scope, exposure: Exposure) -> None:
    """Raises Refused for a foreign Host, a foreign Origin on a change, or a change not sent as JSON."""
    host = header(scope, b"host")
    if not exposure.host_allowed(host):
        raise Refused(400, f"host {host!r} is not this server's: add it to serve.allowed_hosts if it is "
                      "(BATCHRAG_SERVE__ALLOWED_HOSTS)")
    if scope["method"] not in CHANGES:
        return
    if not exposure.origin_allowed(header(scope, b"origin"), host):
        raise Refused(403, "a request from another site's page may not change anything here (Origin refused)")
    kind = (header(scope, b"content-type") or "").split(";")[0].strip().lower()
    if scope["method"] in JSON_BODIES and kind != "application/json" and has_body(scope):
        raise Refused(415, "send the body as JSON (Content-Type: application/json)")


def has_body(scope) -> bool:
    length = header(scope, b"content-length")
    return bool(header(scope, b"transfer-encoding")) or (length is not None and length.strip() not in ("", "0"))


async def read_body(receive, limit: int, pause_s: float) -> bytes:
    """The whole body, counted as it arrives: Refused(413) past `limit` bytes, (408) after a pause over `pause_s`."""
    chunks, size = [], 0
    while True:
        try:
            message = await asyncio.wait_for(receive(), pause_s)
        except TimeoutError:
            raise Refused(408, f"the request body stalled for over {pause_s:g} s") from None
        if message["type"] == "http.disconnect":
            raise Refused(499, "the client left")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise Refused(413, f"request body over {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def install_guard(app: FastAPI, error_body) -> None:
    """Wrap the app so that every HTTP request passes check_request and read_body first (install it inside the
    metrics, which count its refusals, and outside the key check)."""
    inner = app.build_middleware_stack

    def build():
        stack = inner()

        async def guarded(scope, receive, send):
            if scope["type"] != "http":
                return await stack(scope, receive, send)
            api = app.state.api
            try:
                check_request(scope, api.exposure)
                length = header(scope, b"content-length")
                if length and length.strip().isdigit() and int(length) > MAX_BODY_BYTES:
                    raise Refused(413, f"request body over {MAX_BODY_BYTES} bytes")  # before a byte is read
                body = (await read_body(receive, MAX_BODY_BYTES, api.settings.serve.header_timeout_s)
                        if has_body(scope) else b"")
            except Refused as no:
                if no.status == 499:
                    return None
                resp = error_body(Request(scope), no.status, no.why)
                if no.status in (408, 413):
                    resp.headers["Connection"] = "close"  # the rest of the body is not read
                return await resp(scope, receive, send)
            given = False

            async def replay():
                nonlocal given
                if not given:  # the body once, as read; then the client's own messages (a disconnect)
                    given = True
                    return {**_BODILESS, "body": body}
                return await receive()

            return await stack(scope, replay, send)

        return guarded

    app.build_middleware_stack = build
