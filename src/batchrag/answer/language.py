"""Language check of answers: Cyrillic share plus Ukrainian-only letters (і ї є ґ) vs Russian-only (ы э ё ъ)."""

from __future__ import annotations

import re

_CITE_OR_URL = re.compile(r"\[[\d,\s]+\]|https?://\S+")
# A Latin-script token that starts with a capital or holds a digit is a name (QwQ-32B, o1-mini, Gemini, GPT-4o):
# it says nothing about the language the answer is written in (the gate reads names the same way): _is_name.
_UK_ONLY = set("іїєґІЇЄҐ")
_RU_ONLY = set("ыэёъЫЭЁЪ")
_CYR_WORD = re.compile(r"[а-яґєії'’]+")
_UK_WORDS = {"що", "як", "але", "від", "із", "зі", "він", "вона", "вони", "його", "був", "була", "були", "який",
             "яка", "які", "також", "тільки", "лише", "або", "проти", "між", "та", "й", "щодо", "після", "коли",
             "тому", "цей", "ця", "це", "ці", "мав", "мала", "має", "мають", "до", "про", "ніж", "свій", "своїх"}
_RU_WORDS = {"что", "как", "но", "от", "из", "он", "она", "они", "его", "был", "была", "были", "который",
             "которая", "которые", "также", "только", "или", "против", "между", "и", "после", "когда", "поэтому",
             "этот", "эта", "это", "эти", "имел", "имела", "имеет", "имеют", "к", "о", "чем", "свой"}


def detect_language(text: str) -> str:
    """'uk', 'ru', 'en', 'other' or 'unknown' (too little text)."""
    text = _CITE_OR_URL.sub(" ", text)
    text = " ".join(t for t in text.split() if not _is_name(t))
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 8:
        return "unknown"
    cyr = sum("\u0400" <= c <= "\u04ff" for c in letters)
    latin = sum(c.isascii() for c in letters)
    if cyr / len(letters) >= 0.4:
        uk = sum(c in _UK_ONLY for c in letters)
        ru = sum(c in _RU_ONLY for c in letters)
        if ru > uk:
            return "ru"
        if uk or cyr < 40:
            return "uk"
        # A long Cyrillic text with neither alphabet's own letters: its function words decide.
        words = set(_CYR_WORD.findall(text.lower()))
        return "uk" if len(words & _UK_WORDS) > len(words & _RU_WORDS) else "ru"
    if latin / len(letters) >= 0.6:
        return "en"
    return "other"


def _is_name(token: str) -> bool:
    core = token.strip("()[]{}«»\"'“”,.;:!?—–")
    return bool(core) and not any("\u0400" <= c <= "\u04ff" for c in core) and (
        core[0].isupper() or any(c.isdigit() for c in core)
    )


def is_ukrainian(text: str) -> bool:
    return detect_language(text) in ("uk", "unknown")
