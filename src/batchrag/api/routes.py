"""The HTTP API: thin FastAPI routes over batchrag.service (search, ask as Server-Sent Events, articles, health)."""

from __future__ import annotations

import json
import mimetypes
import time
from contextlib import asynccontextmanager
from typing import Literal

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response, StreamingResponse
from pydantic import Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from batchrag import service
from batchrag.api.admin import install_admin
from batchrag.api.auth import install_auth
from batchrag.api.common import CLIENT_GONE, ApiState, drain, one_line, only, state
from batchrag.api.conversations import install_conversations, owner_of
from batchrag.api.feed import install_feed
from batchrag.api.feedback import install_feedback
from batchrag.api.guard import install_guard
from batchrag.api.openai_chat import install_openai
from batchrag.api.prometheus import Metrics
from batchrag.domain.errors import BatchragError
from batchrag.domain.types import Answer, to_jsonable
from batchrag.service import Assistant, ChatTurn, EmptyQuestion
from batchrag.service.conversations import ConversationNotFound, ConversationProblem
from batchrag.service.health import check_health
from batchrag.service.schedule import SyncStatus
from batchrag.settings import Settings, get_settings

MAX_K = 50
MAX_ID = 2**63 - 1  # the store's integer ids: a larger one is a 400, never an overflow deep in the database


class PostedTurn(ChatTurn):
    """One message of POST /ask's history, with the body's own limit on its length."""

    content: str = Field(max_length=20_000)


class AskRequest(service.AskRequest):
    """POST /ask: a reader's AskRequest (service/asking.py) as JSON, and how the answer is sent back; the body's
    own limits (20 turns of 20,000 characters) on top."""

    history: list[PostedTurn] = Field(default_factory=list, max_length=20)
    stream: bool = Field(True, description="false: one JSON object (ask --json) instead of Server-Sent Events.")


def sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def error_body(request: Request, status: int, message: str) -> JSONResponse:
    message = one_line(message)
    if request.url.path.startswith("/v1/"):  # the OpenAI clients read {"error": {"message": …}}
        body = {"error": {"message": message, "type": "invalid_request_error" if status < 500 else "server_error",
                          "code": status}}
    else:
        body = {"error": message}
    return JSONResponse(body, status_code=status)


def install_errors(app: FastAPI) -> None:
    """Every error is a status and one line: bad input 4xx, a library not ready 503, only a bug is a 500."""

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        e = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path"))
        return error_body(request, 400, f"{where}: {e.get('msg')}" if where else e.get("msg", "invalid request"))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        return error_body(request, exc.status_code, exc.detail)

    @app.exception_handler(EmptyQuestion)
    async def empty(request: Request, exc: EmptyQuestion):
        return error_body(request, 400, str(exc))

    @app.exception_handler(ConversationProblem)
    async def conversation(request: Request, exc: ConversationProblem):
        return error_body(request, 404 if isinstance(exc, ConversationNotFound) else 400, str(exc))

    @app.exception_handler(BatchragError)
    async def not_ready(request: Request, exc: BatchragError):
        return error_body(request, 503, str(exc))

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception):
        request.app.state.api.metrics.error(endpoint_of(request.scope), "server")
        return error_body(request, 500, f"internal error: {type(exc).__name__}")


def endpoint_of(scope) -> str:
    """The route's path for the metrics; a request refused before routing (api/guard.py) by its path if it is one."""
    route = getattr(scope.get("route"), "path", None)
    return route or (scope["path"] if scope.get("path") in PATHS else "unmatched")


def install_metrics(app: FastAPI) -> None:
    """Counts every request by route and status; a stream's latency runs to its last byte."""
    inner = app.build_middleware_stack

    def build():
        stack = inner()

        async def timed(scope, receive, send):
            if scope["type"] != "http":
                return await stack(scope, receive, send)
            metrics: Metrics = app.state.api.metrics
            start, status = time.perf_counter(), [500]
            async def send_status(message):
                if message["type"] == "http.response.start":
                    status[0] = message["status"]
                await send(message)

            try:
                await stack(scope, receive, send_status)
            finally:
                metrics.observe(endpoint_of(scope), scope["method"], status[0], time.perf_counter() - start)
                caller = (scope.get("state") or {}).get("caller")  # set by the key check (api/auth.py)
                if caller is not None:
                    metrics.by_key(caller.name, status[0])

        return timed

    app.build_middleware_stack = build


PATHS = ("/search", "/ask", "/library", "/health", "/metrics", "/v1/chat/completions", "/v1/models", "/library/update",
         "/models/pull", "/feed.xml")


def create_app(settings: Settings | None = None, *, assistant: Assistant | None = None) -> FastAPI:
    """The API over one library (settings: the process's, from the environment, by default)."""
    settings = settings or get_settings()
    api = ApiState(settings, assistant)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        if api.schedule is not None:  # --sync-every: each process ticks, the store's lease lets one sync
            api.schedule.start()
        yield
        if api.schedule is not None:
            api.schedule.stop()

    app = FastAPI(title="batchrag", version="1", description="Questions over The Batch archive, answered in Ukrainian.",
                  lifespan=lifespan)
    app.router.redirect_slashes = False  # a redirect would be built from the request's Host (and carry its ?key=)
    app.state.api = api
    install_errors(app)
    install_auth(app, error_body)  # inside the guard: a foreign Host or an oversized body never reaches the keys
    install_guard(app, error_body)  # inside the metrics: a 401, 413 or foreign Host is counted too
    install_metrics(app)
    max_q = settings.answer.max_question_chars
    install_questions(app, max_q)
    install_library(app)
    install_feed(app)

    install_admin(app)
    install_conversations(app)
    install_feedback(app)
    install_openai(app, max_q)
    return app


