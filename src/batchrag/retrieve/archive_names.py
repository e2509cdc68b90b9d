"""What the archive never names: a product version newer than any it knows («iPhone 17»), an event's edition from
the archive's last year or later («RoboCup 2025», «ICPC 2025»), a name that occurs nowhere in it («Дія»,
transliterated). A question about one is about something after or outside the archive, and quotes of the nearest
stories would not answer it (docs/decisions/0019-what-the-archive-never-names.md).

Names are read from the question's Latin-script words (a capital inside or after its first letter, a digit; not an
English sentence's first word, nor a two- or three-letter acronym such as RL), in the question as read without its
framing («що The Batch писав про …»), and from a capitalised Ukrainian word in «» (a product or an app, by its official Latin
transliteration); the archive's words are its passages and its pictures' alt texts and captions, lowercased, with
every run of other characters read as one space.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORDS = re.compile(r"[0-9a-z]+")
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[.+\-][A-Za-z0-9]+)*")
_QUOTED_UK = re.compile(r"«([А-ЯІЇЄҐ][а-яіїєґ'’]+)»")
_CYRILLIC = re.compile(r"[а-яіїєґ]", re.I)
_ACRONYM = re.compile(r"[A-Z]{2,3}")
_ROMAN = re.compile(r"(?=[MDCLXVI])M*(C[MD]|D?C{0,3})(X[CL]|L?X{0,3})(I[XV]|V?I{0,3})")
# "Name 17", "Name-4", "Name 3.5", "Name 2025": a version or an edition of what the name names.
_NUMBERED = re.compile(r"(?<![\w.])([A-Za-z][A-Za-z0-9\-]*?)[\s\-]+(\d{1,4}(?:\.\d+)?)(?!\w)(?![.,]\d)")
_FIRST_YEAR = 1900  # a number from here on is a year (an edition), below it a version
# The official Ukrainian-Latin transliteration (Cabinet of Ministers, 2010): how «Дія» is written in English (Diia).
_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh", "з": "z",
    "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "",
    "ю": "iu", "я": "ia", "'": "", "’": "",
}
_TRANSLIT_FIRST = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}


def words(text: str) -> str:
    """The text as the archive is searched here: lowercase words and numbers, one space between, one around."""
    return " " + " ".join(_WORDS.findall(text.lower())) + " "


def transliterate(word: str) -> str:
    w = word.lower()
    return "".join(_TRANSLIT_FIRST.get(c, _TRANSLIT.get(c, c)) if i == 0 else _TRANSLIT.get(c, c)
                   for i, c in enumerate(w))


@dataclass(frozen=True)
class _Name:
    shown: str  # as the question writes it
    parts: tuple[str, ...]  # what makes it a name (capitals, digits): one of them known is enough


def _names(question: str, english: bool) -> list[_Name]:
    out: list[_Name] = []
    for m in _LATIN.finditer(question):
        w = m.group(0)
        before = question[: m.start()].rstrip()
        # An English sentence's first word is capitalised anyway ("What", "Why"); a Ukrainian question's Latin word
        # is a name wherever it stands («Zorblax?» is what is read of «Що The Batch писав про Zorblax?»).
        first = english and (before == "" or before.endswith((".", "?", "!", ":")))
        if _ROMAN.fullmatch(w) or _ACRONYM.fullmatch(w):
            continue  # «XIX століття»; RL, ML, GPU: a term's letters, often spelt out in the stories
        parts = tuple(p for p in re.split(r"[.+\-]", w) if p and (
            re.search(r"[A-Z0-9]", p[1:]) or p[0].isdigit() or (p[0].isupper() and not first)))
        if parts:
            out.append(_Name(w, parts))
    for m in _QUOTED_UK.finditer(question):
        out.append(_Name(f"«{m.group(1)}»", (transliterate(m.group(1)),)))
    return out


class ArchiveNames:
    """The archive's words, once per loaded index: which names of a question it never mentions."""

    def __init__(self, texts: list[str], last_year: int | None) -> None:
        self._text = "".join(words(t) for t in texts)
        self._tokens = set(self._text.split())
        self.last_year = last_year

    def mentions(self, phrase: str) -> bool:
        """Whether the archive has the phrase's words in a row (a word alone: looked up, not scanned for)."""
        w = words(phrase)
        one = w.split()
        # A word the archive lacks answers at once; only a phrase of known words is scanned for (a few ms).
        return bool(one) and all(x in self._tokens for x in one) and (len(one) == 1 or w in self._text)

    def _known(self, name: _Name) -> bool:
        return self.mentions(name.shown) or any(words(p).strip() in self._tokens for p in name.parts)

    def _versions(self, name: str) -> list[float]:
        """The version numbers the archive writes after `name` (15 of "iPhone 15", 3.5 of "Claude 3.5")."""
        stem = re.escape(words(name).strip())
        found = re.findall(rf" {stem} (\d{{1,3}})(?: (\d{{1,2}}))? ", self._text)
        return [float(f"{a}.{b}" if b else a) for a, b in found]

    def unknown(self, question: str, *, english: bool | None = None) -> list[str]:
        """What the question names that the archive never does, as the question writes it (`english`: whether it
        was asked in English, when `question` is what was read of it; by default, from its own letters):
        - a version newer than every version of it the archive names (a known name, the pair nowhere);
        - an edition (a name and a year) from the archive's last year on, the pair nowhere in the archive;
        - names it never mentions, when none of the question's other names is known (one misspelt name among
          known ones is no question about something else)."""
        out: list[str] = []
        for m in _NUMBERED.finditer(question):
            name, number = m.group(1), m.group(2)
            if not re.search(r"[A-Z]", name) or self.mentions(f"{name} {number}"):
                continue
            value = float(number)
            if value >= _FIRST_YEAR:
                if self.last_year is not None and value >= self.last_year:
                    out.append(f"{name} {number}")
            elif self.mentions(name) and not any(v >= value for v in self._versions(name)):
                out.append(f"{name} {number}")
        names = _names(question, not _CYRILLIC.search(question) if english is None else english)
        missing = [n for n in names if not self._known(n)]
        if missing and len(missing) == len(names):
            out += [n.shown for n in missing if not any(n.shown in o for o in out)]
        return out
