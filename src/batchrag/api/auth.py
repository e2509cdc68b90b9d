"""Who may call the API: when any key exists, every route but /health needs `Authorization: Bearer <key>` (the
OpenAI client's `api_key` is sent so); 401 for a missing or wrong key, 403 for a reader on an admin route."""

from __future__ import annotations

from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool

OPEN = ("/health",)  # a load balancer's probe needs no key
ADMIN = ("/metrics",)  # counts per key name: for the team's admins


def bearer(scope) -> str | None:
    """The key a request presents: `Authorization: Bearer <key>`, or `?key=` (feed readers cannot send headers)."""
    headers = dict(scope.get("headers") or [])
    auth = headers.get(b"authorization", b"").decode("latin-1").strip()
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip() or None
    return Request(scope).query_params.get("key") or None


def install_auth(app: FastAPI, error_body) -> None:
    """Wrap the app so that keys are checked before any route runs (install before the metrics: they count 401s)."""
    inner = app.build_middleware_stack

    def build():
        stack = inner()

        async def guarded(scope, receive, send):
            if scope["type"] != "http" or scope["path"] in OPEN:
                return await stack(scope, receive, send)
            keys = app.state.api.keys
            if not await run_in_threadpool(keys.required):
                return await stack(scope, receive, send)
            presented = bearer(scope)
            caller = await run_in_threadpool(keys.check, presented)
            if caller is None:
                why = "an API key is required: send `Authorization: Bearer <key>`" if not presented else (
                    "the API key is not valid (revoked, or never issued)")
                resp = error_body(Request(scope), 401, why)
                resp.headers["WWW-Authenticate"] = "Bearer"
                return await resp(scope, receive, send)
            if scope["path"] in ADMIN and not caller.admin:
                return await error_body(Request(scope), 403, f"the key {caller.name!r} is a reader's: "
                                        "this route is for admins")(scope, receive, send)
            scope.setdefault("state", {})["caller"] = caller
            return await stack(scope, receive, send)

        return guarded

    app.build_middleware_stack = build
