"""The real API on 127.0.0.1: uvicorn serving create_app in a thread, for the tests that stream or use a client."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

from tests.support.net import free_port


@contextmanager
def serve_app(app):
    """Yield the base URL of `app` served by uvicorn on a free loopback port; stopped on exit."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the API did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
