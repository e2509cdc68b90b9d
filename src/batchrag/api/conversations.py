"""The conversations' routes: a key's own list, one conversation, one answer (the share link), export, delete.

A conversation belongs to the identity of the key that started it (`Caller.owner`, never its reusable name); a
revoked key's conversations (orphans) are an admin's alone to list, read, export and delete (docs/contracts.md)."""

from __future__ import annotations

from typing import Literal

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from batchrag.api.common import ApiState, only, state
from batchrag.domain.types import to_jsonable


def id_path():  # one Path per parameter: FastAPI binds a shared one to the first parameter's name
    return Path(..., min_length=1, max_length=64, description="A conversation's (or, for /answers, an answer's) id.")


def _caller(request: Request):
    return request.scope.get("state", {}).get("caller")


def owner_of(request: Request) -> str | None:
    """The API key's identity when keys are in use (a key sees only its own conversations); None: everyone's."""
    caller = _caller(request)
    return caller.owner if caller is not None else None


def orphans_of(request: Request) -> bool:
    """Whether the caller also reaches a revoked key's conversations: an admin's key does, a reader's never (with no
    key in use the API is open, every route an admin's, and `owner_of` None reads everyone's anyway)."""
    caller = _caller(request)
    return caller is None or caller.admin


def conversation_json(c) -> dict:
    return {**{k: to_jsonable(getattr(c, k)) for k in ("id", "title", "created_at", "updated_at", "turn_count")},
            "turns": [t.to_json() for t in c.turns]}


def install_conversations(app: FastAPI) -> None:
    @app.get("/conversations", dependencies=[only("limit", "orphans")])
    def listing(request: Request, limit: int = Query(50, ge=1, le=500),
                orphans: bool = Query(False, description="Admins: the revoked keys' conversations instead."),
                api: ApiState = Depends(state)) -> dict:
        """The caller's conversations, newest first (no turns: `turn_count` says how many)."""
        if orphans and not orphans_of(request):
            raise HTTPException(403, "only an admin's key lists the revoked keys' conversations (orphans=true)")
        found = api.conversations.list(owner_of(request), limit, orphans=orphans)
        # An orphan's owner is a revoked key's identity: it tells an admin which were one key's.
        shown = ("id", "title", "created_at", "updated_at", "turn_count", *(("owner",) if orphans else ()))
        return {"conversations": [{k: to_jsonable(getattr(c, k)) for k in shown} for c in found]}

    @app.get("/conversations/{conversation_id}", dependencies=[only()])
    async def one(request: Request, conversation_id: str = id_path(), api: ApiState = Depends(state)) -> dict:
        """A conversation with its turns (each: question, the `ask --json` answer, passages, timings)."""
        return conversation_json(await run_in_threadpool(api.conversations.get, conversation_id, owner_of(request),
                                                         orphans=orphans_of(request)))

    @app.get("/conversations/{conversation_id}/export", dependencies=[only("format")])
    async def export(request: Request, conversation_id: str = id_path(),
                     format: Literal["md", "html"] = Query("md", description="md | html (pictures inlined)"),  # noqa: A002
                     api: ApiState = Depends(state)):
        """A conversation (or one answer, by its id) as Markdown or a self-contained HTML file."""
        text = await run_in_threadpool(api.conversations.export, conversation_id, format, owner_of(request),
                                       orphans=orphans_of(request))
        media = "text/markdown; charset=utf-8" if format == "md" else "text/html; charset=utf-8"
        name = f"batchrag-{conversation_id}.{format}"
        return PlainTextResponse(text, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @app.get("/answers/{answer_id}", dependencies=[only()])
    async def answer(request: Request, answer_id: str = id_path(), api: ApiState = Depends(state)) -> dict:
        """One answer as shown (the page's share link `/?answer=<id>`, for programs)."""
        found = await run_in_threadpool(api.conversations.answer, answer_id, owner_of(request),
                                        orphans=orphans_of(request))
        return found.to_json()

    @app.delete("/conversations/{conversation_id}", dependencies=[only()], status_code=204)
    async def delete(request: Request, conversation_id: str = id_path(), api: ApiState = Depends(state)):
        """Delete a conversation and its turns."""
        await run_in_threadpool(api.conversations.delete, conversation_id, owner_of(request),
                                orphans=orphans_of(request))
        return Response(status_code=204)
