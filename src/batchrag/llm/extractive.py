"""No-LLM answer: quotes the sentences of the top sources that answer the question, each with its [n]: chosen by the
text embedder's similarity to the question (docs/decisions/0016), or by shared word prefixes."""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterator

import numpy as np

from batchrag.domain.types import Message
from batchrag.llm.asked import Asked, asked_for
from batchrag.llm.base import LLMBackend
from batchrag.llm.prompts import NOT_FOUND_UK as NO_QUOTE
from batchrag.settings import LLMSettings

QUOTES_HEAD = "Дослівні цитати з найближчих джерел (мовою оригіналу), без мовної моделі:"
# Shown instead of a model's answer that failed the gate (answer/gate.py): honest about why there is no answer.
GATED_HEAD = ("Мовна модель не дала відповіді, яку можна показати (причина — у примітках нижче). "
              "Ось що кажуть знайдені джерела, дослівно (мовою оригіналу):")
_SOURCE_RE = re.compile(r"<<<ДЖЕРЕЛО (\d+)>>>(?: \(назва: ([^;\n]*?)[;)][^\n]*)?\n(.*?)\n<<<КІНЕЦЬ ДЖЕРЕЛА \1>>>", re.S)
_QUESTION_RE = re.compile(r"Питання: (.*?)\n\n", re.S)
_WORD_RE = re.compile(r"\w+", re.U)
_SENT_RE = re.compile(r"(?<=[.!?])\s+(?=[A-ZА-ЯІЇЄҐ0-9\"“‘(])")
PASSAGE_BREAK = "\n…\n"  # between an article's passages in a source (retrieve/search.py)
# Lines that carry no answer: a letter's heading or greeting, a byline, the interview prompts of The Batch's Q&As.
_NOT_A_QUOTE = re.compile(
    r"^(?:Letter from Andrew Ng|Dear friends|Keep (?:learning|building)|By [A-Z][\w.-]+(?: [A-Z][\w.-]+)*[,.]?$"
    r"|The Batch:|A picture from the story)", re.I)
_ENDS_A_SENTENCE = re.compile(r"[.!…)\"”’»']$")
# A passage may start inside a sentence (passages overlap by words): a lower-case start is the tail of one.
_FRAGMENT = re.compile(r"^[a-z(]|^\S+\)")
_BULLET = re.compile(r"^[-–•]\s+")
_INLINE_BULLET = re.compile(r"(?<=[.!?])\s+(?=[-–•]\s+[A-Z])")
MIN_WORDS = 6
PER_SOURCE = 2
SECOND_WITHIN = 0.015  # a source's second sentence is quoted when it is this close to its first (cosine)
NEAR_DUPLICATE = 0.95  # two sentences this similar say the same thing: the second is not quoted
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


def quotable_sentences(text: str) -> list[str]:
    """The sentences of a source that could answer: each passage's heading line dropped (its title, or "Letter from
    Andrew Ng, issue 51"), and no greeting, byline, interview prompt, question or unfinished fragment."""
    body = []
    for passage in text.split(PASSAGE_BREAK):
        lines = passage.strip().split("\n")
        body += lines[1:] if len(lines) > 1 else lines
    # A list item run into the sentence before it («… Malaysia. - While …») starts a sentence of its own.
    sents = [_BULLET.sub("", s) for s in split_sentences(_INLINE_BULLET.sub("\n", "\n".join(body)))]
    return [
        s for s in sents
        if len(s.split()) >= MIN_WORDS and _ENDS_A_SENTENCE.search(s) and not s.endswith("?")
        and not _NOT_A_QUOTE.match(s) and not _FRAGMENT.match(s)
    ]


def extract_answer(
    question: str, sources: list[tuple[int, str]], *, titles: dict[int, str] | None = None, per_source: int = 1,
    max_sources: int = 3,
) -> str:
    """Best sentences of the first sources by shared word prefixes, quoted verbatim (original language) and cited."""
    q = _stems(question)
    lines = []
    for n, text in sources[:max_sources]:
        sents = split_sentences(text, (titles or {}).get(n, ""))
        if not sents:
            continue
        ranked = sorted(sents, key=lambda s: (-len(q & _stems(s)), sents.index(s)))
        for s in ranked[:per_source]:
            lines.append(f"— «{s}» [{n}]")
    return quotes_text(lines)


def quotes_text(lines: list[str]) -> str:
    return QUOTES_HEAD + "\n\n" + "\n".join(lines) if lines else NO_QUOTE


# (embedder, sentence) -> its vector: the same sources come back across questions.
_VECTORS: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
_VECTORS_KEPT = 4096


def _sentence_vectors(embedder, sents: list[str]) -> np.ndarray:
    keys = [(embedder.name, s) for s in sents]
    missing = [k for k in dict.fromkeys(keys) if k not in _VECTORS]
    if missing:
        for k, v in zip(missing, embedder.embed([s for _, s in missing], kind="passage"), strict=True):
            _VECTORS[k] = v
    for k in keys:
        _VECTORS.move_to_end(k)
    while len(_VECTORS) > _VECTORS_KEPT:
        _VECTORS.popitem(last=False)
    return np.stack([_VECTORS[k] for k in keys])


