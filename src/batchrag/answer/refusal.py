"""The not-in-the-archive answer: the refusal sentence first, then the closest stories, each with its [n]."""

from __future__ import annotations

from batchrag.answer.gate import is_refusal
from batchrag.domain.types import Hit
from batchrag.llm.prompts import CLOSEST_UK, NOT_FOUND_UK
from batchrag.settings import Settings

CLOSEST_SHOWN = 3  # stories listed under a refusal


def best_dense(hits: list[Hit]) -> float | None:
    """The best passage's dense similarity to the question as asked (None when no dense signal ran)."""
    scores = [h.scores["dense"] for h in hits if "dense" in h.scores]
    return max(scores, default=None)


def below_floor(hits: list[Hit], settings: Settings) -> bool:
    """True when even the best passage is too far from the question for the archive to answer it.

    The floor is per text embedder (similarity scales differ); an embedder without one never refuses here.
    """
    floor = settings.answer.refusal_floor.get(settings.index.embedder)
    best = best_dense(hits)
    return floor is not None and best is not None and best < floor


def _story(n: int, h: Hit) -> str:
    meta = ", ".join(x for x in (f"випуск {h.issue}" if h.issue is not None else "",
                                  h.date.strftime("%d.%m.%Y") if h.date else "") if x)
    return f"— [{n}] {h.title}" + (f" ({meta})" if meta else "")


def refusal(hits: list[Hit], remainder: str = "") -> str:
    """NOT_FOUND_UK, then what else the model said (if anything), then the closest stories."""
    parts = [NOT_FOUND_UK]
    if remainder.strip():
        parts.append(remainder.strip())
    if hits:
        parts.append(CLOSEST_UK + "\n" + "\n".join(_story(n, h) for n, h in enumerate(hits[:CLOSEST_SHOWN], 1)))
    return "\n\n".join(parts)


def put_refusal_first(text: str, hits: list[Hit]) -> str:
    """A model's refusal as the reader gets it: the refusal sentence first, the closest stories last."""
    if not is_refusal(text) or CLOSEST_UK in text:
        return text
    key = NOT_FOUND_UK.rstrip(".")
    i = text.lower().find(key.lower())
    rest = (text[:i] + text[i + len(key) :]).strip(" \n.«»\"")
    return refusal(hits, rest if len(rest.split()) >= 4 else "")  # "На жаль," alone adds nothing
