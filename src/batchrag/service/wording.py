"""What the front ends say to a reader, in Ukrainian: a hit's closeness in words, an answer's [n] marks, dates, and
the notes under an answer (the pipeline's warnings are English one-liners for `--verbose`, `--json` and «Подробиці»).

One citation grammar (answer/citations.py) for the pipeline that filters the markers and the page that links them.
"""

from __future__ import annotations

import re
from datetime import date

from batchrag.answer.citations import citation_spans, parse_citations
from batchrag.answer.relevance import relevance_note
from batchrag.domain.types import Answer

__all__ = ["DEMO_NOTE", "articles_uk", "citation_spans", "count_uk", "day", "is_demo_answer", "noun_uk", "parse_citations",
           "picture_note", "reader_notes", "relevance_note", "warning_note"]

DEMO_NOTE = "Відповідала демо-модель: її відповіді приблизні. Справжню модель дає `batchrag model pull`."


def day(d: date | None) -> str:
    """A date as a reader reads it everywhere: 04.06.2025 ("" for none)."""
    return d.strftime("%d.%m.%Y") if d else ""


def noun_uk(n: int, one: str, few: str, many: str) -> str:
    """The form a Ukrainian noun takes after the number n: стаття (1, 21), статті (2–4, 82), статей (5–20, 111)."""
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def count_uk(n: int, one: str, few: str, many: str) -> str:
    """A count with its noun in the form it takes: 1 стаття, 2 статті, 5 статей, 82 статті."""
    return f"{n} {noun_uk(n, one, few, many)}"


def articles_uk(n: int) -> str:
    """A number of articles as a reader reads it: 82 статті."""
    return count_uk(n, "стаття", "статті", "статей")


_GATE_REASONS = [
    (re.compile(r"the answer is empty"), "вона порожня"),
    (re.compile(r"it repeats itself in a loop"), "вона повторюється по колу"),
    (re.compile(r"it gives (\d+) web address\(es\) found in no source"), r"у ній вебадрес, яких немає в джерелах: \1"),
    (re.compile(r"too little of it is in Ukrainian|it is not in Ukrainian"), "вона не українською"),
    (re.compile(r"it cites no source"), "вона не посилається на джерела"),
]
_GATED = re.compile(r"^gated: the model's answer was not shown \((.*)\)$")


_BLIND = re.compile(r"^(.+) cannot look at pictures: ")
_UNSHOWN = re.compile(r"^the picture \S+ could not be shown to the model \((not downloaded|its file is missing|its file "
                      r"is unreadable)[^)]*\)")
_UNSHOWN_WHY = {"not downloaded": "його не завантажено", "its file is missing": "файлу немає в бібліотеці",
                "its file is unreadable": "файл не читається"}


def picture_note(warning: str) -> str | None:
    """A picture question's warning in Ukrainian (the model could not look at the picture), None for others."""
    if m := _BLIND.match(warning):
        # The model's name stays in the warning (English, under «Подробиці»): the reader's line needs none.
        return "Відповідь написано за підписом і описом зображення: модель, що відповідала, не бачить зображень."
    if m := _UNSHOWN.match(warning):
        return (f"Зображення не вдалося показати моделі ({_UNSHOWN_WHY[m.group(1)]}): вона відповіла лише за його "
                "підписом і описом. Завантажити файли: batchrag crawl --images-only.")
    return None


def warning_note(warning: str) -> str:
    """A warning as the page shows it: the gate's verdict and the picture notes in Ukrainian, anything else as the
    pipeline wrote it."""
    picture = picture_note(warning)
    if picture:
        return picture
    m = _GATED.match(warning)
    if not m:
        return warning
    reasons = []
    for part in m.group(1).split("; "):
        for rx, uk in _GATE_REASONS:
            if rx.fullmatch(part):
                reasons.append(rx.sub(uk, part))
                break
        else:
            reasons.append("вона не пройшла перевірку")  # the reason itself stays in the warnings (English)
    return "Відповідь моделі не показано, бо " + ", ".join(dict.fromkeys(reasons)) + "; нижче — цитати з джерел."


def is_demo_answer(answer: Answer) -> bool:
    """True when the packaged demo model (Gemma 3 270M) answered (its gated text replaced by quotes included): a
    backend that neither writes answers nor only quotes."""
    return not answer.writes_answers and not answer.quotes_only


def reader_notes(answer: Answer) -> list[str]:
    """The lines a reader sees under an answer, all Ukrainian: that a model's answer was withheld, that it is not in
    Ukrainian, that the archive does not reach the asked time. The rest goes under «Подробиці» (answer_notes)."""
    notes = []
    if is_demo_answer(answer):
        notes.append(DEMO_NOTE)
    gated = [w for w in answer.warnings if _GATED.match(w)]
    if gated:
        notes.append(warning_note(gated[0]))
    if not answer.language_ok:
        notes.append("Увага: відповідь не українською.")
    notes += [n for w in answer.warnings if (n := picture_note(w))]
    return notes

