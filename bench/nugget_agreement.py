"""How far the answer measures agree with a reader's judgement, and whether each nugget is in its story (JSON).

usage:
  python bench/nugget_agreement.py agree PER_QUESTION.jsonl... [--judged bench/nuggets/judged-40.jsonl]
  python bench/nugget_agreement.py check QUESTIONS.jsonl... [--data-dir DIR]

agree: the per-question files of `batchrag eval QUESTIONS --answers --per-question FILE` (one a set, quotes without a
model); for each answer judged by hand (judged-40.jsonl: "yes" = the shown quotes state the asked fact, "partly" and
"no" = they do not), whether `nuggets_carried` and `quotes_carry` say the same; the agreement is the share of judged
answers where they do (a measure that says nothing, null, counts as "not carried"). An answer whose text is not the
one judged (its sha256 differs: quote selection changed since) is counted apart in `same_answer`: the agreement
then compares today's measure with yesterday's judgement and says less.
check: every nugget of the set's file (bench/nuggets/<stem>.jsonl) occurs, by the rule of its kind, in the text of
the question's relevant stories in the library, and its letter flag is right.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from batchrag.evaluate.nuggets import NUGGETS_DIR, load_nuggets, nugget_in, nuggets_carried, nuggets_path
from batchrag.evaluate.run import load_questions
from batchrag.evaluate.scoring import is_relevant
from batchrag.settings import Settings
from batchrag.store import open_store

JUDGED = NUGGETS_DIR / "judged-40.jsonl"


def answer_sha(answer: str) -> str:
    return hashlib.sha256(answer.encode("utf-8")).hexdigest()[:16]


def _carried(row: dict, nuggets: dict[str, dict]) -> bool:
    """The row's own nuggets_carried, or (a per-question file written before the measure) judged here."""
    if row.get("nuggets_carried") is not None:
        return row["nuggets_carried"] == 1.0
    entry = nuggets.get(row["id"])
    return bool(entry) and nuggets_carried(entry["nuggets"], row["answer"])


def agree(per_question: list[Path], judged_file: Path) -> dict:
    rows = {r["id"]: r for f in per_question for r in map(json.loads, f.read_text(encoding="utf-8").splitlines())}
    judged = [json.loads(line) for line in judged_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    nuggets: dict[str, dict] = {}
    for name in {j["set"] for j in judged}:
        path = nuggets_path(Path(f"{name}.jsonl"))
        nuggets |= load_nuggets(path) if path else {}
    seen = [j for j in judged if j["id"] in rows]
    out: dict = {"judged": len(judged), "answered": len(seen),
                 "same_answer": sum(answer_sha(rows[j["id"]]["answer"]) == j["answer_sha"] for j in seen),
                 "judged_yes": sum(j["judgement"] == "yes" for j in seen)}
    disagree: dict[str, list] = {"nuggets_carried": [], "quotes_carry": []}
    for j in seen:
        row, yes = rows[j["id"]], j["judgement"] == "yes"
        verdicts = {"nuggets_carried": _carried(row, nuggets), "quotes_carry": row.get("quotes_carry") == 1.0}
        for key, said in verdicts.items():
            if said != yes:
                disagree[key].append({"id": j["id"], "judgement": j["judgement"], "measure": said})
    for key, misses in disagree.items():
        out[f"{key}_agreement"] = round(1 - len(misses) / len(seen), 4) if seen else None
        out[f"{key}_yes"] = sum(_carried(rows[j["id"]], nuggets) if key == "nuggets_carried"
                                else rows[j["id"]].get("quotes_carry") == 1.0 for j in seen)
    out["disagreements"] = disagree
    return out


def check(questions: list[Path], data_dir: Path | None) -> dict:
    store = open_store(Settings(data_dir=data_dir) if data_dir else Settings())
    by_issue: dict[int | None, list] = {}
    for art in store.iter_articles():
        by_issue.setdefault(art.issue, []).append(art)
    out: dict = {}
    for qfile in questions:
        path = nuggets_path(qfile)
        if path is None:
            out[qfile.stem] = None
            continue
        entries, problems = load_nuggets(path), []
        answerable = [q for q in load_questions(qfile) if q["kind"] == "text" and q["relevant"]]
        for q in answerable:
            entry = entries.get(q.get("id"))
            if entry is None:
                problems.append({"id": q.get("id"), "problem": "no nugget entry"})
                continue
            arts = [a for r in q["relevant"] for a in by_issue.get(r.get("issue"), [])
                    if is_relevant(a.issue, a.title, a.section, [r])]
            text = "\n".join(a.text for a in arts)
            if entry["letter"] != any(a.section == "letter" for a in arts):
                problems.append({"id": q["id"], "problem": "letter flag"})
            problems += [{"id": q["id"], "problem": "not in the story", "nugget": n}
                         for n in entry["nuggets"] if not nugget_in(n, text)]
        out[qfile.stem] = {"answerable": len(answerable), "entries": len(entries), "problems": problems}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("agree")
    a.add_argument("per_question", type=Path, nargs="+")
    a.add_argument("--judged", type=Path, default=JUDGED)
    c = sub.add_parser("check")
    c.add_argument("questions", type=Path, nargs="+")
    c.add_argument("--data-dir", type=Path)
    args = ap.parse_args()
    res = agree(args.per_question, args.judged) if args.cmd == "agree" else check(args.questions, args.data_dir)
    print(json.dumps(res, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
