"""The archive's dates: a question about a time after the newest issue is answered with the refusal and where the
archive ends, and a capable model is told the archive's span (docs/decisions/0016-answer-before-any-model.md)."""

from __future__ import annotations

import re
from datetime import date

from batchrag.domain.types import ArchiveSpan, Hit
from batchrag.llm.prompts import NEVER_NAMED_UK

_MONTHS = [  # a Ukrainian stem (any case of the month's name), the English name or its abbreviation
    ("січ", "jan(?:uary)?"), ("лют", "feb(?:ruary)?"), ("берез", "mar(?:ch)?"), ("квіт", "apr(?:il)?"),
    ("трав", "may"), ("черв", "june?"), ("лип", "july?"), ("серп", "aug(?:ust)?"), ("верес", "sep(?:t(?:ember)?)?"),
    ("жовт", "oct(?:ober)?"), ("листопад", "nov(?:ember)?"), ("груд", "dec(?:ember)?"),
]
_MONTH = "|".join(f"{uk}\\w*|{en}\\b" for uk, en in _MONTHS)
# Parts of a year that say when within it, by the month most of the part lies in: a season or a quarter is after
# the archive when most of it is («влітку 2025» for an archive ending in June 2025), the end of a year its last month.
_PART = {
    12: r"наприкінці|в\s+кінці|у\s+кінці|під\s+кінець|кінця|кінець|end\s+of|late(?:\s+in)?|зим\w*|winter",
    11: r"(?:четверт\w*|4-?(?:му|й|ому))\s+кварт\w*|q4",
    10: r"восени|осін\w*|autumn|fall(?:\s+of)?",
    9: r"(?:друг\w*|2-?(?:му|й|ій|ому))\s+(?:половин\w*|півріч\w*)|second\s+half(?:\s+of)?",
    8: r"(?:трет\w*|3-?(?:му|й|ому))\s+кварт\w*|q3",
    7: r"влітку|літ[оа]м?|summer(?:\s+of)?",
    5: r"(?:друг\w*|2-?(?:му|й|ому))\s+кварт\w*|q2",
    4: r"навесні|весн\w*|spring(?:\s+of)?",
    3: r"(?:перш\w*|1-?(?:му|й|ій|ому))\s+(?:половин\w*|півріч\w*)|first\s+half(?:\s+of)?",
    2: r"(?:перш\w*|1-?(?:му|й|ому))\s+кварт\w*|q1",
}
_YEAR = r"((?:19|20)\d\d)(?!\d)"
_DOTTED = re.compile(r"(?<!\d)(\d{1,2})[./](\d{1,2})[./]((?:19|20)\d\d)(?!\d)")
_ISO = re.compile(r"(?<!\d)((?:19|20)\d\d)-(\d{1,2})-(\d{1,2})(?!\d)")
_MONTH_YEAR = re.compile(rf"\b({_MONTH})\.?\s+(?:of\s+)?{_YEAR}", re.I | re.U)
_PART_YEAR = re.compile(rf"\b({'|'.join(_PART.values())})\s+(?:of\s+|the\s+)?{_YEAR}", re.I | re.U)
# A year alone counts when it reads as a year: after a preposition of time or before «року», "year", «-му»
# («2048 токенів» is a number).
_BARE_YEAR = re.compile(
    rf"(?:\b(?:у|в|із|з|після|від|за|по|in|since|of|from|during|after|for|the)\s+{_YEAR}(?![\w.]*\d)"
    rf"|(?<![\w.-]){_YEAR}(?=\s*(?:-?(?:му|го|й|ий|ого|ому|м)\b|р\.|рр\.|рок\w*|році|рік|year)))",
    re.I | re.U)
# A year the archive covers only in part: the best story must come from it. (Any of the top 3 was too lax: «Нобелівська
# премія з фізики 2025 року» also found a January 2025 letter that names the year.)
CHECKED_HITS = 1


# A time a question reaches up to («до 2030 року», "by 2030", «до серпня 2025») is a horizon: what is asked about
# includes the archive's own years (a forecast made in it), not a time after it.
_HORIZON = re.compile(r"(?:\bдо|\bby|\buntil|\btill|\bbefore|\bthrough)\s+$", re.I | re.U)


