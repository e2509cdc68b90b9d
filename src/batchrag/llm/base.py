"""The LLM backend interface (one required method, `stream`), its error and its health."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from batchrag.domain.errors import BatchragError
from batchrag.domain.types import Message
from batchrag.llm.prompts import messages_tokens


class LLMError(BatchragError):
    """A one-line, user-facing backend failure; `partial` keeps text streamed before it."""

    def __init__(self, msg: str, partial: str = "") -> None:
        super().__init__(msg)
        self.partial = partial


@dataclass
class BackendStatus:
    ok: bool
    detail: str


class LLMBackend:
    """A chat model that streams text pieces. Subclasses implement `stream`; the rest has working defaults."""

    fallback_reason: str | None = None  # set by `auto` when it passed over a better backend

    name: str = "base"  # for display and JSON only: decisions read the capabilities below
    model: str = ""
    # Capabilities: what the rest of batchrag may count on, declared by each backend.
    quotes_only: bool = False  # it quotes the sources, no model writes: the fallback every checked path ends in
    writes_answers: bool = True  # its text is worth showing, retrying and keeping (not quotes, not a demo model)
    sees_images: bool = False  # the model reads the pictures a message carries (`Message.images`)
    in_process: bool = False  # the model is held in this process's memory (`is_loaded` says whether it is yet)
    pulls_models: bool = False  # its server fetches a missing model itself (`ollama pull`)
    context_tokens: int = 0  # the model's context window; 0: unknown, nothing is checked
    context_label: str = "context"  # what the server calls it (num_ctx, n_ctx), for the error message

    def stream(
        self, messages: list[Message], *, max_tokens: int, temperature: float, stop: list[str] | None
    ) -> Iterator[str]:
        """Yield the reply to `messages` piece by piece (the one method a backend must write)."""
        raise NotImplementedError

    def generate(
        self,
        messages: list[Message],
        *,
        max_tokens: int = 512,
        temperature: float = 0.2,
        stop: list[str] | None = None,
    ) -> Iterator[str]:
        """`stream`, after checking that the prompt and the reply fit the context window."""
        need = messages_tokens(messages) + max_tokens
        if self.context_tokens and need > self.context_tokens:
            raise LLMError(
                f"prompt too long for the context window: ~{need} tokens > {self.context_label} {self.context_tokens}"
            )
        return self.stream(messages, max_tokens=max_tokens, temperature=temperature, stop=stop)

    def complete(self, prompt: str, *, max_tokens: int = 64, stop: list[str] | None = None) -> str:
        """Raw text completion (few-shot prompts); default: a one-message chat."""
        return "".join(self.generate([Message("user", prompt)], max_tokens=max_tokens, temperature=0.0, stop=stop))

    def is_loaded(self) -> bool:
        """For an in-process model: whether it is in memory already (the next answer starts without a load)."""
        return False

    def health(self) -> BackendStatus:
        return BackendStatus(True, "ok")

