"""The one door for a question: an `AskRequest` in, the streamed (and, when kept, recorded) answer out.

prepare → history → search → answer → record is written here once. The page, `batchrag ask`, `POST /ask`,
`/v1/chat/completions`, MCP and `eval --answers` build an AskRequest and render what comes back. A reader's choices
(sources, search mode, dates, tags, pictures, backend, Ollama model, reranker) travel in the request, never as a
settings copy: settings are the process's configuration. The door keeps one retriever per reranker (the index is
the settings') and one backend per (backend, model), each built on first use and shared by every question.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from batchrag.answer import Question
from batchrag.answer.answerer import final_answer
from batchrag.domain.errors import BatchragError
from batchrag.domain.types import Answer, Message, SearchResult
from batchrag.llm.base import LLMBackend
from batchrag.service.assistant import Assistant, Filters, load_retriever
from batchrag.service.choices import build_backend, check_backend, check_reranker
from batchrag.service.conversation_types import KeptTurn
from batchrag.service.conversations import Conversations, Recording
from batchrag.service.followups import Followup, offer_followups
from batchrag.settings import Settings

log = logging.getLogger(__name__)

MAX_K = 20  # sources a reader may ask for: more would not fit a small model's context anyway
MAX_KEPT = 8  # backends (and assistants) kept at once: a client naming ever new models must not grow memory


class ChatTurn(BaseModel):
    """One message of the conversation before the question."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    role: str = Field(pattern="^(user|assistant)$")
    content: str


class AskRequest(BaseModel):
    """A reader's question and every choice made for it: the JSON body of `POST /ask` (docs/contracts.md) less
    `stream`, which is the API's own. Validated here, once, for every front end; unset choices are the settings'."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    question: str
    history: list[ChatTurn] = Field(default_factory=list, description="The conversation before the question.")
    conversation_id: str | None = Field(None, min_length=1, max_length=64, description=(
        "Go on in this kept conversation (its turns are the history); none: a new one. The answer names both ids."))
    k: int | None = Field(None, ge=1, le=MAX_K, description="Sources given to the model (default: settings).")
    mode: Literal["vector", "bm25", "hybrid"] | None = Field(None, description="How to search (default: settings).")
    date_from: date | None = Field(None, description="Only stories from this day on.")
    date_to: date | None = Field(None, description="Only stories up to this day.")
    tags: list[str] = Field(default_factory=list, max_length=50, description="Only stories with these tags.")
    pictures: int = Field(3, ge=0, le=10, description="Pictures searched beside the stories.")
    backend: str | None = Field(None, max_length=200, description="The LLM backend that answers (default: settings).")
    model: str | None = Field(None, min_length=1, max_length=200, description=(
        "The Ollama model (for ollama, and for auto when it picks ollama; default: settings)."))
    reranker: str | None = Field(None, max_length=200, description="The reranker (none: off; default: settings).")

    @field_validator("backend")
    @classmethod
    def _known_backend(cls, name: str | None) -> str | None:
        return check_backend(name) if name else None  # an unknown name lists the choices (a ValueError)

    @field_validator("reranker")
    @classmethod
    def _known_reranker(cls, name: str | None) -> str | None:
        return check_reranker(name) if name else None

    def history_messages(self) -> list[Message]:
        return [Message(t.role, t.content) for t in self.history]


class BadChoice(BatchragError):
    """A reader's choice that cannot be (`k: Input should be less than or equal to 20`): one line."""


def ask_request(**fields: object) -> AskRequest:
    """An AskRequest from a front end's arguments (None: not given); a bad one is BadChoice, said as the API's 400."""
    try:
        return AskRequest(**{k: v for k, v in fields.items() if v is not None})
    except ValidationError as exc:
        e = exc.errors()[0]
        where = ".".join(str(p) for p in e.get("loc", ()))
        msg = str(e.get("msg", "invalid request")).removeprefix("Value error, ")
        raise BadChoice(f"{where}: {msg}" if where else msg) from None