def _month(word: str) -> int:
    w = word.lower()
    return next(i for i, (uk, en) in enumerate(_MONTHS, 1) if w.startswith(uk) or re.fullmatch(en, w))


def named_times(question: str) -> list[tuple[int, int | None]]:
    """Every (year, month or None) the question names: 12.08.2025, 2025-08-12, «серпні 2025», "late 2025", 2025."""
    out: list[tuple[int, int | None]] = []
    taken: list[tuple[int, int]] = []

    def free(m: re.Match) -> bool:
        if _HORIZON.search(question[: m.start()]):
            taken.append(m.span())  # nor is the year inside it read again on its own
            return False
        return all(m.end() <= a or m.start() >= b for a, b in taken)

    for m in _DOTTED.finditer(question):
        if 1 <= int(m.group(2)) <= 12:
            out.append((int(m.group(3)), int(m.group(2))))
            taken.append(m.span())
    for m in _ISO.finditer(question):
        if free(m) and 1 <= int(m.group(2)) <= 12:
            out.append((int(m.group(1)), int(m.group(2))))
            taken.append(m.span())
    for m in _MONTH_YEAR.finditer(question):
        if free(m):
            out.append((int(m.group(2)), _month(m.group(1))))
            taken.append(m.span())
    for m in _PART_YEAR.finditer(question):
        if free(m):
            part = next(mo for mo, rx in _PART.items() if re.fullmatch(rx, m.group(1), re.I | re.U))
            out.append((int(m.group(2)), part))
            taken.append(m.span())
    for m in _BARE_YEAR.finditer(question):
        if free(m):
            out.append((int(m.group(1) or m.group(2)), None))
    return out


def after_archive(question: str, span: ArchiveSpan | None, hits: list[Hit]) -> bool:
    """Whether the question asks about a time after the archive's end.

    A month past the end's month, or a year after its year, is always after. A year the archive covers only in
    part (it ends in June) is after when the best story does not come from it: «Нобелівська премія 2025 року»
    finds the 2024 prize, «капітальні витрати у 2025 році» finds the story of early 2025."""
    end = span.end if span else None
    if end is None:
        return False
    for year, month in named_times(question):
        if month is not None and (year, month) > (end.year, end.month):
            return True
        if month is None and year > end.year:
            return True
        if month is None and year == end.year and end.month < 12:
            if not any(h.date and h.date.year >= year for h in hits[:CHECKED_HITS]):
                return True
    return False


def never_named(unknown: list[str], span: ArchiveSpan | None) -> str:
    """«Архів ніде не згадує «iPhone 17». Архів закінчується випуском №304 (04.06.2025).»"""
    names = ", ".join(n if n.startswith("«") else f"«{n}»" for n in unknown)
    end = archive_end(span) if span is not None and span.end is not None else ""
    return " ".join(x for x in (NEVER_NAMED_UK.format(names=names), end) if x)


def _day(d: date | None) -> str:
    return d.strftime("%d.%m.%Y") if d else "дата невідома"


def archive_end(span: ArchiveSpan) -> str:
    """«Архів закінчується випуском №304 (04.06.2025).»"""
    if span.last_issue is None:
        return f"Архів закінчується {_day(span.end)}."
    return f"Архів закінчується випуском №{span.last_issue} ({_day(span.last_date)})."


def archive_start(span: ArchiveSpan) -> str:
    """«Архів починається випуском №1 (21.08.2019).»"""
    if span.first_issue is None:
        return ""
    return f"Архів починається випуском №{span.first_issue} ({_day(span.first_date)})."


def span_for_prompt(span: ArchiveSpan | None) -> str:
    """The line that tells a model what time the sources can speak of."""
    if span is None or span.end is None:
        return ""
    start = f"від випуску №{span.first_issue} ({_day(span.first_date)}) " if span.first_issue is not None else ""
    end = (f"до випуску №{span.last_issue} ({_day(span.last_date)})" if span.last_issue is not None
           else f"до {_day(span.end)}")
    return (f"Архів The Batch у бібліотеці — {start}{end}. Про події після цього в джерелах нічого немає: "
            "на таке питання відповідай, що в архіві цього немає.")
