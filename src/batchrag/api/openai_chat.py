"""An OpenAI-compatible chat endpoint: batchrag as the model "batchrag", answering from the archive in Ukrainian."""

from __future__ import annotations

import json
import time
import uuid

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from batchrag.api.common import CLIENT_GONE, drain, only, state
from batchrag.domain.errors import BatchragError
from batchrag.domain.types import Answer
from batchrag.service import AskRequest, ChatTurn

MODEL = "batchrag"
STARTED = int(time.time())


class ChatMessage(BaseModel):
    # Clients send name, tool_calls …: kept out of the question, never refused.
    model_config = ConfigDict(extra="ignore")
    role: str
    content: str | list | None = None


class ChatRequest(BaseModel):
    """The fields batchrag reads; the rest of OpenAI's (temperature, max_tokens, user …) are accepted and ignored."""

    model_config = ConfigDict(extra="ignore")
    model: str
    messages: list[ChatMessage] = Field(min_length=1, max_length=50)
    stream: bool = False


def text_of(content) -> str:
    """A message's text: a string, or the text parts of a list of content parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""


def sources_markdown(answer: Answer) -> str:
    """The sources as numbered Markdown links, after the answer (the [n] in the text point at them)."""
    if not answer.sources:
        return ""
    lines = [f"{s.n}. [{s.title}]({s.url})" + (f" — {s.date.isoformat()}" if s.date else "") for s in answer.sources]
    return "\n\n**Джерела:**\n" + "\n".join(lines)


def ask_request(messages: list[ChatMessage], max_q: int) -> AskRequest:
    """The last user message is the question; the user and assistant turns before it are its conversation."""
    turns = [ChatTurn(role=m.role, content=text_of(m.content)) for m in messages if m.role in ("user", "assistant")]
    if not turns or turns[-1].role != "user":
        raise HTTPException(400, "the last message must be the user's question")
    question = turns[-1].content
    if len(question) > max_q:
        raise HTTPException(400, f"question is longer than {max_q} characters")
    return AskRequest(question=question, history=turns[:-1])


def chunk(cid: str, delta: dict, finish: str | None = None) -> str:
    body = {"id": cid, "object": "chat.completion.chunk", "created": int(time.time()), "model": MODEL,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def install_openai(app: FastAPI, max_q: int) -> None:
    @app.get("/v1/models", dependencies=[only()])
    def models() -> dict:
        """The one model: batchrag (the archive, answered by the configured backend)."""
        return {"object": "list", "data": [{"id": MODEL, "object": "model", "created": STARTED, "owned_by": "batchrag"}]}

    @app.post("/v1/chat/completions", dependencies=[only()])
    async def chat(body: ChatRequest, request: Request, api=Depends(state)):
        """OpenAI's chat completions, streaming or not: the answer, then its sources as numbered Markdown links."""
        if body.model != MODEL:
            raise HTTPException(404, f"unknown model {body.model!r}: the one model is {MODEL!r}")
        asking = ask_request(body.messages, max_q)
        await run_in_threadpool(api.ready)  # no index yet: 503 before anything else
        asked = await run_in_threadpool(api.questions.ask, asking)  # nothing kept: the client keeps its messages
        it, backend = iter(asked), asked.backend.name
        cid = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        if not body.stream:
            items = [item async for item in drain(request, it, api.metrics, "/v1/chat/completions", backend)]
            if not items or not isinstance(items[-1], Answer):
                return Response(status_code=CLIENT_GONE)
            final: Answer = items[-1]
            return JSONResponse({
                "id": cid, "object": "chat.completion", "created": int(time.time()), "model": MODEL,
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": final.answer + sources_markdown(final)}}],
                "usage": {"prompt_tokens": 0, "completion_tokens": len(items) - 1, "total_tokens": len(items) - 1},
            })

        async def events():
            # The streamed text is the model's; the finished answer may differ (a gate, removed citations), so the
            # reader who streams gets the model's text and then the checked sources.
            yield chunk(cid, {"role": "assistant", "content": ""})
            streamed = []
            try:
                async for item in drain(request, it, api.metrics, "/v1/chat/completions", backend):
                    if isinstance(item, Answer):
                        tail = item.answer[len("".join(streamed)):] if item.answer.startswith("".join(streamed)) \
                            else "\n\n" + item.answer
                        if tail:
                            yield chunk(cid, {"content": tail})
                        yield chunk(cid, {"content": sources_markdown(item)})
                    else:
                        streamed.append(item)
                        yield chunk(cid, {"content": item})
            except BatchragError as exc:
                api.metrics.error("/v1/chat/completions", "stream")
                yield chunk(cid, {"content": f"\n\n(помилка: {exc})"})
            yield chunk(cid, {}, "stop")
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
