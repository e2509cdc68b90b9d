"""Does the answer carry the asked fact? The fact is written once, by hand, as one to three short English nuggets
taken from the story (bench/nuggets/<question-file-stem>.jsonl), and an answer carries it when every nugget is in
what the reader is shown (docs/decisions/0018-nuggets-measure-the-asked-fact.md):

- number ("20%", "$92 billion", "2022"): exactly. Thousands separators ("1,000", "1 000") and a decimal comma or
  point are read alike; "%" ~ "percent" ~ "відсотків"; a scale word or letter multiplies ("$92 billion" ~ "$92B" ~
  "92 млрд доларів"); a nugget's "%" or "$" must be there too. A number is read whole, so "20" does not match "2020",
  "120" or "20.5". Number words count (one…ten, twelve, twenty, hundred; один…десять). Any other unit word of the
  nugget is for its reader only (the number carries the fact).
- name ("Jeff Maggioncalda"): every token, as a whole word, case-insensitive, in Latin script or in a Ukrainian
  spelling (Cyrillic words are transliterated and both sides reduced to a rough consonant key, with a short table
  for names Ukrainian spells its own way: Ng ~ Ин).
- phrase ("word error rate"): every content word (stop words dropped) in one sentence of the text, as the prefix
  of a word: its first five letters (the whole word where it is shorter), so "translates" meets "translation".
  English only: a Ukrainian answer carries a phrase nugget only where it quotes the English.
Citation marks "[1]" are no part of what is shown.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from batchrag.domain.errors import BatchragError

KINDS = ("number", "name", "phrase")
_SCALE = {"thousand": 1e3, "k": 1e3, "тис": 1e3, "тисяч": 1e3, "тисячі": 1e3, "million": 1e6, "m": 1e6,
          "mn": 1e6, "млн": 1e6, "мільйон": 1e6, "мільйонів": 1e6, "мільйони": 1e6, "мільйона": 1e6,
          "billion": 1e9, "b": 1e9, "bn": 1e9, "млрд": 1e9, "мільярд": 1e9, "мільярдів": 1e9, "мільярди": 1e9,
          "мільярда": 1e9, "trillion": 1e12, "t": 1e12, "трлн": 1e12, "трильйон": 1e12, "трильйонів": 1e12}
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
          "ten": 10, "twelve": 12, "twenty": 20, "hundred": 100, "один": 1, "одна": 1, "два": 2, "дві": 2,
          "три": 3, "чотири": 4, "п'ять": 5, "шість": 6, "сім": 7, "вісім": 8, "дев'ять": 9, "десять": 10}
# A number: digits grouped by thousands (comma, space, no-break space) or not, an optional decimal part, never
# preceded or followed by another digit (or by a decimal separator and a digit), so "2020" is one number. A plain
# space also parts two numbers ("Llama 3 405B"), so the text is read a second time without it (_TIGHT).
_NUMBER = (r"(?<![\w.,])(\d{1,3}(?:[,\u00a0\u202f%s]\d{3})+(?![\d])|\d+)((?:[.,]\d+)?)(?![\d])"
           r"|(?<![\w'])(" + "|".join(sorted(map(re.escape, _WORDS), key=len, reverse=True)) + r")(?![\w'])")
_NUM, _TIGHT = re.compile(_NUMBER % " ", re.IGNORECASE), re.compile(_NUMBER % "", re.IGNORECASE)
_AFTER = re.compile(r"\s*(?:-\s*)?([a-zA-Zа-яіїєґА-ЯІЇЄҐ]+)\.?")
_PERCENT = re.compile(r"^\s*(?:%|per\s*cent|percent|відсот|процент)", re.IGNORECASE)
_DOLLAR_AFTER = re.compile(r"^\s*(?:[a-zA-Zа-яіїєґ]+\.?\s+)?(?:dollars?|usd|доларів|долари|долара|дол\b)",
                           re.IGNORECASE)
_CITE = re.compile(r"\[\d+(?:\s*[,–-]\s*\d+)*\]")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_SENTENCE = re.compile(r"(?<=[.!?»])\s+|[«»\n]+")
STOP = frozenset("""a an the of in on at to for from by with and or but as is are was were be been being it its
this that these those than then there their they them he she his her him we our you your i my me do does did has have
had not no so such can could would should will may might about into over under up out if what which who whom whose how
why when where also more most very just only own same other any some each all both few much many per via""".split())
# Names Ukrainian spells its own way, not by sound: the token's Latin form (lowercase) and its Cyrillic keys.
_NAME_TABLE = {"ng": ("ин", "нг"), "andrew": ("ендрю", "эндрю")}
_CYR = dict(zip("абвгґдеєжзиіїйклмнопрстуфхцчшщьюяэъё",
                ["a", "b", "v", "h", "g", "d", "e", "ie", "zh", "z", "y", "i", "i", "i", "k", "l", "m", "n", "o",
                 "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "iu", "ia", "e", "", "io"],
                strict=True))


def _value(m: re.Match) -> float:
    if m.group(3):
        return float(_WORDS[m.group(3).lower()])
    whole = re.sub(r"[,\u00a0\u202f ]", "", m.group(1))
    return float(whole + (("." + m.group(2)[1:]) if m.group(2) else ""))


def numbers(text: str) -> list[tuple[float, bool, bool]]:
    """Each number of a text as (value with its scale, a percent?, dollars?)."""
    out = []
    for m in (*_NUM.finditer(text), *(_TIGHT.finditer(text) if " " in text else ())):
        value, rest = _value(m), text[m.end():]
        scale = _AFTER.match(rest)
        if scale and scale.group(1).lower() in _SCALE and (len(scale.group(1)) > 1 or not scale.group(0)[0].isspace()):
            value *= _SCALE[scale.group(1).lower()]  # "92B" or "92 billion", not "5 m" (a metre)
            rest = rest[scale.end():]
        before = text[max(0, m.start() - 2):m.start()]
        out.append((round(value, 6), bool(_PERCENT.match(rest)), "$" in before or bool(_DOLLAR_AFTER.match(rest))))
    return out


def _number_in(nugget: str, text: str) -> bool:
    want = numbers(nugget)
    if not want:
        return False  # load_nuggets refuses such a nugget; here it is simply not carried
    value, percent, dollars = want[0]
    return any(v == value and (p or not percent) and (d or not dollars) for v, p, d in numbers(text))


def _key(word: str) -> str:
    """A rough consonant key of a name's spelling, Latin or Cyrillic: Maggioncalda and Маджонкальда alike."""
    w = re.sub(r"(.)\1+", r"\1", "".join(_CYR.get(c, c) for c in word.lower()))
    w = re.sub("w(?![aeiouy])", "", w)  # Goodfellow ~ Гудфеллоу: a w after a vowel is no sound of its own
    for a, b in (("gi", "j"), ("dzh", "j"), ("zh", "j"), ("dj", "j"), ("kh", "h"), ("ph", "f"), ("ck", "k"),
                 ("ch", "c"), ("sh", "s"), ("ts", "c"), ("tz", "c"), ("th", "t"), ("x", "ks"), ("q", "k"),
                 ("w", "v"), ("g", "h"), ("c", "k")):
        w = w.replace(a, b)
    w = re.sub(r"[aeiouy']", "", w)
    return re.sub(r"(.)\1+", r"\1", w)


