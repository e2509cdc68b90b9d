"""Who may call the API: when keys are required (service/exposure.py: beyond loopback, serve.require_keys, or once a
key exists), every route but /health needs `Authorization: Bearer <key>` (the OpenAI client's `api_key` is sent so);
401 for a missing or wrong key, 403 for a reader on an admin route, 429 with Retry-After over a key's limits or after
too many failed keys from one address."""

from __future__ import annotations

import threading

from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool

from batchrag.service.exposure import NO_KEY_YET, Exposure, MinuteWindow

OPEN = ("/health",)  # a load balancer's probe needs no key
# Per-key counts, crawls, downloads, the whole team's ratings (GET /feedback): the team's admins.
ADMIN = ("/metrics", "/library/update", "/models/pull", "/feedback")
ANSWERS = ("/ask", "/v1/chat/completions")  # what holds a model: limited in number at once


class Limits:
    """Per key name, in this process: requests in the last minute, and answers in flight."""

    def __init__(self, per_minute: int, at_once: int) -> None:
        self.per_minute, self.at_once = per_minute, at_once
        self._window = MinuteWindow(per_minute)
        self._running: dict[str, int] = {}
        self._lock = threading.Lock()

    def admit(self, name: str) -> int:
        """0 when a request may go on, else the seconds until it may (Retry-After)."""
        return self._window.admit(name)

    def enter(self, name: str) -> bool:
        with self._lock:
            if self._running.get(name, 0) >= self.at_once:
                return False
            self._running[name] = self._running.get(name, 0) + 1
            return True

    def leave(self, name: str) -> None:
        with self._lock:
            self._running[name] = max(0, self._running.get(name, 0) - 1)


def bearer(scope) -> str | None:
    """The key a request presents: `Authorization: Bearer <key>`, or `?key=` (feed readers cannot send headers)."""
    headers = dict(scope.get("headers") or [])
    auth = headers.get(b"authorization", b"").decode("latin-1").strip()
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip() or None
    return Request(scope).query_params.get("key") or None


def client_address(scope) -> str:
    """The client's address (behind a proxy on loopback, uvicorn takes it from X-Forwarded-For)."""
    client = scope.get("client")
    return client[0] if client else "unknown"


def install_auth(app: FastAPI, error_body) -> None:
    """Wrap the app so that keys are checked before any route runs (install before the metrics: they count 401s)."""
    inner = app.build_middleware_stack

    def build():
        stack = inner()

        async def guarded(scope, receive, send):
            if scope["type"] != "http" or scope["path"] in OPEN:
                return await stack(scope, receive, send)
            api = app.state.api
            exposure: Exposure = api.exposure
            if not await run_in_threadpool(exposure.keys_required):
                return await stack(scope, receive, send)
            address = client_address(scope)
            wait = exposure.failures.wait(address)
            if wait:  # guessing keys: this address waits, whatever it presents now
                return await too_many(scope, receive, send, wait, "too many failed API keys from this address")
            presented = bearer(scope)
            caller = await run_in_threadpool(api.keys.check, presented)
            if caller is None:
                if presented:
                    exposure.failures.add(address)
                    why = "the API key is not valid (revoked, or never issued)"
                elif not await run_in_threadpool(api.keys.required):
                    why = NO_KEY_YET
                else:
                    why = "an API key is required: send `Authorization: Bearer <key>`"
                resp = error_body(Request(scope), 401, why)
                resp.headers["WWW-Authenticate"] = "Bearer"
                return await resp(scope, receive, send)
            scope.setdefault("state", {})["caller"] = caller  # the metrics count per key name (api/routes.py)
            if scope["path"] in ADMIN and not caller.admin:
                return await error_body(Request(scope), 403, f"the key {caller.name!r} is a reader's: "
                                        "this route is for admins")(scope, receive, send)
            limits: Limits = app.state.api.limits
            wait = limits.admit(caller.name)
            if wait:
                return await too_many(scope, receive, send, wait, f"too many requests for this key: over {limits.per_minute} requests a minute")
            if scope["path"] not in ANSWERS:
                return await stack(scope, receive, send)
            if not limits.enter(caller.name):
                return await too_many(scope, receive, send, 1, f"too many requests for this key: over {limits.at_once} answers at once")
            try:
                return await stack(scope, receive, send)
            finally:
                limits.leave(caller.name)

        async def too_many(scope, receive, send, wait: int, why: str):
            resp = error_body(Request(scope), 429, f"{why}; retry in {wait} s")
            resp.headers["Retry-After"] = str(wait)
            return await resp(scope, receive, send)

        return guarded

    app.build_middleware_stack = build
