"""Models `batchrag model pull` knows by name: where each lives on the Hugging Face Hub and in Ollama's library."""

from __future__ import annotations

import re
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
    """A model name that is neither a preset, nor hf:<owner>/<repo>/<file.gguf>, nor an Ollama tag."""


# The hub's own rule for owner and repo names (huggingface_hub validate_repo_id): letters, digits, . _ -, starting
# and ending with a letter or digit, so never "." or "..". A file's path segments follow the same characters and may
# not start with "." (no "..", no hidden files); the hub keeps files in subfolders (quantisations split by folder),
# so a file may be <subdir…>/<file>.gguf. Anything else (backslash, %, NUL, a space, an empty segment) is refused
# before it can become a path under data/models.
_HUB_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?")
_FILE_SEGMENT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}")
# Ollama's [host/][namespace/]model[:tag]: the name is sent to Ollama's API, never used as a path here.
_OLLAMA_TAG = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}(?:/[A-Za-z0-9][A-Za-z0-9._-]{0,99}){0,2}(?::[A-Za-z0-9_][A-Za-z0-9._-]{0,99})?"
)
MAX_NAME = 300
HUB_FORM = "hf:<owner>/<repo>/<file.gguf>"


def _shown(name: str) -> str:
    """The name as a one-line message may show it: control characters escaped, long names cut."""
    text = ascii(name) if not name.isprintable() else repr(name)
    return text if len(text) <= 80 else text[:77] + "…"


def parse_hub(name: str) -> tuple[str, str]:
    """(repo, file) of `hf:<owner>/<repo>/<file>.gguf` or `hf:<owner>/<repo>/<subdir…>/<file>.gguf`; UnknownModel
    for anything else: no "..", no absolute or empty part, no backslash, no control characters."""
    bad = UnknownModel(f"not a hub file: {_shown(name)}; write {HUB_FORM}")
    if not name.startswith("hf:") or len(name) > MAX_NAME:
        raise bad
    parts = name[3:].split("/")
    if len(parts) < 3 or not parts[-1].endswith(".gguf") or len(parts[-1]) == len(".gguf"):
        raise bad
    owner, repo, *path = parts
    if not (_HUB_NAME.fullmatch(owner) and _HUB_NAME.fullmatch(repo)) or "--" in owner + repo or ".." in owner + repo:
        raise bad
    if not all(_FILE_SEGMENT.fullmatch(seg) for seg in path):
        raise bad
    return f"{owner}/{repo}", "/".join(path)


def check_name(name: str) -> str:
    """`name` when it is a preset, a hub file (parse_hub) or an Ollama tag; else UnknownModel, one line. The one
    check of a model name a request or the command line gives, before anything is pulled."""
    if name in PRESETS:
        return name
    if name.startswith("hf:"):
        parse_hub(name)
        return name
    if len(name) <= MAX_NAME and _OLLAMA_TAG.fullmatch(name):
        return name
    raise UnknownModel(
        f"bad model name {_shown(name)}: a preset ({', '.join(PRESETS)}), an Ollama tag or {HUB_FORM}"
    )


def resolve(name: str, role: Role = "answer") -> Preset:
    """A preset by name, or `hf:<owner>/<repo>/<file.gguf>` (any GGUF on the hub, for the given role)."""
    if name in PRESETS:
        return PRESETS[name]
    if name.startswith("hf:"):
        repo, filename = parse_hub(name)
        return Preset(name, role, filename, repo, filename, 0.0)
    raise UnknownModel(f"unknown model {_shown(name)}; use one of {', '.join(PRESETS)} or {HUB_FORM}")
