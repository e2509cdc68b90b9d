"""No-LLM fallback: quotes the sentences of the top sources that best overlap the question, each with its [n]."""

from __future__ import annotations

import re
from collections.abc import Iterator

from batchrag.domain.types import Message
from batchrag.llm.base import LLMBackend
from batchrag.settings import Settings

QUOTES_HEAD = "Дослівні цитати з найближчих джерел (мовою оригіналу), без мовної моделі:"
# Shown instead of a model's answer that failed the gate (answer/gate.py): honest about why there is no answer.
GATED_HEAD = ("Мовна модель не дала відповіді, яку можна показати (причина — у примітках нижче). "
              "Ось що кажуть знайдені джерела, дослівно (мовою оригіналу):")
_SOURCE_RE = re.compile(r"<<<ДЖЕРЕЛО (\d+)>>>(?: \(назва: ([^;\n]*?)[;)][^\n]*)?\n(.*?)\n<<<КІНЕЦЬ ДЖЕРЕЛА \1>>>", re.S)
_QUESTION_RE = re.compile(r"Питання: (.*?)\n\n", re.S)
_WORD_RE = re.compile(r"\w+", re.U)
_SENT_RE = re.compile(r"(?<=[.!?])\s+(?=[A-ZА-ЯІЇЄҐ0-9\"“‘(])")


def _stems(text: str) -> set[str]:
    # A 5-letter prefix matches inflected forms; names and numbers are what a Ukrainian question shares with English.
    return {w.lower()[:5] for w in _WORD_RE.findall(text) if len(w) > 2 or w.isdigit()}


def split_sentences(text: str, title: str = "") -> list[str]:
    out: list[str] = []
    for para in text.split("\n"):
        if title and para.strip().endswith(title.strip()):
            continue  # passages repeat their article's title as a first line; it is no answer
        out += [s.strip() for s in _SENT_RE.split(para.strip()) if len(s.strip()) > 25]
    return out


def extract_answer(
    question: str, sources: list[tuple[int, str]], *, titles: dict[int, str] | None = None, per_source: int = 1,
    max_sources: int = 3,
) -> str:
    """Best sentences of the first sources, quoted verbatim (original language) and cited."""
    q = _stems(question)
    lines = []
    for n, text in sources[:max_sources]:
        sents = split_sentences(text, (titles or {}).get(n, ""))
        if not sents:
            continue
        ranked = sorted(sents, key=lambda s: (-len(q & _stems(s)), sents.index(s)))
        for s in ranked[:per_source]:
            lines.append(f"— «{s}» [{n}]")
    if not lines:
        return "У джерелах немає відповіді на це питання."
    return QUOTES_HEAD + "\n\n" + "\n".join(lines)


class ExtractiveBackend(LLMBackend):
    name = "extractive"
    model = "quotes"
    quotes_only = True
    writes_answers = False

    def __init__(self, settings: Settings | None = None, *, timeout_s: float | None = None) -> None:
        pass  # nothing to load or wait for: the quotes come from the sources

    def stream(self, messages, *, max_tokens=512, temperature=0.2, stop=None) -> Iterator[str]:
        user = next((m.content for m in reversed(messages) if m.role == "user"), "")
        found = _SOURCE_RE.findall(user)
        sources = [(int(n), text.replace("‹‹‹", "<<<").replace("›››", ">>>")) for n, _, text in found]
        titles = {int(n): t for n, t, _ in found}
        m = _QUESTION_RE.search(user)
        yield extract_answer(m.group(1) if m else user, sources, titles=titles)


__all__ = ["ExtractiveBackend", "Message", "extract_answer", "split_sentences"]
