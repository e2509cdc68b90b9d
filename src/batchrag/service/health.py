"""Whether the store, the index and the answering LLM work right now: the API's /health, any front end's check."""

from __future__ import annotations

from dataclasses import dataclass

from batchrag.domain.types import JsonMixin
from batchrag.llm.registry import create_backend
from batchrag.service.library import Library


@dataclass
class Part(JsonMixin):
    """One part's state: ok, missing (not built yet) or error, with a one-line detail."""

    state: str
    detail: str


@dataclass
class Health(JsonMixin):
    store: Part
    index: Part
    llm: Part

    @property
    def ok(self) -> bool:
        # The extractive fallback always answers, so the LLM never makes the library unhealthy; a missing index does.
        return self.store.state == "ok" and self.index.state == "ok"


def check_health(library: Library, backend=None) -> Health:
    """Each part checked on its own, so one broken part never hides the state of the others."""
    try:
        st = library.stats()
        store = Part("ok", f"{st.get('articles') or 0} articles")
    except Exception as exc:  # a health check reports, it never raises
        store = Part("error", str(exc).splitlines()[0])
    try:
        idx = library.index_stats()
        index = Part("missing", "no index yet: batchrag index") if idx is None else Part(
            "ok", f"{idx['passages']} passages, {idx['images']} pictures ({idx['embedder']})")
    except Exception as exc:
        index = Part("error", str(exc).splitlines()[0])
    try:
        if backend is None:
            backend = create_backend(library.settings.llm.backend, library.settings)
        h = backend.health()
        llm = Part("ok" if h.ok else "error", f"{backend.name} ({backend.model}): {h.detail}")
    except Exception as exc:
        llm = Part("error", str(exc).splitlines()[0])
    return Health(store, index, llm)
