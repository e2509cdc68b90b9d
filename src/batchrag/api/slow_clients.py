"""uvicorn's HTTP protocol with a deadline for a request's headers: a client that opens a connection, or starts a
request, and then sends its headers slowly (or never) is disconnected after serve.header_timeout_s, so idle sockets
cannot pile up. uvicorn has only a keep-alive timer, which starts after a response (`batchrag api` names this class
by its import string: the CLI never imports the API package). The body's pauses are the guard's (api/guard.py)."""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.auto import AutoHTTPProtocol

from batchrag.settings import get_settings


class HeaderDeadlineProtocol(AutoHTTPProtocol):  # type: ignore[valid-type, misc]
    """AutoHTTPProtocol (h11 or httptools) that closes a connection whose next request's headers are late."""

    header_timeout_s: float | None = None  # read from the settings once per process, on the first connection

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._deadline: asyncio.TimerHandle | None = None
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._deadline is None and (self.cycle is None or self.cycle.response_complete):
            self._arm()  # a new request begins on a kept-alive connection: its headers have the same deadline
        super().data_received(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        cls = type(self)
        if cls.header_timeout_s is None:
            cls.header_timeout_s = get_settings().serve.header_timeout_s
        waiting_for = self.cycle  # headers parsed make a new cycle: a different object than this one
        self._deadline = self.loop.call_later(cls.header_timeout_s, self._late, waiting_for)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _late(self, waiting_for) -> None:
        self._deadline = None
        if self.cycle is waiting_for and not self.transport.is_closing():
            self.transport.close()  # no complete headers in time: nothing was asked, nothing is answered
