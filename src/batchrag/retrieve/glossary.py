"""The bridge's hand-written domain glossary: Ukrainian words of AI news that the lexicon's word vectors misread,
with the English words the archive writes for them (data/glossary.tsv, docs/decisions/0014-lexical-bridge.md)."""

from __future__ import annotations

import logging
import threading
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

GLOSSARY = Path(__file__).with_name("data") / "glossary.tsv"
_GLOSSARY_ENDING = 4  # letters a stem entry (мовн*) may be followed by: an inflection, not another word


class Glossary:
    """The domain words the lexicon misreads, written by hand (data/glossary.tsv): a form, or a stem plus an
    ending, -> the English words the archive uses for it («мовних» → language)."""

    def __init__(self, forms: dict[str, list[str]] | None = None, stems: dict[str, list[str]] | None = None):
        self.forms, self.stems = dict(forms or {}), dict(stems or {})

    @classmethod
    def read(cls, path: Path = GLOSSARY) -> Glossary:
        """The glossary file: `form<TAB>english …` or `stem*<TAB>english …` lines; # comments."""
        forms, stems = {}, {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            uk, _, en = line.partition("\t")
            if uk.endswith("*"):
                stems[uk[:-1]] = en.split()
            else:
                forms[uk] = en.split()
        return cls(forms, stems)

    def lookup(self, word: str) -> list[str]:
        """The English words for a Ukrainian word form (its longest stem entry wins); [] when it has none."""
        form = word.lower().replace("’", "'")
        if form in self.forms:
            return self.forms[form]
        for cut in range(len(form), max(len(form) - _GLOSSARY_ENDING, 1) - 1, -1):
            if form[:cut] in self.stems:
                return self.stems[form[:cut]]
        return []


_lock = threading.Lock()


@cache
def _glossary(path: Path) -> Glossary | None:
    try:
        return Glossary.read(path)
    except (OSError, ValueError) as e:  # a broken install: the lexicon alone reads the question
        log.warning("bridge glossary off: cannot read %s (%s)", path, e)
        return None


def glossary(path: Path = GLOSSARY) -> Glossary | None:
    """The shipped glossary, read once per process; None if unreadable."""
    with _lock:
        return _glossary(path)