def _name_in(nugget: str, text: str) -> bool:
    words = [w.lower() for w in _WORD.findall(text)]
    plain = set(words) | {w[:-2] for w in words if w.endswith(("'s", "’s"))}
    cyrillic = {_key(w) for w in words if re.search("[а-яіїєґ]", w)}
    for token in (t.lower() for t in _WORD.findall(nugget)):
        if token in plain:
            continue
        known = _NAME_TABLE.get(token)
        if known and any(w.startswith(k) and len(w) - len(k) <= 2 for k in known for w in words):
            continue
        # A Ukrainian word takes case endings (Маджонкальди, Маджонкальдою): its key may run one letter longer.
        k = _key(token)
        if not k or not any(c == k or (len(k) >= 3 and c.startswith(k) and len(c) - len(k) <= 1) for c in cyrillic):
            return False
    return True


def _content(text: str) -> list[str]:
    return [w for w in (w.lower() for w in _WORD.findall(text)) if w not in STOP]


def _phrase_in(nugget: str, text: str) -> bool:
    want = [w[:5] for w in _content(nugget)]
    for sentence in _SENTENCE.split(text):
        words = [w.lower() for w in _WORD.findall(sentence)]
        if all(any(x.startswith(p) if len(p) == 5 else x == p for x in words) for p in want):
            return True
    return False


_CHECK = {"number": _number_in, "name": _name_in, "phrase": _phrase_in}


def nugget_in(nugget: dict, text: str) -> bool:
    """One nugget ({"text", "kind"}) is in the text, by its kind's rule."""
    return _CHECK[nugget["kind"]](nugget["text"], _CITE.sub(" ", text))


def nuggets_carried(nuggets: list[dict], shown_text: str) -> bool:
    """Every nugget of the question is in what the reader is shown."""
    return bool(nuggets) and all(nugget_in(n, shown_text) for n in nuggets)


def numbers_carried(nuggets: list[dict], shown_text: str) -> bool | None:
    """Every number nugget is in what the reader is shown (None: the question asks for no number)."""
    wanted = [n for n in nuggets if n["kind"] == "number"]
    return all(nugget_in(n, shown_text) for n in wanted) if wanted else None


# The nugget files are bench data, kept beside the benches at the repository's root (bench/nuggets), not packaged:
# they judge answers over the shared question sets, which a clone's bench reads and an installed package never
# has. From src/batchrag/evaluate/ the root is three folders up; an install without the repo finds none (null).
NUGGETS_DIR = Path(__file__).resolve().parents[3] / "bench" / "nuggets"


class NuggetsError(BatchragError, ValueError):
    """A nugget file that is missing or malformed (one line for the command that reads it)."""


def nuggets_path(questions_file: Path, override: Path | None = None) -> Path | None:
    """The nugget file of a question set: the override, else bench/nuggets/<stem>.jsonl where it exists."""
    if override is not None:
        return override
    path = NUGGETS_DIR / f"{Path(questions_file).stem}.jsonl"
    return path if path.is_file() else None


def load_nuggets(path: Path) -> dict[str, dict]:
    """The nugget entries of a file by question id ({"id", "nuggets": [{"text", "kind"}], "letter"})."""
    if not path.is_file():
        raise NuggetsError(f"no such nuggets file: {path}")
    out = {}
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            ok = bool(entry.get("id")) and bool(entry.get("nuggets")) and all(
                n.get("kind") in KINDS and n.get("text") and (n["kind"] != "number" or numbers(n["text"]))
                for n in entry["nuggets"])
        except (ValueError, AttributeError, TypeError):
            ok = False
        if not ok:
            raise NuggetsError(f"{path.name}:{i}: each entry needs an id and nuggets, each a text and a kind of "
                             f"{', '.join(KINDS)} (a number nugget with a number)")
        out[entry["id"]] = entry
    return out
