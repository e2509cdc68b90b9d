"""What a reader is told about how close a source is to the question: three words, not a fused rank score.

docs/decisions/0012-readable-relevance.md: the best passage's dense similarity to the question as asked
(`Hit.scores["dense"]`), cut per text embedder at `Settings.relevance_levels`; nothing where there is no such number
(a BM25-only search, an embedder whose scale was not measured).
"""

from __future__ import annotations

from batchrag.settings import Settings

HIGH, MID, LOW = "дуже схоже", "схоже", "частково"
NOTE = "схожість із запитанням: {}"


def relevance_label(similarity: float | None, settings: Settings) -> str:
    """«дуже схоже», «схоже» or «частково» for a passage's dense similarity; "" when there is nothing to say."""
    levels = settings.answer.relevance_levels.get(settings.index.embedder)
    if similarity is None or not levels:
        return ""
    mid, high = levels
    return HIGH if similarity >= high else MID if similarity >= mid else LOW


def relevance_note(scores: dict[str, float], settings: Settings) -> str:
    """The line a source card or the CLI shows for a hit's per-signal scores (`Hit.scores`), or ""."""
    label = relevance_label(scores.get("dense"), settings)
    return NOTE.format(label) if label else ""
