"""Models `batchrag model pull` knows by name: where each lives on the Hugging Face Hub and in Ollama's library."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from batchrag.domain.errors import BatchragError

Role = Literal["answer", "rewrite"]


@dataclass(frozen=True)
class Preset:
    """One downloadable model: a GGUF on the hub (repo + file) and the same model's Ollama tag."""

    name: str
    role: Role  # answer: writes the Ukrainian answers; rewrite: only the question's English search query
    title: str
    repo: str
    filename: str
    size_gb: float  # as the hub lists it; the download checks the hub's exact size and sha256
    ollama: str = ""  # the tag `ollama pull` knows, "" when it has none
    note: str = ""

    @property
    def size_label(self) -> str:
        return f"{self.size_gb:.1f} GB"


# Sizes and files as listed on the hub (docs/models.md says why these three).
PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "qwen2.5-1.5b",
            "rewrite",
            "Qwen2.5 1.5B Instruct",
            "Qwen/Qwen2.5-1.5B-Instruct-GGUF",
            "qwen2.5-1.5b-instruct-q4_k_m.gguf",
            1.1,
            "qwen2.5:1.5b",
            "the small rewriter: English search queries in 1–2 s on 2 CPU cores; too weak to write answers",
        ),
        Preset(
            "gemma-3-4b",
            "answer",
            "Gemma 3 4B Instruct",
            "bartowski/google_gemma-3-4b-it-GGUF",
            "google_gemma-3-4b-it-Q4_K_M.gguf",
            2.5,
            "gemma3:4b",
            "a multilingual answer model for laptops",
        ),
        Preset(
            "llama-3.1-8b",
            "answer",
            "Llama 3.1 8B Instruct",
            "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF",
            "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf",
            4.9,
            "llama3.1:8b",
            "the reference design's answer model, without Ollama",
        ),
    )
}
# Small general instruct models a reader may already have in Ollama, best first: `auto` rewrites with the first.
SMALL_OLLAMA_REWRITERS = ("qwen2.5:1.5b", "qwen2.5:3b", "gemma3:1b", "llama3.2:3b", "llama3.2:1b")
DEFAULT_ANSWER = "gemma-3-4b"
DEFAULT_REWRITE = "qwen2.5-1.5b"


class UnknownModel(BatchragError):
    """A model name that is neither a preset nor hf:<owner>/<repo>/<file.gguf>."""


def resolve(name: str, role: Role = "answer") -> Preset:
    """A preset by name, or `hf:<owner>/<repo>/<file.gguf>` (any GGUF on the hub, for the given role)."""
    if name in PRESETS:
        return PRESETS[name]
    if name.startswith("hf:"):
        parts = name[3:].split("/")
        if len(parts) >= 3 and all(parts) and parts[-1].endswith(".gguf"):
            repo, filename = "/".join(parts[:2]), "/".join(parts[2:])
            return Preset(name, role, filename, repo, filename, 0.0)
        raise UnknownModel(f"not a hub file: {name!r}; write hf:<owner>/<repo>/<file.gguf>")
    raise UnknownModel(
        f"unknown model {name!r}; use one of {', '.join(PRESETS)} or hf:<owner>/<repo>/<file.gguf>"
    )
