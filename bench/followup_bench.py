"""Are the follow-ups grounded? For each question of an eval file, ask it (quotes: no model), take the follow-ups
offered under the answer, and run each follow-up's own search as a click asks it (the same conversation: the
question and its answer are the history). Reports JSON: how many were offered, and the share whose search ranks the
story it was built from FIRST (target ≥ 0.9, issue 43), overall and by kind (topic | link | company).

usage: BATCHRAG_DATA_DIR=/tmp/archive python bench/followup_bench.py /work/shared/eval/questions-dev-reader.jsonl
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from batchrag.domain.types import Message
from batchrag.service.asking import Questions, ask_request
from batchrag.settings import get_settings


def run(path: Path, backend: str, limit: int | None, show: bool = False) -> dict:
    questions = Questions(get_settings())
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if r.get("kind", "text") == "text"][:limit]
    offered, first = Counter(), Counter()
    misses, listed, t0, answered = [], [], time.perf_counter(), 0
    follow_s = 0.0
    for row in rows:
        asked = questions.ask(ask_request(question=row["question"], backend=backend))
        answer = asked.answer()
        answered += 1
        t1 = time.perf_counter()
        followups = asked.followups()
        follow_s += time.perf_counter() - t1
        history = [Message("user", asked.question.text), Message("assistant", answer.answer)]
        for f in followups:
            # The click's own search, as the one door runs it: never a lookup of the story it was built from.
            result = asked.assistant.search(f.question, history)
            top = result.hits[0].url if result.hits else None
            offered[f.why] += 1
            if top == f.story.url:
                first[f.why] += 1
            else:
                misses.append({"question": f.question, "why": f.why, "story": f.story.url, "first": top})
            cited = next((s.title for s in answer.sources if s.cited), None)
            listed.append({"asked": row["question"], "cited": cited, "why": f.why, "question": f.question,
                           "first": top == f.story.url})
    total = sum(offered.values())
    return {
        "file": str(path), "backend": backend, "questions": answered, "offered": total,
        "per_question": round(total / max(1, answered), 2),
        "first_share": round(sum(first.values()) / total, 3) if total else None,
        "by_kind": {k: {"offered": n, "first_share": round(first[k] / n, 3)} for k, n in sorted(offered.items())},
        "followups_ms_mean": round(1000 * follow_s / max(1, answered), 1),
        "seconds": round(time.perf_counter() - t0, 1),
        "misses": misses,
    } | ({"offered_list": listed} if show else {})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("questions", type=Path, help="an eval question file (JSONL: question, kind)")
    ap.add_argument("--backend", default="extractive", help="who answers (default: quotes, no model)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N questions")
    ap.add_argument("--list", action="store_true", help="also list every follow-up offered, under what it follows")
    args = ap.parse_args()
    print(json.dumps(run(args.questions, args.backend, args.limit, args.list), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
