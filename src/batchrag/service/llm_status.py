"""Live status of each local LLM backend, for the app's panel (and `batchrag` status lines)."""

from __future__ import annotations

from dataclasses import dataclass

from batchrag.llm.base import BACKENDS
from batchrag.settings import Settings


@dataclass
class BackendLine:
    """One line of the LLM status panel."""

    name: str
    ok: bool
    detail: str


def llm_status(settings: Settings) -> list[BackendLine]:
    """Each backend's health: Ollama reachable and model pulled? embedded model present, loaded?"""
    lines: list[BackendLine] = []
    for name in BACKENDS.names():
        if name in ("auto", "extractive"):
            continue
        try:
            backend = BACKENDS.create(name, settings)
            h = backend.health()
            detail = h.detail
            if name == "embedded" and h.ok:
                detail = f"{backend.model}; " + ("завантажена в пам'ять" if embedded_loaded() else "ще не завантажена")
            lines.append(BackendLine(name, h.ok, detail))
        except Exception as exc:  # a plugin that cannot even be built is a status, not a crash
            lines.append(BackendLine(name, False, str(exc)))
    lines.append(BackendLine("extractive", True, "без моделі: цитує знайдені уривки"))
    return lines


def embedded_loaded() -> bool:
    """Whether the embedded model is already in memory (the first answer then starts without a load)."""
    from batchrag.llm import embedded

    info = getattr(getattr(embedded, "_load", None), "cache_info", None)
    return bool(info and info().currsize)
