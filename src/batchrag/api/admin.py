"""The admins' routes: update the library (crawl + index in the background, one at a time across processes) and
pull a model; their state is read at GET /library and GET /models/pull (docs/contracts.md#admin-routes)."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import Body, Depends, FastAPI
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from batchrag.api.common import ApiState, only, state
from batchrag.domain.types import to_jsonable
from batchrag.service.model_setup import UnknownModel, check_name


def pull_state(api: ApiState) -> dict:
    s = api.puller.state()
    return {**to_jsonable(asdict(s)), "fraction": s.fraction}


def install_admin(app: FastAPI) -> None:
    @app.post("/library/update", dependencies=[only()], status_code=202)
    async def update(api: ApiState = Depends(state)):
        """Start crawl + index in the background (202); 409 while one runs in any process sharing the store."""
        if not await run_in_threadpool(api.updater.start):
            busy = await run_in_threadpool(api.updater.busy_elsewhere)
            where = f" (in {busy})" if busy else " (in this process)"
            raise HTTPException(409, f"a library update is already running{where}: its state is at GET /library")
        return JSONResponse({"started": True, "update": await run_in_threadpool(api.updater.recorded)},
                            status_code=202)

    @app.post("/models/pull", dependencies=[only()], status_code=202)
    def pull(model: str | None = Body(None, embed=True, max_length=300,
                                      description="A preset (`batchrag model presets`), an Ollama tag or "
                                      "hf:<owner>/<repo>/<file.gguf>; none: the default answer model."),
             api: ApiState = Depends(state)):
        """Start pulling a model in the background (202); 409 while a pull runs in this process."""
        try:
            if model is not None:
                check_name(model)  # the one parser of model names: hf:a/b/../../x.gguf is a 400, nothing pulled
        except UnknownModel as e:
            raise HTTPException(400, str(e)) from None
        if not api.puller.start(model):
            raise HTTPException(409, "a model pull is already running: its state is at GET /models/pull")
        return JSONResponse({"started": True, "pull": pull_state(api)}, status_code=202)

    @app.get("/models/pull", dependencies=[only()])
    def pulling(api: ApiState = Depends(state)) -> dict:
        """The model pull of this process: running, what it fetched, bytes done, its error."""
        return pull_state(api)