_YEARS = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_NON_YEAR_NUMBER = re.compile(r"(?<![\d.,])(?!(?:19|20)\d\d(?!\d))\d+(?:[.,]\d+)?|\d+(?:[.,]\d+)?\s?%")
NUMBER_W = 0.02  # a sentence with a number (not a year) gains this much cosine when the question asks for one
# The best story is quoted more fully than the others: its FIRST_MAX sentences within FIRST_WITHIN of its best,
# each with the sentence after it (the fact is often there: «… the coach.» «Her name is …»), as runs in story
# order. Chosen on dev and dev-hard's nuggets, checked on dev-reader and dev-short (docs/decisions/0020).
FIRST_MAX = 3
FIRST_WITHIN = 0.05


def fit(asked: Asked, sentence: str) -> float:
    """How much a sentence holds the kind of answer asked for, beside its meaning (docs/decisions/0020): a number
    when one is asked for."""
    return NUMBER_W if asked.kind == "number" and _NON_YEAR_NUMBER.search(sentence) else 0.0


def elsewhen(asked: Asked, sentence: str) -> bool:
    """A sentence of another time than the one asked about (it names years, none of the question's): its numbers
    belong to that time, and a look-alike ($93B for 2021 where 2022 was asked) misleads. Never quoted."""
    years = {int(y) for y in _YEARS.findall(sentence)}
    return bool(asked.years and years and not years & set(asked.years))


def _runs(sents: list[str], picked: list[int], asked: Asked) -> list[str]:
    """The picked sentences, each with the one after it, joined where they touch, in story order."""
    rows = sorted({j for i in picked for j in (i, i + 1) if j < len(sents) and not elsewhen(asked, sents[j])})
    runs: list[list[int]] = []
    for j in rows:
        if runs and j == runs[-1][-1] + 1:
            runs[-1].append(j)
        else:
            runs.append([j])
    return [" ".join(sents[j] for j in run) for run in runs]


def choose_by_meaning(
    question: str, sources: list[tuple[int, str]], embedder, *, max_sources: int = 3, per_source: int = PER_SOURCE
) -> list[tuple[int, str]]:
    """(n, quote) to quote: each of the first sources' sentences closest in meaning to the question (cross-lingual:
    the embedder is multilingual) and holding what it asks for (`fit`), a second when nearly as close, no
    near-duplicate, in the sources' order; the first source more fully, as runs of its sentences (FIRST_MAX)."""
    chosen: list[tuple[int, str]] = []
    kept: list[np.ndarray] = []
    q = embedder.embed([question], kind="query")[0]
    asked = asked_for(question)
    for rank, (n, text) in enumerate(sources[:max_sources]):
        sents = quotable_sentences(text)
        if not sents:
            continue
        vecs = _sentence_vectors(embedder, sents)
        sims = vecs @ q + np.array([fit(asked, s) for s in sents], dtype=np.float32)
        order = np.argsort(-sims, kind="stable")
        most, within = (FIRST_MAX, FIRST_WITHIN) if rank == 0 else (per_source, SECOND_WITHIN)
        picked: list[int] = []
        for i in order:
            if len(picked) == most or (picked and sims[i] < sims[order[0]] - within):
                break
            if elsewhen(asked, sents[i]) or any(float(vecs[i] @ k) >= NEAR_DUPLICATE for k in kept):
                continue
            picked.append(int(i))
            kept.append(vecs[i])
        quotes = _runs(sents, picked, asked) if rank == 0 else [sents[i] for i in picked]
        chosen += [(n, s) for s in quotes]
    return chosen


class ExtractiveBackend(LLMBackend):
    name = "extractive"
    model = "quotes"
    quotes_only = True
    writes_answers = False

    def __init__(self, _llm: LLMSettings | None = None, *, timeout_s: float | None = None,
                 quotes: str = "meaning") -> None:
        # Nothing to load or wait for: the quotes come from the sources. By meaning (the answer part's `quotes`)
        # when the answer stage hands over the index's text embedder (loaded for retrieval already), else by shared
        # words.
        self._by_meaning = quotes == "meaning"

    def quote(self, question: str, sources: list[tuple[int, str]], titles: dict[int, str], embedder=None) -> str:
        if self._by_meaning and embedder is not None:
            return quotes_text([f"— «{s}» [{n}]" for n, s in choose_by_meaning(question, sources, embedder)])
        return extract_answer(question, sources, titles=titles)

    @staticmethod
    def _read(messages) -> tuple[str, list[tuple[int, str]], dict[int, str]]:
        """The question, the fenced sources and their titles, read back from the prompt."""
        user = next((m.content for m in reversed(messages) if m.role == "user"), "")
        found = _SOURCE_RE.findall(user)
        sources = [(int(n), text.replace("‹‹‹", "<<<").replace("›››", ">>>")) for n, _, text in found]
        titles = {int(n): t for n, t, _ in found}
        m = _QUESTION_RE.search(user)
        return (m.group(1) if m else user), sources, titles

    def quote_from(self, messages, sources: list[tuple[int, str]], embedder=None) -> str:
        """The quotes for the prompt's question from `sources` given whole ((n, text): the answer stage's hits),
        chosen by `embedder`'s meaning when one is given."""
        question, _, titles = self._read(messages)
        return self.quote(question, sources, titles, embedder)

    def stream(self, messages, *, max_tokens=512, temperature=0.2, stop=None) -> Iterator[str]:
        question, sources, titles = self._read(messages)
        yield self.quote(question, sources, titles)


__all__ = ["ExtractiveBackend", "Message", "choose_by_meaning", "extract_answer", "quotable_sentences", "split_sentences"]
