"""Which sentences of a source's passage the answer used: quoted verbatim, or restated in overlapping words."""

from __future__ import annotations

import re

from batchrag.service.wording import citation_spans

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\s*\n\s*")  # a title line ends a "sentence" too
_QUOTE = re.compile(r"«([^»]+)»|“([^”]+)”|\"([^\"]+)\"")
_WORD = re.compile(r"\w+")
_CLAIM_START = re.compile(r".*(?:[.!?…](?=\s)|\n)", re.S)  # up to the last sentence end before a citation
MIN_QUOTE = 12  # shorter quoted pieces ("AI", a name) would light up every sentence that names it
MIN_SHARED = 3  # a restated claim shares at least this many words with the sentence …
SHARED_SHARE = 0.5  # … and at least half the words of the shorter of the two


def sentences(text: str) -> list[str]:
    """The passage's sentences, each on one line; joined by spaces they give the passage with its spaces tidied."""
    return [" ".join(s.split()) for s in _SENTENCE_END.split(text or "") if s.strip()]


def claims(answer: str, n: int) -> list[str]:
    """What the answer says before each of its [n] markers: the text back to its previous marker or sentence end
    (markers side by side, `… [1][2]`, share one claim)."""
    out: list[str] = []
    prev_end, prev_claim = 0, ""
    for start, end, nums in citation_spans(answer or ""):
        region = answer[prev_end:start]
        if region.strip(" ,;.") or not prev_claim:
            prev_claim = _claim_of(region)
        if n in nums:
            out.append(prev_claim)
        prev_end = end
    return out


def _claim_of(region: str) -> str:
    quotes = [m.start() for m in _QUOTE.finditer(region)]
    cut = region[:quotes[0]] if quotes else region  # a quote's own full stops are not the claim's start
    head = _CLAIM_START.match(cut)
    return region[head.end():] if head else region


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if len(w) >= 3 or w.isdigit()}


def used_sentences(passage: str, answer: str, n: int) -> set[int]:
    """Indexes into sentences(passage) of those the answer used for [n]: a quote of it that the passage holds
    marks each sentence it spans; a claim without a quote marks the sentences it shares most words with."""
    sents = sentences(passage)
    spans, pos = [], 0
    for s in sents:
        spans.append((pos, pos + len(s)))
        pos += len(s) + 1
    whole = " ".join(sents)
    used: set[int] = set()
    for claim in claims(answer, n):
        quoted = [" ".join(next(g for g in m.groups() if g).split()) for m in _QUOTE.finditer(claim)]
        for q in quoted:
            for piece in (p.strip(" .,;") for p in q.split("…")):
                at = whole.find(piece) if len(piece) >= MIN_QUOTE else -1
                if at >= 0:
                    used |= {i for i, (a, b) in enumerate(spans) if a < at + len(piece) and at < b}
        if not quoted:
            said = _words(claim)
            for i, s in enumerate(sents):
                shared = _words(s) & said
                if len(shared) >= MIN_SHARED and len(shared) >= SHARED_SHARE * min(len(_words(s)), len(said)):
                    used.add(i)
    return used

