"""What a question asks for, read from its own words (Ukrainian or English): a number, a name, a reason, a method,
a date; the years it names. The quotes prefer sentences that hold that kind of answer (llm/extractive.py;
docs/decisions/0020)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A number or a share: «скільки», «наскільки», «на скільки відсотків», «яку частку», "how many", "what share", …
_NUMBER = re.compile(
    r"\b(?:скільк\w*|наскільк\w*|на\s+скільк\w*|котр\w+\s+місц\w*|як\w*\s+(?:відсот\w*|частк\w*|ціна|ціну|вартість|"
    r"точність|рахунок|бал\w*|результат\w*|швидкість|розмір\w*|обсяг\w*|сум\w*|частот\w*|показник\w*)"
    r"|how\s+(?:many|much|long|fast|accurate|large|big|often|far)|how\s+(?:well\s+)?(?:did|does|do)\s+[^?]{0,60}?"
    r"\b(?:do|perform|score)\b|what\s+(?:share|percent\w*|fraction|proportion|"
    r"price|cost|rate|score|accuracy|size|number|amount)|by\s+how\s+much)",
    re.I | re.U)
_NAME = re.compile(r"\b(?:хто|кого|кому|ким|котр\w+\s+компан\w*|як\w+\s+(?:компані\w*|модел\w*|організац\w*|"
                   r"стартап\w*|лабораторі\w*|університет\w*|країн\w*))\b|\b(?:who|whom|which\s+(?:company|model|"
                   r"organization|startup|lab|university|country))\b", re.I | re.U)
_REASON = re.compile(r"\b(?:чому|навіщо|з\s+якої\s+причини|why)\b", re.I | re.U)
_METHOD = re.compile(r"\b(?:як|яким\s+чином|how)\b", re.I | re.U)
_DATE = re.compile(r"\b(?:коли|з\s+якого\s+року|в\s+якому\s+році|when|what\s+year)\b", re.I | re.U)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


@dataclass(frozen=True)
class Asked:
    """What kind of answer a question wants, and the years it names."""

    kind: str  # number | name | reason | date | method | "" (something else)
    years: tuple[int, ...]


def asked_for(question: str) -> Asked:
    q = question or ""
    kind = next((k for k, rx in (("number", _NUMBER), ("name", _NAME), ("reason", _REASON), ("date", _DATE),
                                 ("method", _METHOD)) if rx.search(q)), "")
    return Asked(kind, tuple(int(y) for y in _YEAR.findall(q)))
