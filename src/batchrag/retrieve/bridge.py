"""The lexical bridge: a Ukrainian question's words mapped onto English ones, so BM25 can read it without an LLM.

The lexicon (data/uk_en_lexicon.tsv.gz, built by scripts/build_lexicon.py) pairs the 100,000 commonest Ukrainian
word forms with their eight nearest English words under the packaged multilingual embedder; at search time each
word takes the nearest one the archive itself uses (docs/decisions/0014)."""

from __future__ import annotations

import bisect
import gzip
import logging
import re
import threading
from functools import cache
from pathlib import Path

from batchrag.retrieve.glossary import Glossary, glossary

log = logging.getLogger(__name__)

LEXICON = Path(__file__).with_name("data") / "uk_en_lexicon.tsv.gz"

_WORD = re.compile(r"[\w'’\-]+")
_CYRILLIC = re.compile(r"[а-яіїєґ]", re.I)
_LATIN_OR_DIGIT = re.compile(r"[A-Za-z0-9]")
_MIN_LETTERS = 3
_STEM_KEEP = 4  # an unknown form is looked up by its first letters, no fewer than these

# Function words, question words, request verbs and the words that point at the author rather than the topic: their
# English neighbours are noise to BM25.
STOP = frozenset(
    """
    що як який яка яке які якого якої яких якому якій яким якими чому де коли скільки хто чим чого кого кому навіщо
    звідки куди наскільки і й та а але або чи не ні так же ж би б бо щоб якщо хоча тому тобто саме лише тільки ще вже
    ось це цей ця ці цього цієї цих цим цю той те ті того тієї тих тим там тут
    в у на з із зі до від для про при по за над під між через після перед біля без понад поміж серед щодо
    його її їх їхній їхня їхнє їхні свій своя свої своє свого своєї своїй своїм своїх
    він вона воно вони ми ви я ти мене мені нам вам їм ним нею ними собі себе
    є був була було були буде будуть бути може можуть можна треба потрібно має мають мали
    автор автора авторові автором листі листа листом лист листів пише каже розповідає вважає радить наводить
    пропонує називає думку словами думкою згідно пояснює порівнює описує згадує
    покажи покажіть знайди знайдіть
    """.split()
)


class Lexicon:
    """Ukrainian word form -> [(English word, similarity), …], best first; unknown forms go by their stem."""

    def __init__(self, path: Path = LEXICON):
        self.pairs: dict[str, list[tuple[str, float]]] = {}
        self.rank: dict[str, int] = {}
        with gzip.open(path, "rt", encoding="utf-8") as fp:
            for n, line in enumerate(fp):
                word, _, rest = line.rstrip("\n").partition("\t")
                cands = []
                for item in rest.split():
                    en, _, sim = item.rpartition(":")
                    cands.append((en, float(sim)))
                self.pairs[word] = cands
                self.rank[word] = n  # the lexicon is in frequency order: a lower rank is a commoner form
        self.keys = sorted(self.pairs)

    def lookup(self, form: str) -> list[tuple[str, float]]:
        """The English neighbours of a form, or of the commonest known form sharing its longest stem."""
        form = form.lower()
        if form in self.pairs:
            return self.pairs[form]
        for cut in range(len(form) - 1, _STEM_KEEP - 1, -1):
            stem = form[:cut]
            i = bisect.bisect_left(self.keys, stem)
            near = []
            while i < len(self.keys) and self.keys[i].startswith(stem) and len(near) < 64:
                near.append(self.keys[i])
                i += 1
            if near:
                return self.pairs[min(near, key=self.rank.__getitem__)]
        return []


_lock = threading.Lock()


@cache
def _lexicon(path: Path) -> Lexicon | None:
    try:
        return Lexicon(path)
    except (OSError, EOFError, ValueError) as e:  # a broken install: search goes on without the bridge
        log.warning("lexical bridge off: cannot read %s (%s)", path, e)
        return None


def lexicon(path: Path = LEXICON) -> Lexicon | None:
    """The lexicon, read once per process (~0.5 s) by whichever thread needs it first; None if unreadable."""
    with _lock:
        return _lexicon(path)


_EN_WORD = re.compile(r"[a-z][a-z\-]+")


class Vocabulary(frozenset):
    """The lower-case English words of the searched passages (a neighbour the archive never uses cannot help), and
    which passages each one is in: two neighbours fit together when some passage uses both."""

    def __new__(cls, texts=()):
        rows: dict[str, list[int]] = {}
        for i, t in enumerate(texts):
            for w in set(_EN_WORD.findall(t.lower())):
                rows.setdefault(w, []).append(i)
        self = super().__new__(cls, rows)
        self._rows, self._bits = rows, {}  # word -> its passages, as a list and (built when first asked) a bitset
        return self

    def _bitset(self, word: str) -> int:
        b = self._bits.get(word)
        if b is None:
            b = self._bits[word] = sum(1 << i for i in self._rows.get(word, ()))
        return b

    def passages(self, words) -> int:
        """The passages that use any of `words`, as a bitset."""
        out = 0
        for w in words:
            out |= self._bitset(w)
        return out

    def inflected(self, stem: str, endings: tuple[str, ...]) -> list[str]:
        """The words that are `stem` plus one of `endings`, the shortest (then the most used) first."""
        if not hasattr(self, "_sorted"):
            self._sorted = sorted(self)  # once per published index, when a loanword is first looked up
        i = bisect.bisect_left(self._sorted, stem)
        out = []
        while i < len(self._sorted) and self._sorted[i].startswith(stem):
            if self._sorted[i][len(stem):] in endings:
                out.append(self._sorted[i])
            i += 1
        return sorted(out, key=lambda w: (len(w), -len(self._rows[w])))


