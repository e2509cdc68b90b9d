"""Getting a capable model to the reader: `batchrag model pull` and the app's download button."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from batchrag.domain.types import JsonMixin
from batchrag.models import hub, local_models
from batchrag.models.ollama_pull import has_model, host_of, pulled_models
from batchrag.models.ollama_pull import pull as ollama_pull
from batchrag.models.presets import DEFAULT_ANSWER, DEFAULT_REWRITE, PRESETS, Preset, check_name, resolve
from batchrag.settings import Settings

Via = Literal["auto", "ollama", "hub"]
Progress = Callable[[str, int, int], None]  # (what is happening, bytes done, bytes in all: 0 when unknown)


@dataclass
class PullResult(JsonMixin):
    """What a pull fetched, through which way, and whether the reader must do anything for it to be used."""

    name: str
    role: str
    via: str  # ollama | hub
    model: str  # the Ollama tag, or the GGUF's file name
    path: str  # the GGUF on disk ("" for Ollama, which keeps its own)
    size: int
    sha256: str
    seconds: float
    hint: str  # "" when the next answer (or rewrite) already uses it


@dataclass
class Offer(JsonMixin):
    """One button of the app's "no model" banner: a preset and the way it would arrive."""

    name: str
    role: str
    title: str
    via: str
    size_label: str
    note: str


def ollama_pulled(settings: Settings) -> set[str] | None:
    """Models the configured Ollama has, or None when no Ollama answers."""
    return pulled_models(host_of(settings.llm), min(3.0, settings.llm.timeout_s))


def _via(settings: Settings, via: Via, preset: Preset | None) -> str:
    if via != "auto":
        return via
    if ollama_pulled(settings) is not None and (preset is None or preset.ollama):
        return "ollama"
    return "hub"


def _preset_of(name: str | None) -> Preset | None:
    """The preset `name` means: its own name, hf:<repo>/<file>, or a preset's Ollama tag; None for another tag."""
    if name is None:
        return None
    if name in PRESETS or name.startswith("hf:"):
        return resolve(name)
    return next((p for p in PRESETS.values() if p.ollama == name), None)


def pull_model(
    settings: Settings, name: str | None = None, *, via: Via = "auto", progress: Progress | None = None
) -> PullResult:
    """Pull `name` (a preset, hf:<repo>/<file>, or with Ollama any tag); no name: the configured Ollama model
    when Ollama runs, else the default answer preset's GGUF."""
    t0 = time.monotonic()
    if name is not None:
        check_name(name)  # a hostile name (hf:a/b/../../x.gguf) stops here, one line, before any request
    preset = _preset_of(name)
    way = _via(settings, via, preset)
    if way == "ollama" and not (preset is None or preset.ollama):
        way = "hub"  # a GGUF of the hub's with no Ollama tag
    if way == "ollama":
        tag = name if preset is None or name == preset.ollama else preset.ollama
        tag = tag or settings.llm.ollama_model
        ollama_pull(host_of(settings.llm), tag, progress)
        role = preset.role if preset else "answer"
        hint = ""
        if role == "answer" and tag != settings.llm.ollama_model:
            hint = f"set BATCHRAG_OLLAMA_MODEL={tag} for it to answer"
        return PullResult(
            preset.name if preset else tag,
            role,
            "ollama",
            tag,
            "",
            0,
            "",
            round(time.monotonic() - t0, 1),
            hint,
        )
    if preset is None:
        preset = (
            PRESETS[DEFAULT_ANSWER] if name is None else resolve(name)
        )  # resolve: UnknownModel, with choices
    report = (lambda done, total: progress("downloading", done, total)) if progress else None
    model = hub.download(preset, settings.models, settings.http, settings.store, report)
    local_models.record(settings.store.models_dir, model)
    hint = ""
    if preset.role == "answer" and settings.llm.gguf_path:
        hint = f"BATCHRAG_GGUF_PATH={settings.llm.gguf_path} wins over it: unset it for this model to answer"
    return PullResult(
        preset.name,
        preset.role,
        "hub",
        model.file,
        str(model.path(settings.store.models_dir)),
        model.size,
        model.sha256,
        round(time.monotonic() - t0, 1),
        hint,
    )


def offers(settings: Settings) -> list[Offer]:
    """What the banner offers when no capable model answers: the small rewriter first (the best value per
    gigabyte), then an answer model: the configured Ollama model when Ollama runs, else the laptop GGUF."""
    pulled = ollama_pulled(settings)
    rewriter = PRESETS[DEFAULT_REWRITE]
    out = []
    if pulled is not None:
        if not has_model(rewriter.ollama, pulled):
            out.append(
                Offer(
                    rewriter.ollama, "rewrite", rewriter.title, "ollama", rewriter.size_label, rewriter.note
                )
            )
        if not has_model(settings.llm.ollama_model, pulled):
            known = next((p for p in PRESETS.values() if p.ollama == settings.llm.ollama_model), None)
            size = known.size_label if known else ""
            out.append(
                Offer(settings.llm.ollama_model, "answer", settings.llm.ollama_model, "ollama", size, "answers")
            )
        return out
    have = local_models.load(settings.store.models_dir)
    for p in (rewriter, PRESETS[DEFAULT_ANSWER]):
        if p.role not in have:
            out.append(Offer(p.name, p.role, p.title, "hub", p.size_label, p.note))
    return out


def presets() -> list[Preset]:
    return list(PRESETS.values())
