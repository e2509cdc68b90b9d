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


def vocabulary(texts) -> frozenset[str]:
    """The lower-case English words of the searched passages: a neighbour the archive never uses cannot help."""
    out: set[str] = set()
    for t in texts:
        out.update(_EN_WORD.findall(t.lower()))
    return frozenset(out)


def english_words(
    question: str, min_similarity: float, lex: Lexicon | None = None, vocab: frozenset[str] | None = None,
    per_word: int = 1,
) -> str | None:
    """The question as English search words: its own Latin-script names and numbers, then each content word's
    `per_word` nearest English words that the archive uses (`vocab`; any when None), those at least
    `min_similarity` close; None when nothing maps."""
    lex = lex or lexicon()
    if lex is None:
        return None
    toks = _WORD.findall(question or "")
    names = [t for t in toks if _LATIN_OR_DIGIT.search(t)]
    words: list[str] = []
    for t in toks:
        if not _CYRILLIC.search(t) or len(t) < _MIN_LETTERS or t.lower() in STOP:
            continue
        # A word's nearest neighbour is often noise (docs/decisions/0014): its second is a second chance, and BM25
        # lets the one of them that the right passages share count.
        near = [c for c in lex.lookup(t) if (vocab is None or c[0] in vocab) and c[1] >= min_similarity]
        words.extend(en for en, _ in near[:per_word])
    if not words:
        return None
    return " ".join(dict.fromkeys(names + words))
