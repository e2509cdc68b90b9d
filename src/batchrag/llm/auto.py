"""Every `auto` choice in one place: the answer backend, the rewriter's model and the captioner (docs/models.md).

Imports of the parts are lazy, as in the registries: choosing must not load a model nobody uses. The registries
hand themselves in (`registry`, `backends`), so this module never imports one: `llm/registry.py` imports it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from batchrag.settings import LLMSettings, Settings

if TYPE_CHECKING:
    from batchrag.llm.base import LLMBackend
    from batchrag.llm.captioners.base import Captioner
    from batchrag.registry import Registry


DEMO_ONLY = "only the packaged demo model, whose answers are not shown (`batchrag model pull` gets one that writes)"


def answer_backend(registry: Registry[LLMBackend], llm: LLMSettings, *, timeout_s: float | None = None,
                   model: str | None = None, **context) -> LLMBackend:
    """The first healthy of (openai, when configured) ollama and embedded that writes answers, else extractive
    (quotes, at once); says what it skipped.

    The packaged demo model is never chosen here: the gate rejects its every answer, so a reader would wait seconds
    for quotes (docs/decisions/0016); it answers when named (`BATCHRAG_LLM_BACKEND=embedded`) and in `batchrag demo`.
    `timeout_s` bounds a chat server's reply (the rewriter's time budget), instead of settings.llm.timeout_s; `model`
    is the reader's Ollama model (instead of settings.llm.ollama_model), for the ollama candidate; `context` (the
    models folder, how quotes are chosen) goes to every candidate that takes it."""
    skipped: list[str] = []
    for candidate in ("openai",) * bool(llm.openai_base_url) + ("ollama", "embedded"):
        chosen = {"model": model} if model and candidate == "ollama" else {}
        backend = registry.create(candidate, llm, timeout_s=timeout_s, **chosen, **context)
        status = backend.health()
        if status.ok and backend.writes_answers:
            break
        skipped.append(f"{candidate}: {status.detail if not status.ok else DEMO_ONLY}")
    else:
        backend = registry.create("extractive", llm, timeout_s=timeout_s, **context)
    backend.fallback_reason = "; ".join(skipped) or None
    return backend


def rewrite_backend(backends: Registry[LLMBackend], llm: LLMSettings, *, budget_s: float, models_dir: Path,
                    demo_ok: bool) -> tuple[LLMBackend | None, str]:
    """The model `auto` rewrites with: a small model already in Ollama; else a pulled rewriter GGUF (in
    `models_dir`); else the answer model, `backends`' own `auto` choice (docs/models.md), the packaged demo model
    only when `demo_ok`. Every server's reply is bounded by the rewriter's `budget_s`. (backend, "") or (None, why
    there is none)."""
    # Imported here: the parts load only when `auto` chooses (module docstring).
    from batchrag.llm.embedded import EmbeddedBackend
    from batchrag.llm.ollama import OllamaBackend
    from batchrag.models import local_models
    from batchrag.models.presets import SMALL_OLLAMA_REWRITERS

    ollama = OllamaBackend(llm, timeout_s=budget_s)
    pulled = ollama.pulled()
    for tag in SMALL_OLLAMA_REWRITERS:
        if ollama.has(tag, pulled):
            # The HTTP timeout doubles as the budget so a hung server is dropped, not just abandoned.
            return OllamaBackend(llm, timeout_s=budget_s, model=tag), ""
    gguf = local_models.for_role(models_dir, "rewrite")
    if gguf is not None:
        return EmbeddedBackend(llm, path=Path(str(gguf)).expanduser()), ""
    return _answer_model_for_rewrite(backends, llm, budget_s=budget_s, models_dir=models_dir, demo_ok=demo_ok)


def _answer_model_for_rewrite(backends: Registry[LLMBackend], llm: LLMSettings, *, budget_s: float,
                              models_dir: Path, demo_ok: bool) -> tuple[LLMBackend | None, str]:
    """The LLM backends' own `auto` choice, less the quote-only fallback (and the demo model unless demo_ok)."""
    backend = backends.create("auto", llm, timeout_s=budget_s, models_dir=models_dir)
    if backend.quotes_only and demo_ok:  # `auto` passes the demo model over; rewrite=on still asks it
        demo = backends.create("embedded", llm, timeout_s=budget_s, models_dir=models_dir)
        backend = demo if demo.health().ok else backend
    if backend.quotes_only or (not backend.writes_answers and not demo_ok):
        # The packaged 270M model's translations lower recall (docs/decisions/0003-english-rewrite-weights.md).
        return None, "no rewriting model (Ollama down, only the demo model)"
    return backend, ""


def captioner(registry: Registry[Captioner], settings: Settings) -> Captioner:
    """settings.captions.model when set; else the first vision model already pulled in Ollama; else none."""
    # Imported here: the parts load only when `auto` chooses (module docstring).
    from batchrag.llm.captioners.base import NO_VISION, NoCaptioner
    from batchrag.llm.captioners.ollama_vision import OllamaCaptioner
    from batchrag.llm.ollama import OLLAMA_VISION, OllamaBackend

    chosen = settings.captions.model.strip()
    if chosen == "none":
        return NoCaptioner("captions are off (BATCHRAG_CAPTION_MODEL=none)")
    if chosen not in ("", "auto"):
        return registry.create(chosen, settings)
    ollama = OllamaBackend(settings.llm)
    pulled = ollama.pulled()
    for tag in OLLAMA_VISION:
        if ollama.has(tag, pulled):
            return OllamaCaptioner(settings, tag)
    return NoCaptioner(NO_VISION)
