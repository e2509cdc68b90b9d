"""The LLM backend interface and its registry (auto = Ollama, else embedded, else extractive)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from batchrag.settings import Settings
from batchrag.types import Message


class LLMError(RuntimeError):
    """A one-line, user-facing backend failure; `partial` keeps text streamed before it."""

    def __init__(self, msg: str, partial: str = "") -> None:
        super().__init__(msg)
        self.partial = partial


@dataclass
class BackendStatus:
    ok: bool
    detail: str


class LLMBackend:
    """A chat model that streams text pieces."""

    fallback_reason: str | None = None  # set by `auto` when it passed over a better backend

    name: str = "base"
    model: str = ""
    is_demo_model: bool = False

    def generate(
        self,
        messages: list[Message],
        *,
        stream: bool = True,
        max_tokens: int = 512,
        temperature: float = 0.2,
        stop: list[str] | None = None,
    ) -> Iterator[str]:
        raise NotImplementedError

    def complete(self, prompt: str, *, max_tokens: int = 64, stop: list[str] | None = None) -> str:
        """Raw text completion (few-shot prompts); default: a one-message chat."""
        return "".join(self.generate([Message("user", prompt)], max_tokens=max_tokens, temperature=0.0, stop=stop))

    def health(self) -> BackendStatus:
        return BackendStatus(True, "ok")


_REGISTRY: dict[str, Callable[[Settings], LLMBackend]] = {}


def register_backend(name: str):
    def deco(factory):
        _REGISTRY[name] = factory
        return factory

    return deco


def _load_builtins() -> None:
    # Imported here so that registering happens on first use, not at package import.
    from batchrag.llm import embedded, extractive, ollama  # noqa: F401


def backend_names() -> list[str]:
    _load_builtins()
    return sorted(_REGISTRY)


def make_backend(name: str, settings: Settings) -> LLMBackend:
    _load_builtins()
    if name not in _REGISTRY:
        raise LLMError(f"unknown LLM backend {name!r}; choose one of auto, {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name](settings)


def get_backend(settings: Settings, name: str | None = None) -> LLMBackend:
    """The backend settings.llm_backend names; `auto` picks the first healthy of ollama, embedded, extractive."""
    name = (name or settings.llm_backend or "auto").lower()
    if name != "auto":
        return make_backend(name, settings)
    skipped: list[str] = []
    for candidate in ("ollama", "embedded"):
        backend = make_backend(candidate, settings)
        status = backend.health()
        if status.ok:
            break
        skipped.append(f"{candidate}: {status.detail}")
    else:
        backend = make_backend("extractive", settings)
    # Say why a better backend was passed over, so the reader knows what to start.
    backend.fallback_reason = "; ".join(skipped) or None
    return backend