def install_questions(app: FastAPI, max_q: int) -> None:
    """The routes that take a question: /search (retrieval only) and /ask (the answer, streamed or whole)."""

    @app.get("/search", dependencies=[only("q", "k", "images", "mode")])
    def search(q: str = Query(..., min_length=1, max_length=max_q, description="The question, any language."),
               k: int = Query(5, ge=1, le=MAX_K), images: bool = Query(False, description="Pictures, not stories."),
               mode: Literal["vector", "bm25", "hybrid"] | None = Query(None, description="Default: settings."),
               api: ApiState = Depends(state)) -> dict:
        """Ranked stories (or pictures) for q: retrieval only, no model, no rewrite (`batchrag search --json`)."""
        assistant = api.ready()
        text = assistant.prepare(q).text
        if images:
            found = assistant.search_images(text, k=k)
        else:
            found = assistant.search(text, k=k, mode=mode, rewrite=False, pictures=0).hits
        return {"query": text, "images": images, "results": to_jsonable(found)}

    # name="ask": the route's name (and so /openapi.json's operationId and summary) stays what it was
    @app.post("/ask", name="ask", dependencies=[only()])
    async def ask_route(body: AskRequest, request: Request, api: ApiState = Depends(state)):
        """The answer in Ukrainian with numbered citations: `token` events, then one `answer` event (ask --json)."""
        if len(body.question) > max_q:
            raise HTTPException(400, f"question is longer than {max_q} characters")
        await run_in_threadpool(api.ready)  # no index yet: 503 before anything else
        # EmptyQuestion (400), an unknown or another key's conversation (404): before anything is streamed.
        asked = await run_in_threadpool(lambda: api.questions.ask(body, owner=owner_of(request), keep=True))
        it, backend = iter(asked), asked.backend.name

        def shown(answer: Answer) -> dict:
            """The `ask --json` object, and where it is kept (null ids while history is off)."""
            turn = asked.turn
            return {**answer.to_json(), "conversation_id": turn.conversation_id if turn else None,
                    "answer_id": turn.id if turn else None}

        if not body.stream:
            items = [item async for item in drain(request, it, api.metrics, "/ask", backend)]
            if not items or not isinstance(items[-1], Answer):
                return Response(status_code=CLIENT_GONE)  # nobody is there to read it
            more = await run_in_threadpool(asked.followups)  # after the answer (service/followups.py)
            return JSONResponse({**shown(items[-1]), "followups": [f.to_json() for f in more]})

        async def events():
            try:
                async for item in drain(request, it, api.metrics, "/ask", backend):
                    yield sse("answer", shown(item)) if isinstance(item, Answer) else sse("token", {"text": item})
                # The next questions come after the answer, never delaying it: an event of their own.
                more = await run_in_threadpool(asked.followups)
                yield sse("followups", {"followups": [f.to_json() for f in more]})
            except BatchragError as exc:  # the status is sent already: the failure is the stream's last event
                api.metrics.error("/ask", "stream")
                yield sse("error", {"error": one_line(str(exc))})

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def install_library(app: FastAPI) -> None:
    """The routes over the library itself: an article, a picture, the counts, health and metrics."""

    @app.get("/articles/{article_id}", dependencies=[only()])
    def article(article_id: int = Path(..., ge=1, le=MAX_ID), api: ApiState = Depends(state)) -> dict:
        """One stored article: text, issue, date, tags, pictures."""
        found = api.library.article(article_id)
        if found is None:
            raise HTTPException(404, f"no article {article_id}")
        return to_jsonable(found)

    @app.get("/images/{name}", dependencies=[only()])
    def image(name: str, api: ApiState = Depends(state)):
        """A downloaded picture by its file name (an image's `path` / `local_path`)."""
        path = api.library.image_file(name)
        if path is None:
            raise HTTPException(404, f"no picture {name}")
        return FileResponse(path, media_type=mimetypes.guess_type(path.name)[0] or "application/octet-stream")

    @app.get("/library", dependencies=[only()])
    def library(api: ApiState = Depends(state)) -> dict:
        """What the library holds (counts from the store and the index), its last update and its sync schedule."""
        st = api.library.status()
        sync = (api.schedule.status() if api.schedule else SyncStatus(None, None, api.updater.recorded())).to_json()
        return {**to_jsonable(st), "empty": st.empty, "has_index": st.has_index, "update": sync["last"], "sync": sync}

    @app.get("/health", dependencies=[only()])
    def health(api: ApiState = Depends(state)):
        """store, index and LLM, each with its state (ok | missing | error); 503 when the library cannot answer."""
        h = check_health(api.library, api.assistant.backend)
        return JSONResponse({"ok": h.ok, **h.to_json()}, status_code=200 if h.ok else 503)

    @app.get("/metrics", dependencies=[only()], response_class=PlainTextResponse)
    def metrics(api: ApiState = Depends(state)):
        """Prometheus text: requests, latency histograms, LLM tokens, errors (this process)."""
        return PlainTextResponse(api.metrics.render(), media_type="text/plain; version=0.0.4")