def vocabulary(texts) -> Vocabulary:
    return Vocabulary(texts)


# How many of each other word's nearest neighbours make the context a neighbour is checked against. On dev-hard /
# dev-reader Ukrainian MRR: 1 lost dev-hard recall (0.914 → 0.903), 2 gave 0.812 / 0.875, 3 gave 0.8087 / 0.892 but
# under dev-hard's floor, 8 gave 0.806 / 0.869 (docs/decisions/0015).
_CONTEXT_NEIGHBOURS = 2


# A loanword spelt in Cyrillic (промпт, датасет, бенчмарк, трансформер) is read back letter by letter the way
# English words are borrowed (и: i, г: g, ц: c): the lexicon's word vectors often miss it («промптів» →
# "prosthesis"). Measured in docs/decisions/0015.
_LOAN = dict(zip("абвгґдеєжзиіїйклмнопрстуфхцчшщьюя'’", [
    "a", "b", "v", "g", "g", "d", "e", "ie", "zh", "z", "i", "i", "i", "i", "k", "l", "m", "n", "o", "p", "r", "s",
    "t", "u", "f", "h", "c", "ch", "sh", "shch", "", "iu", "ia", "", ""], strict=True))
CASE_ENDINGS = ("ами", "ями", "ові", "ою", "ею", "ів", "ом", "ем", "ах", "ях", "а", "я", "у", "ю", "і", "и", "е", "о")
_LOAN_STEM = 6  # letters a stem must keep: a five-letter one read "старті" as "start", which outvoted the topic
# The English forms a stem may take: an inflection, not any longer word it starts (реплік: not "replika").
_LOAN_ENDINGS = ("", "s", "es", "e", "ed", "er", "ers", "ing", "ings")


def loanwords(word: str, vocab: Vocabulary) -> list[str]:
    """The archive's English words that a Cyrillic word spells (промптів: prompt, prompts), nearest first."""
    form = word.lower()
    stem = next((form[: -len(e)] for e in CASE_ENDINGS if form.endswith(e) and len(form) - len(e) >= _LOAN_STEM), form)
    latin = "".join(_LOAN.get(c, c) for c in stem)
    if len(latin) < _LOAN_STEM or not latin.isascii():
        return []
    return vocab.inflected(latin, _LOAN_ENDINGS)[:2]


def in_context(cands: list[list[str]], names: list[str], vocab: Vocabulary) -> list[list[str]]:
    """Each word's neighbours that some passage uses beside a neighbour of another word or a name of the question,
    or all of its neighbours when none is (docs/decisions/0015: a stricter rule, a lift over chance, lost dev-hard
    recall 0.914 → 0.886)."""
    each = [vocab.passages(mine[:_CONTEXT_NEIGHBOURS]) for mine in cands]
    named = vocab.passages(n for n in names if n in vocab)
    kept = []
    for i, mine in enumerate(cands):
        others = named
        for j, bits in enumerate(each):
            if j != i:
                others |= bits
        kept.append([c for c in mine if vocab.passages([c]) & others] or mine)
    return kept


def english_words(
    question: str, min_similarity: float, lex: Lexicon | None = None, vocab: frozenset[str] | None = None,
    per_word: int = 1, gloss: Glossary | None = None,
) -> str | None:
    """The question as English search words: its own Latin-script names and numbers, then each content word's
    `per_word` nearest English words that the archive uses (`vocab`; any when None), those at least
    `min_similarity` close; None when nothing maps.

    With a `Vocabulary`, a word's neighbours that the archive uses beside another word's neighbour or a name of the
    question go first («складають одяг»: robots + clothes, not "encapsulates"); a word none of whose neighbours fits
    keeps its nearest."""
    lex = lex or lexicon()
    if lex is None:
        return None
    terms = glossary() if gloss is None else gloss
    toks = _WORD.findall(question or "")
    names = [t for t in toks if _LATIN_OR_DIGIT.search(t)]
    cands: list[list[str]] = []
    fixed: set[int] = set()  # words the glossary reads: their English is certain, never filtered by context
    for t in toks:
        if not _CYRILLIC.search(t) or len(t) < _MIN_LETTERS or t.lower() in STOP:
            continue
        known = [c for c in terms.lookup(t) if vocab is None or c in vocab] if terms else []
        if known:
            fixed.add(len(cands))
            cands.append(known)
            continue
        # A word's nearest neighbour is often noise (docs/decisions/0014): its second is a second chance, and BM25
        # lets the one of them that the right passages share count.
        near = [c for c, sim in lex.lookup(t) if (vocab is None or c in vocab) and sim >= min_similarity]
        loans = loanwords(t, vocab) if isinstance(vocab, Vocabulary) else []
        # A loanword the lexicon already pairs the word with leaves its order alone; one it missed goes first.
        cands.append(near if set(loans) & set(near) else loans + near)
    if isinstance(vocab, Vocabulary):
        kept = in_context(cands, [n.lower() for n in names], vocab)
        cands = [cands[i] if i in fixed else k for i, k in enumerate(kept)]
    words = [c for near in cands for c in near[:per_word]]
    if not words:
        return None
    return " ".join(dict.fromkeys(names + words))
