"""Live status of each local LLM backend, for the app's panel (and `batchrag` status lines)."""

from __future__ import annotations

from dataclasses import dataclass

from batchrag.domain.types import JsonMixin
from batchrag.llm.base import LLMBackend
from batchrag.llm.registry import BACKENDS, create_backend
from batchrag.models.presets import DEFAULT_ANSWER, PRESETS
from batchrag.settings import Settings


@dataclass
class BackendLine(JsonMixin):
    """One line of the LLM status panel."""

    name: str
    ok: bool
    detail: str


def llm_status(settings: Settings) -> list[BackendLine]:
    """Each backend's health: Ollama reachable and model pulled? embedded model present, loaded?"""
    return [line for _, line in _checked(settings)] + [QUOTES_LINE]


QUOTES_LINE = BackendLine("extractive", True, "без моделі: цитує знайдені уривки")  # it always works


def _checked(settings: Settings, model: str | None = None) -> list[tuple[LLMBackend | None, BackendLine]]:
    """Each backend that needs a model (None: a plugin that cannot be built) with its status line; `model`: the
    reader's Ollama model."""
    lines: list[tuple[LLMBackend | None, BackendLine]] = []
    for name in BACKENDS.names():
        if name == "auto":  # the chooser, not a backend of its own
            continue
        try:
            backend = create_backend(name, settings, **({"model": model} if model and name == "ollama" else {}))
            if backend.quotes_only:  # it always works: QUOTES_LINE closes the panel
                continue
            h = backend.health()
            detail = h.detail
            if backend.in_process and h.ok:
                detail = f"{backend.model}; " + ("завантажена в пам'ять" if backend.is_loaded() else "ще не завантажена")
            lines.append((backend, BackendLine(name, h.ok, detail)))
        except Exception as exc:  # a plugin that cannot even be built is a status, not a crash
            lines.append((None, BackendLine(name, False, str(exc))))
    return lines


@dataclass
class ModelStatus(JsonMixin):
    """Which backend and model will answer, whether it is capable of real answers, and what to do if not."""

    backend: str
    model: str
    capable: bool
    why: str  # what `auto` passed over, or that the backend was chosen by name
    hint: str  # the one thing to do for real answers ("" when capable)
    backends: list[BackendLine]
    quotes_only: bool = False  # no model at all answers (not even the demo model): the quotes do


NO_CAPABLE_MODEL = (
    "no capable answer model: run `batchrag model pull` ({how}), or set BATCHRAG_GGUF_PATH to a GGUF, or "
    "BATCHRAG_OPENAI_BASE_URL to an OpenAI-compatible server"
)


def pull_hint(settings: Settings, ollama_up: bool, model: str | None = None) -> str:
    """The one command that gets a capable model, worded for what this machine has (`model`: the reader's)."""
    if ollama_up:
        how = f"Ollama pulls {model or settings.llm.ollama_model}"
    else:
        p = PRESETS[DEFAULT_ANSWER]
        how = f"the {p.name} GGUF, {p.size_label}, from the Hugging Face Hub"
    return NO_CAPABLE_MODEL.format(how=how)


def quotes_chosen(settings: Settings, backend: str | None = None) -> bool:
    """Whether the reader (`backend`, else the settings) chose the quote-only backend by name (`auto` falling back
    to quotes is no choice)."""
    name = backend or settings.llm.backend
    if name == "auto":
        return False
    try:
        return create_backend(name, settings).quotes_only
    except Exception:  # a name no backend answers to: it is not the quotes either
        return False


def model_status(settings: Settings, backend: str | None = None, model: str | None = None) -> ModelStatus:
    """The backend a reader's choice (`backend` with the Ollama `model`; else the settings') resolves to now; the
    demo model and quotes are not capable of answers."""
    name = backend or settings.llm.backend
    backend = create_backend(name, settings, **({"model": model} if model and name in ("ollama", "auto") else {}))
    capable = backend.writes_answers
    why = backend.fallback_reason or ("chosen by name" if name != "auto" else "the first that answers")
    checked = _checked(settings, model)
    # A server that pulls models answers (its model may be missing): then `ollama pull` is the way to a model.
    puller_up = any(b is not None and b.pulls_models and (line.ok or "not pulled" in line.detail) for b, line in checked)
    hint = "" if capable else pull_hint(settings, puller_up, model)
    lines = [line for _, line in checked] + [QUOTES_LINE]
    return ModelStatus(backend.name, backend.model, capable, why, hint, lines, backend.quotes_only)
