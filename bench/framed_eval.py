"""What conversational framing costs: Ukrainian text questions as written and wrapped in a reader's frames (JSON).

usage: python bench/framed_eval.py QUESTIONS.jsonl [DATA_DIR] [--out FRAMED.jsonl]
Each Ukrainian text question gets one of three frames in turn («Що The Batch писав про те, …», «Розкажи, що було в
The Batch: …», «Нагадай з The Batch: …»); both copies are searched over the same index (no rewrite) and the
recall@5 / MRR@10 of each is printed with the loss. `--out` keeps the framed copy for `batchrag eval`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from batchrag.evaluate.run import load_questions, run_eval
from batchrag.settings import Settings

FRAMES = ("Що The Batch писав про те, {q}", "Розкажи, що було в The Batch: {q}", "Нагадай з The Batch: {q}")


def framed(questions: list[dict]) -> list[dict]:
    """The Ukrainian text questions, each wrapped in the next frame (its first letter lower-cased, as one writes)."""
    out = []
    for q in questions:
        if q["kind"] != "text" or q["lang"] != "uk":
            continue
        text = q["question"].strip()
        frame = FRAMES[len(out) % len(FRAMES)]
        out.append(q | {"id": f"{q.get('id', '')}-framed", "question": frame.format(q=text[:1].lower() + text[1:])})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("questions", type=Path)
    ap.add_argument("data_dir", type=Path, nargs="?")
    ap.add_argument("--out", type=Path)
    a = ap.parse_args()
    settings = Settings(data_dir=a.data_dir) if a.data_dir else Settings()
    plain = [q for q in load_questions(a.questions) if q["kind"] == "text" and q["lang"] == "uk"]
    wrapped = framed(plain)
    if a.out:
        a.out.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in wrapped), encoding="utf-8")
    rows = {}
    for name, qs in (("plain", plain), ("framed", wrapped)):
        m = run_eval(qs, settings)["text"]["uk"]
        rows[name] = {"n": m["n"], "recall@5": m["recall@5"], "mrr@10": m["mrr@10"]}
    rows["loss"] = {k: round(rows["plain"][k] - rows["framed"][k], 4) for k in ("recall@5", "mrr@10")}
    print(json.dumps({"questions": str(a.questions), "frames": FRAMES} | rows, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
