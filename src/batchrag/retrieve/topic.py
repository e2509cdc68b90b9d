"""A topic's stories across the whole archive: dense scores over every passage, cut by names and a score floor."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import SequenceMatcher

import numpy as np

from batchrag.retrieve.bridge import CASE_ENDINGS
from batchrag.retrieve.snapshot import Snapshot
from batchrag.retrieve.topic_terms import Grams
from batchrag.retrieve.understand import abbreviation, spellings

# A Latin-script name token: ChatGPT, GPT-4, DALL·E, EU, Llama, 3 (after a name).
_LATIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9·.+\-']*")
_TOKEN = re.compile(r"[^\W_][\w·.+\-']*")
_CYR = re.compile(r"[\u0400-\u04FF]")
_COMPOUND = re.compile(r"(?<=[\u0400-\u04FF])-(?=[\u0400-\u04FF])")
STOPWORDS = {
    "в", "у", "про", "і", "й", "та", "від", "для", "з", "із", "зі", "на", "до", "щодо", "як", "що", "of", "the", "in",
    "on", "and", "for", "a", "an", "to", "about", "by", "with",
}
TIGHT_FLOOR = 0.03  # no name at all: within this cosine of the best story
WORDS_FLOOR = 0.06  # a name's words, not the name itself: within this cosine of the best story
NAME_FLOOR = 0.08  # the topic's names and more words: within this cosine of the best story that names them
NAME_SHARE = 0.1  # a name more than this share of the stories use narrows nothing (U.S., AI): it is read as a word
FEEDBACK_TOP = 10  # stories a Cyrillic-spelt name is looked for in
FEEDBACK_SHARE = 0.5  # it is in at least this share of them …
FEEDBACK_LIFT = 1.5  # … this many times more common there than in the stories it would narrow …
COGNATE = 0.75  # … and its letters match a Cyrillic word of the topic transliterated (автопілот ~ Autopilot)
_TRANSLIT = dict(zip("абвгґдезийіклмнопрстуфхцчшщьюяєї'’", [
    "a", "b", "v", "h", "g", "d", "e", "z", "y", "i", "i", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u", "f",
    "kh", "ts", "ch", "sh", "shch", "", "yu", "ya", "ye", "yi", "", ""], strict=True))


@dataclass
class TopicMatch:
    """What the cut-off kept: article ids with their dense score, and how it decided."""

    scores: dict[int, float]  # article -> best passage cosine to the topic (or its English rewrite)
    names: list[str] = field(default_factory=list)  # names the stories must contain (all of them)
    discovered: list[str] = field(default_factory=list)  # of which found in the best stories, not in the topic
    rule: str = ""  # phrase | names+floor | terms | floor
    terms: list[str] = field(default_factory=list)  # a nameless topic's English terms, one of which each story uses


def is_name(token: str) -> bool:
    """A Latin-script word written as a name: capitalised, with a capital inside, or a number (GPT-4, EU, 3)."""
    return bool(_LATIN.fullmatch(token)) and (token[0].isupper() or any(c.isdigit() for c in token)
                                              or any(c.isupper() for c in token[1:]))


def topic_names(topic: str) -> tuple[list[str], bool]:
    """The topic's Latin-script names (runs of name words; a Ukrainian abbreviation of a name is that name: ЄС is
    EU) and whether they are all it says (stopwords aside)."""
    names: list[str] = []
    run: list[str] = []
    other = False
    for tok in _TOKEN.findall(topic):
        if is_name(tok):
            run.append(tok)
            continue
        if run:
            names.append(" ".join(run))
            run = []
        if (name := abbreviation(tok)) is not None:
            names.append(name)
        elif tok.lower() not in STOPWORDS:
            other = True
    if run:
        names.append(" ".join(run))
    return names, bool(names) and not other


def name_pattern(name: str) -> re.Pattern:
    """The name as written (case-sensitive), words joined by space, hyphen or a possessive ('s); a name an
    abbreviation stands for, in any of its spellings (EU or European Union)."""
    return re.compile("|".join(f"(?:{_spelt(form)})" for form in spellings(name)))


def _spelt(name: str) -> str:
    # A dot, hyphen or bullet inside a name is one mark written three ways (DALL·E, DALL-E).
    words = [re.sub(r"(?:·|\\-|•)", "[·•-]", re.escape(w)) for w in name.split()]
    return r"(?<![\w-])" + r"(?:'s|’s)?[\s\-]+".join(words) + r"(?![^\W\d_])"


def word_patterns(name: str) -> list[re.Pattern]:
    """Each word of a name as written: "EU" inside "EU AI Act" is not widened to its other spellings."""
    return [re.compile(_spelt(w)) for w in name.split()]


def tails(name: str) -> list[str]:
    """The name and its shorter forms of two words or more that keep its last word: EU AI Act, AI Act."""
    words = name.split()
    return [" ".join(words[i:]) for i in range(len(words)) if i == 0 or len(words) - i >= 2]


class ArticleTexts:
    """Each article's passages joined (the whole story, title first), built once per snapshot."""

    def __init__(self, snap: Snapshot):
        parts: dict[int, list[str]] = {}
        for aid, text in zip(snap.p_article.tolist(), snap.p_text, strict=True):
            parts.setdefault(aid, []).append(text)
        self.text = {aid: "\n".join(ps) for aid, ps in parts.items()}
        self._grams: Grams | None = None

    @property
    def grams(self) -> Grams:
        """The stories' English terms (built when a nameless topic first asks: ~1 s on the archive)."""
        if self._grams is None:
            self._grams = Grams(self.text)
        return self._grams

    def having(self, patterns: list[re.Pattern], among=None) -> set[int]:
        ids = self.text if among is None else among
        return {a for a in ids if all(p.search(self.text[a]) for p in patterns)}


def narrowing(texts: ArticleTexts, names: list[str]) -> list[str]:
    """The names that narrow a topic down: each used by at most NAME_SHARE of the stories («вибори в США»: "U.S."
    is in a quarter of them, so the topic is cut as if it named nothing)."""
    return [n for n in names if len(texts.having([name_pattern(n)])) <= NAME_SHARE * len(texts.text)]


def article_scores(snap: Snapshot, vectors: list[np.ndarray], allowed: np.ndarray | None) -> dict[int, float]:
    """Each article's best passage cosine to any of the query vectors."""
    if not len(snap.P):
        return {}
    s = np.max(np.stack([snap.P @ v for v in vectors]), axis=0)
    if allowed is not None:
        s = np.where(allowed, s, -np.inf)
    best: dict[int, float] = {}
    for aid, sc in zip(snap.p_article.tolist(), s.tolist(), strict=True):
        if sc > best.get(aid, -math.inf):
            best[aid] = sc
    return {a: v for a, v in best.items() if math.isfinite(v)}


def _candidates(text: str) -> set[str]:
    """Latin-script name runs of one to three words in a story (the names it could be about)."""
    out: set[str] = set()
    for line in text.split("\n"):
        toks = _TOKEN.findall(line)
        for i in range(len(toks)):
            for n in (1, 2, 3):
                run = toks[i : i + n]
                if len(run) == n and all(is_name(t) for t in run):
                    out.add(" ".join(t.rstrip(".,'") for t in run))
    return {c for c in out if len(c) > 1}


def split_compounds(topic: str) -> str:
    """Hyphenated Cyrillic compounds as two words (роботи-гуманоїди: роботи гуманоїди)."""
    return _COMPOUND.sub(" ", topic)


def transliterate(word: str) -> str:
    return "".join(_TRANSLIT.get(c, c) for c in word.lower())


def cognate(word: str, name: str) -> float:
    """How much a Cyrillic word (its case ending aside) transliterated looks like a Latin name, 0..1."""
    stems = {word.lower()} | {word.lower()[: -len(e)] for e in CASE_ENDINGS if word.lower().endswith(e) and len(word) > 4}
    target = re.sub(r"[^a-z0-9]", "", name.lower())
    return max(SequenceMatcher(None, transliterate(s), target).ratio() for s in stems)


def cyrillic_words(topic: str) -> list[str]:
    return [t for t in _TOKEN.findall(topic) if _CYR.search(t) and len(t) >= 4 and t.lower() not in STOPWORDS]


def discover_name(texts: ArticleTexts, ranked: list[int], base: set[int], words: list[str]) -> str | None:
    """The Latin name a Cyrillic word of the topic spells (автопілот: Autopilot), found in the best stories: most
    of them name it, the rest of `base` mostly does not (pseudo-relevance feedback)."""
    top = ranked[:FEEDBACK_TOP]
    if len(top) < 3 or not words:
        return None
    counts = Counter(c for a in top for c in _candidates(texts.text[a]))
    best, best_score = None, 0.0
    for cand, n in counts.items():
        share = n / len(top)
        if share < FEEDBACK_SHARE or max(cognate(w, cand) for w in words) < COGNATE:
            continue
        pat = name_pattern(cand)
        base_share = sum(1 for a in base if cand in texts.text[a] and pat.search(texts.text[a])) / max(1, len(base))
        if base_share <= 0 or share < FEEDBACK_LIFT * base_share:
            continue
        score = share * math.log(1 / base_share)
        if score > best_score:
            best, best_score = cand, score
    return best


def _product(options: list[list[str]]) -> list[list[str]]:
    out: list[list[str]] = [[]]
    for opts in options:
        out = [[*o, x] for o in out for x in opts]
    return out


def by_terms(texts: ArticleTexts, scores: dict[int, float], terms: list[str]) -> TopicMatch | None:
    """A nameless topic's stories: those using one of its English terms, within NAME_FLOOR of the best of them."""
    base = {a for t in terms for a in texts.grams.stories(t) if a in scores}
    if not base:
        return None
    best = max(scores[a] for a in base)
    return TopicMatch({a: scores[a] for a in base if scores[a] >= best - NAME_FLOOR}, rule="terms", terms=terms)


def cut(texts: ArticleTexts, scores: dict[int, float], names: list[str], covered: bool,
        words: list[str] = (), terms: Callable[[list[int]], list[str]] | None = None) -> TopicMatch:
    """The cut-off that keeps a timeline on its topic (docs/digest-timeline.md); `terms` finds a nameless topic's
    English terms from its stories in order (retrieve/topic_terms.py)."""
    if not scores:
        return TopicMatch({}, names)
    ranked = sorted(scores, key=lambda a: -scores[a])
    top = scores[ranked[0]]
    if names and covered:
        # The topic is a name: every story naming it, and the near ones that name all of its words.
        phrase: set[int] = set()
        for forms in _product([tails(n) for n in names]):
            phrase |= texts.having([name_pattern(f) for f in forms], among=scores)
        spelt = texts.having([p for n in names for p in word_patterns(n)], among=scores)
        keep = phrase | {a for a in spelt if scores[a] >= top - WORDS_FLOOR}
        return TopicMatch({a: scores[a] for a in keep}, names, rule="phrase")
    base = texts.having([name_pattern(n) for n in names], among=scores) if names else set(scores)
    ranked_base = [a for a in ranked if a in base]
    found = discover_name(texts, ranked_base, base, list(words))
    if found:
        pat = name_pattern(found)
        base = {a for a in base if pat.search(texts.text[a])}
        names = [*names, found]
    if not base:
        return TopicMatch({}, names, [found] if found else [], rule="names+floor")
    if names:
        best = max(scores[a] for a in base)
        keep = {a for a in base if scores[a] >= best - NAME_FLOOR}
        return TopicMatch({a: scores[a] for a in keep}, names, [found] if found else [], rule="names+floor")
    matched = by_terms(texts, scores, found) if terms is not None and (found := terms(ranked)) else None
    if matched is not None:
        return matched
    keep = {a for a in base if scores[a] >= top - TIGHT_FLOOR}
    return TopicMatch({a: scores[a] for a in keep}, names, rule="names+floor" if names else "floor")
