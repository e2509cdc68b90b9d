"""The gate a model's answer passes before it is shown as the model's: no loop, nothing invented, Ukrainian, cited."""

from __future__ import annotations

import re
from collections import Counter

from batchrag.answer.citations import filter_citations
from batchrag.llm.prompts import NOT_FOUND_UK

_URL = re.compile(r"(?:https?://|www\.)[^\s)\]>«»\"']+", re.I)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
MIN_UK_SHARE = 0.5  # of the answer's words, names in Latin script (capitalised: Zentrix, GPT, AI) aside
LOOP_LINE_REPEATS = 3  # the same line (of 12+ characters) this often is a loop, not an answer
LOOP_PHRASE_REPEATS = 4  # the same 6 words this often, likewise
_PHRASE = 6


def is_refusal(text: str) -> bool:
    """The prompt's own «not in the sources» sentence: a real answer that needs no citation."""
    return NOT_FOUND_UK.rstrip(".").lower() in text.lower()


def _looping(text: str) -> bool:
    lines = [ln.strip().lower() for ln in text.splitlines() if len(ln.strip()) >= 12]
    if lines and Counter(lines).most_common(1)[0][1] >= LOOP_LINE_REPEATS:
        return True
    words = [w.lower() for w in _WORD.findall(text)]
    grams = Counter(tuple(words[i : i + _PHRASE]) for i in range(len(words) - _PHRASE + 1))
    return bool(grams) and grams.most_common(1)[0][1] >= LOOP_PHRASE_REPEATS


def ukrainian_share(text: str) -> float | None:
    """Share of Cyrillic words among the answer's words, Latin-script names aside; None when only names remain."""
    words = [w for w in _WORD.findall(_URL.sub(" ", text)) if _CYRILLIC.search(w) or not w[0].isupper()]
    if not words:
        return None
    return sum(bool(_CYRILLIC.search(w)) for w in words) / len(words)


def gate(text: str, n_sources: int, sources: str, *, need_citation: bool = True) -> list[str]:
    """Why `text` cannot be shown as the model's answer over `n_sources` sources (whose text is `sources`); [] passes.

    A summary of one story (the digest) cites nothing: `need_citation=False` keeps every other check."""
    reasons: list[str] = []
    if not text.strip():
        return ["the answer is empty"]
    if _looping(text):
        reasons.append("it repeats itself in a loop")
    invented = {u.rstrip(".,;:") for u in _URL.findall(text)} - {u.rstrip(".,;:") for u in _URL.findall(sources)}
    if invented:
        reasons.append(f"it gives {len(invented)} web address(es) found in no source")
    share = ukrainian_share(text)
    if share is not None and share < MIN_UK_SHARE:
        reasons.append("too little of it is in Ukrainian")
    if need_citation and not is_refusal(text) and not filter_citations(text, n_sources)[1]:
        reasons.append("it cites no source")
    return reasons
