"""Check a nugget file against the stories its questions name: every nugget must occur in its relevant story.

Usage: python bench/nuggets/check_nuggets.py NUGGETS.jsonl QUESTIONS.jsonl [--db /tmp/archive/articles.db]
Prints JSON: questions and nuggets counted, "missing" (nuggets not in the story), "no_story", "uncovered" (text
questions without nuggets) and "long_phrases" (phrases over 4 content words); exits 1 if any of these but uncovered.
The matching rule is the one issue 42 states for `nuggets_carried`, applied here to the story instead of the
reader's quotes, so a nugget that fails here could never be carried: numbers exactly (thousands separators and
decimal comma/point normalised, "%" = "percent", a number never matches inside a longer one), names by every token,
phrases by every content word as a word prefix of at least 5 letters (the whole word if shorter) in one sentence.
"""

import argparse
import json
import re
import sqlite3
import sys

STOP = frozenset(
    "a an the of in on at to for from by with and or but as is are was were be been being it its this that these "
    "those than then into over under about after before between through per via not no nor so such can could "
    "would should will may might must do does did has have had their his her our your my we you they he she them "
    "us i me which who whom whose what when where why how all any each more most other some own same also only "
    "very just".split()
)
_NUM = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[a-z0-9]+(?:[.'’-][a-z0-9]+)*")


def _norm_number(raw: str) -> str:
    """1,000 and 1.000 (thousands) → 1000; 1,5 and 1.5 (decimal) → 1.5."""
    parts = re.split(r"[.,]", raw)
    if len(parts) == 1:
        return raw
    if all(len(p) == 3 for p in parts[1:]):
        return "".join(parts)
    return "".join(parts[:-1]) + "." + parts[-1]


def tokens(text: str) -> list[str]:
    """Lower-case tokens, numbers normalised, % as 'percent', $ / € / £ as their own tokens."""
    text = text.lower().replace("%", " percent ").replace("\u2212", "-").replace("\u2019", "'")
    text = re.sub(r"([$€£])", r" \1 ", text)
    text = _NUM.sub(lambda m: " " + _norm_number(m.group(0)) + " ", text)
    return re.findall(r"[$€£]|\d+(?:\.\d+)?|[^\W\d_]+(?:['’][^\W\d_]+)?", text)


def _contains_seq(hay: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(hay[i : i + n] == needle for i in range(len(hay) - n + 1))


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def _word_ok(word: str, sent_words: list[str]) -> bool:
    if len(word) < 5:
        return word in sent_words
    return any(w.startswith(word[:5]) for w in sent_words)


def found(nugget: dict, story: str) -> bool:
    text, kind = nugget["text"], nugget["kind"]
    story_toks = tokens(story)
    if kind == "number":
        return _contains_seq(story_toks, tokens(text))
    if kind == "name":
        have = set(story_toks)
        return all(t in have for t in tokens(text))
    words = [t for t in tokens(text) if t not in STOP]
    return any(all(_word_ok(w, tokens(s)) for w in words) for s in sentences(story))


def story_for(db: sqlite3.Connection, rel: dict) -> str | None:
    if rel.get("section") == "letter":
        row = db.execute(
            "select title, text from articles where issue=? and section='letter'", (rel["issue"],)
        ).fetchone()
    else:
        row = db.execute(
            "select title, text from articles where issue=? and title=?", (rel["issue"], rel["title"])
        ).fetchone()
    return None if row is None else row[0] + "\n" + row[1]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("nuggets")
    ap.add_argument("questions")
    ap.add_argument("--db", default="/tmp/archive/articles.db")
    args = ap.parse_args()
    db = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    qs = {q["id"]: q for q in map(json.loads, open(args.questions, encoding="utf-8"))}
    missing, no_story, long_phrases, count, ids = [], [], [], 0, set()
    for line in open(args.nuggets, encoding="utf-8"):
        item = json.loads(line)
        ids.add(item["id"])
        q = qs.get(item["id"])
        story = story_for(db, q["relevant"][0]) if q else None
        if story is None:
            no_story.append(item["id"])
            continue
        for nug in item["nuggets"]:
            count += 1
            if not found(nug, story):
                missing.append({"id": item["id"], "nugget": nug["text"], "kind": nug["kind"]})
            if nug["kind"] == "phrase" and len([t for t in tokens(nug["text"]) if t not in STOP]) > 4:
                long_phrases.append({"id": item["id"], "nugget": nug["text"]})
    uncovered = [i for i, q in qs.items() if q["kind"] == "text" and i not in ids]
    json.dump(
        {
            "questions": len(ids),
            "nuggets": count,
            "missing": missing,
            "no_story": no_story,
            "uncovered": uncovered,
            "long_phrases": long_phrases,
        },
        sys.stdout,
        ensure_ascii=False,
        indent=1,
    )
    print()
    return 1 if missing or no_story or long_phrases else 0


if __name__ == "__main__":
    sys.exit(main())