class Asked:
    """One question being answered, prepared and searched already: iterate it for the text pieces, then the Answer
    (last). When kept, `turn` is the kept turn once the Answer has passed (None: not kept, `error` says why);
    `followups()` then gives the next questions (service/followups.py), computed after the answer, never before."""

    def __init__(self, question: Question, result: SearchResult, assistant: Assistant,
                 stream: Iterator[str | Answer], recording: Recording | None, timings_ms: dict[str, float]) -> None:
        self.question, self.result, self.assistant = question, result, assistant
        self._stream, self._recording = stream, recording
        self.timings_ms = recording.timings_ms if recording is not None else timings_ms
        self._final: Answer | None = None
        self._followups: list[Followup] | None = None

    @property
    def backend(self) -> LLMBackend:
        return self.assistant.backend

    @property
    def turn(self) -> KeptTurn | None:
        return self._recording.turn if self._recording is not None else None

    @property
    def error(self) -> str | None:
        return self._recording.error if self._recording is not None else None

    def __iter__(self) -> Iterator[str | Answer]:
        try:
            for item in self._recording if self._recording is not None else self._stream:
                if isinstance(item, Answer):
                    self._final = item
                yield item
        finally:
            self.close()

    def close(self) -> None:
        """Stop the model's stream (a reader who left)."""
        try:
            self._stream.close()
        except ValueError:  # still running in its thread (cancelled mid-piece): it ends with that piece
            pass

    def answer(self) -> Answer:
        """The finished answer, without streaming."""
        return final_answer(iter(self))

    def followups(self) -> list[Followup]:
        """Up to three next questions the archive can answer, once the answer is done ([] before it is)."""
        if self._final is None:
            return []
        if self._followups is None:
            try:
                self._followups = offer_followups(self.assistant, self.question.text, self.result, self._final)
            except Exception as exc:  # noqa: BLE001  (next questions are a bonus: they must not cost the answer)
                log.warning("follow-ups failed: %s", exc)
                self._followups = []
        return self._followups


def _make_room(kept: dict) -> None:
    """Drop the oldest entry of a full cache (dicts keep insertion order)."""
    while len(kept) >= MAX_KEPT:
        kept.pop(next(iter(kept)))


class Questions:
    """Answers questions over one library: the one door (`ask`), and the parts it shares between questions."""

    def __init__(self, settings: Settings, *, conversations: Conversations | None = None,
                 assistant: Assistant | None = None) -> None:
        self.settings = settings
        self.conversations = conversations or Conversations(settings)
        self._retrievers: dict[str, object] = {}
        self._backends: dict[tuple[str, str | None], LLMBackend] = {}
        self._assistants: dict[tuple[str, str, str | None], Assistant] = {}
        self._given = assistant  # a caller's own (tests, create_app): it answers when the reader chose nothing
        self._lock = threading.RLock()  # one load per part even when the first questions race

    def _key(self, request: AskRequest | None) -> tuple[str, str, str | None]:
        s = self.settings
        model = request.model if request and request.model != s.llm.ollama_model else None
        return ((request and request.reranker) or s.retrieve.reranker, (request and request.backend) or s.llm.backend,
                model)

    def retriever(self, reranker: str | None = None):
        """The retriever reranking with `reranker` (default: the settings'), loaded once."""
        reranker = reranker or self.settings.retrieve.reranker
        with self._lock:
            if reranker not in self._retrievers:
                self._retrievers[reranker] = load_retriever(self.settings, reranker)
            return self._retrievers[reranker]

    def backend(self, name: str | None = None, model: str | None = None) -> LLMBackend:
        """The backend `name` (default: the settings') with the Ollama `model`, built once (auto picks once)."""
        key = (name or self.settings.llm.backend, model)
        with self._lock:
            if key not in self._backends:
                _make_room(self._backends)
                self._backends[key] = build_backend(key[0], self.settings, model)
            return self._backends[key]

    def assistant_for(self, request: AskRequest | None = None) -> Assistant:
        """The assistant for a request's choices (none: the settings'), its retriever and backend shared."""
        key = self._key(request)
        with self._lock:
            if key == self._key(None) and self._given is not None:
                return self._given
            if key not in self._assistants:
                _make_room(self._assistants)
                reranker, backend, model = key
                self._assistants[key] = Assistant(
                    self.settings, make_retriever=lambda: self.retriever(reranker),
                    make_backend=lambda: self.backend(backend, model))
            return self._assistants[key]

    def forget_backends(self) -> None:
        """Let `auto` pick again (a model arrived, Ollama started); the loaded retrievers stay."""
        with self._lock:
            self._backends.clear()
            self._assistants.clear()

    def ask(self, request: AskRequest, *, owner: str | None = None, keep: bool = False) -> Asked:
        """prepare → history → search → answer → record. Kept as a turn when `keep` or a conversation id is given
        (while history is on); `owner` is who asks (an API key's identity), never the request's to say.

        Raises before anything streams: EmptyQuestion, ConversationNotFound (an unknown or another owner's
        conversation), IndexMissingError; the answer itself streams as the result is iterated."""
        assistant = self.assistant_for(request)
        q = assistant.prepare(request.question)
        cid = request.conversation_id
        kept = self.conversations if (keep or cid) and self.conversations.enabled else None
        history = request.history_messages()
        if cid and kept is not None:  # the kept turns first, then any the request brings
            history = kept.history_of(cid, owner) + history
        t0 = time.perf_counter()
        result = assistant.search(q.text, history, k=request.k, mode=request.mode, pictures=request.pictures,
                                  filters=Filters(request.date_from, request.date_to, list(request.tags)))
        timings = {**result.timings_ms, "search_total": round((time.perf_counter() - t0) * 1000, 1)}
        stream = assistant.answer(q, result)
        recording = kept.record(cid, q.text, stream, result=result, timings_ms=timings, owner=owner) if kept else None
        return Asked(q, result, assistant, stream, recording, timings)
