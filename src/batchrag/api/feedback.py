"""Readers' feedback routes: rate one's own answer (`POST /answers/{id}/feedback`), read its rating back, and for
admins the summary (`GET /feedback`): the share of 👍 by week and the newest 👎 (docs/contracts.md#feedback).

An answer is rated by its conversation's owner alone, by the rule of GET /answers/{id} without an admin's reach: a
revoked key's answer is nobody's to rate, another key's is a 404 as an unknown id is."""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import FastAPI, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from batchrag.api.common import only
from batchrag.api.conversations import id_path, owner_of
from batchrag.service.feedback import TEXT_CHARS, URL_CHARS, FeedbackBook


class FeedbackBody(BaseModel):
    """POST /answers/{id}/feedback: a field the route does not know is a 400, as everywhere."""

    model_config = ConfigDict(extra="forbid")
    rating: Literal["up", "down"]
    reason: str | None = Field(None, max_length=64, description="wrong_source | incomplete | bad_quote | other")
    text: str = Field("", max_length=TEXT_CHARS, description="The reader's own words.")
    story: str | None = Field(None, max_length=URL_CHARS, description="The URL of the archive story that answers.")


def book(request: Request) -> FeedbackBook:
    return request.app.state.feedback


def install_feedback(app: FastAPI) -> None:
    app.state.feedback = FeedbackBook(app.state.api.settings)

    @app.post("/answers/{answer_id}/feedback", dependencies=[only()])
    async def rate(body: FeedbackBody, request: Request, answer_id: str = id_path()) -> dict:
        """Rate one's own answer (again: the rating is replaced); 404 for another key's, 400 for a bad link."""
        got = await run_in_threadpool(book(request).rate, answer_id, owner_of(request), body.rating,
                                      reason=body.reason, text=body.text, story=body.story)
        return got.to_json()

    @app.get("/answers/{answer_id}/feedback", dependencies=[only()])
    async def rating(request: Request, answer_id: str = id_path()) -> dict:
        """One's own answer's rating: `{"feedback": {…}}`, or `{"feedback": null}` while it has none."""
        got = await run_in_threadpool(book(request).get, answer_id, owner_of(request))
        return {"feedback": got.to_json() if got else None}

    @app.get("/feedback", dependencies=[only("since")])
    async def summary(request: Request, since: date | None = Query(None, description="Ratings from this day.")):
        """Admins: the share of 👍 by ISO week, the newest 👎 with their searched query and sources."""
        return await run_in_threadpool(book(request).summary, since)
