"""What the API's endpoint modules share: the process state, the parameter check, the streamed answer's drain."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from batchrag.api.auth import Limits
from batchrag.api.prometheus import Metrics
from batchrag.domain.types import Answer
from batchrag.service import Assistant, Library, Questions
from batchrag.service.conversations import Conversations
from batchrag.service.exposure import Exposure
from batchrag.service.keys import Keys
from batchrag.service.model_setup import ModelPuller
from batchrag.service.schedule import SyncSchedule
from batchrag.service.updater import LibraryUpdater
from batchrag.settings import Settings

CLIENT_GONE = 499  # nginx's "client closed request": the reader left before the answer was finished
_END = object()


class ApiState:
    """What one API process keeps: settings, the library, the assistant (its retriever loaded once), metrics."""

    def __init__(self, settings: Settings, assistant: Assistant | None = None) -> None:
        self.settings = settings
        self.library = Library(settings)
        self.metrics = Metrics()
        self.keys = Keys(settings)
        self.exposure = Exposure(settings, settings.serve.api_host, self.keys)  # decided once, at start
        self.limits = Limits(settings.serve.api_requests_per_minute, settings.serve.api_concurrent_answers)
        self.updater = LibraryUpdater(settings)  # POST /library/update; the lease in the store makes it one at a time
        self.puller = ModelPuller(settings)  # POST /models/pull
        self.conversations = Conversations(settings)  # /ask with conversation_id, /conversations
        # The one door for a question (/ask, /v1/chat/completions): one retriever per reranker, one backend per
        # (backend, model), shared by every request.
        self.questions = Questions(settings, conversations=self.conversations, assistant=assistant)
        every = settings.serve.sync_every_s
        self.schedule = SyncSchedule(settings, every, self.updater) if every else None  # started with the app
        self._lock = threading.Lock()

    @property
    def assistant(self) -> Assistant:
        """The assistant of the settings' own choices (/search, /health)."""
        return self.questions.assistant_for()

    def ready(self) -> Assistant:
        """That assistant with its retriever loaded: one load per process even when the first requests race."""
        with self._lock:
            self.assistant.retriever  # noqa: B018 - loads the index (raises IndexMissingError before the first build)
        return self.assistant


def state(request: Request) -> ApiState:
    return request.app.state.api


def only(*names: str):
    """A dependency refusing query parameters the endpoint does not know (a typo must not be silently ignored)."""

    def check(request: Request) -> None:
        # `key` is the API key for clients that cannot send headers (api/auth.py), taken on every route.
        unknown = sorted(set(request.query_params) - set(names) - {"key"})
        if unknown:
            raise HTTPException(400, f"unknown parameter: {', '.join(unknown)}")

    return Depends(check)


def one_line(text: str) -> str:
    return " ".join(str(text).split())[:500]


async def drain(request: Request, it: Iterator, metrics: Metrics, endpoint: str, backend: str) -> AsyncIterator:
    """The answer's pieces pulled from the service in a worker thread; stops (and closes it) when the reader leaves."""
    pieces = 0
    try:
        while True:
            item = await run_in_threadpool(next, it, _END)
            if item is _END:
                return
            if await request.is_disconnected():
                metrics.error(endpoint, "disconnect")
                return
            if not isinstance(item, Answer):
                pieces += 1
            yield item
    finally:
        metrics.llm_tokens(backend, pieces)
        try:
            it.close()  # stops the model's stream: nobody reads it any more
        except ValueError:  # still running in its thread (cancelled mid-piece): it ends with that piece
            pass
