"""What readers' ratings become: the readers' eval set (`batchrag feedback export`) and the admins' summary.

A rated question whose reader named the story that answers it is a `text` question of `batchrag eval` with that
story as `relevant` (docs/contracts.md#eval-questions-file); a 👎 without a story is listed apart, to be labelled.
Neither carries a key's name or identity: only the question, what was searched and shown, and the rating.
"""

from __future__ import annotations

from datetime import date, datetime, time

from batchrag.answer.language import detect_language
from batchrag.domain.site import LETTER
from batchrag.store.conversations import answer_from_record

NEWEST_DOWN = 10  # the admin's list of the newest 👎


def since_moment(since: date | datetime | None) -> datetime | None:
    """A day's start (UTC) or a moment; None: from the first rating."""
    if since is None or isinstance(since, datetime):
        return since
    return datetime.combine(since, time.min)


def relevant_of(story: dict) -> dict:
    """The eval file's `relevant` entry for a stored story: a letter by its issue, any other story by its title."""
    entry = {"issue": story["issue"]} if story.get("issue") is not None else {}
    if story.get("section") == LETTER:
        return entry | {"section": LETTER}
    return entry | {"title": story["title"]}


def _lang(question: str) -> str:
    found = detect_language(question)
    return found if found in ("uk", "en") else "uk"  # the page is Ukrainian: a short question is a reader's own


def _sources(answer_json: str) -> list[dict]:
    a = answer_from_record(answer_json)
    return [{"n": s.n, "title": s.title, "url": s.url, "issue": s.issue, "cited": s.cited} for s in a.sources]


def export_rows(store, since: date | datetime | None = None) -> dict:
    """{"questions": eval-file lines, "to_label": 👎 without a story, "counts"}; the newest rating first."""
    questions, to_label, skipped = [], [], 0
    for r in store.rated_turns(since_moment(since)):
        story = store.story_by_url(r["story_url"]) if r["story_url"] else None
        base = {"id": f"fb-{r['answer_id']}", "lang": _lang(r["question"]), "question": r["question"]}
        note = {"rating": r["rating"], "reason": r["reason"], "rated_at": r["rated_at"].isoformat()}
        if story is not None:
            questions.append(base | {"kind": "text", "relevant": [relevant_of(story)], "source": "feedback"} | note)
        elif r["rating"] == "down":
            to_label.append(base | {"query": r["query"], "text": r["text"], "sources": _sources(r["answer_json"])}
                            | note)
        else:  # 👍 without a story: the reader liked it, nobody said which story answers
            skipped += 1
    return {"questions": questions, "to_label": to_label,
            "counts": {"questions": len(questions), "to_label": len(to_label), "skipped": skipped}}


def summary(store, since: date | datetime | None = None, newest: int = NEWEST_DOWN) -> dict:
    """The share of 👍 by ISO week (oldest first) and the newest 👎 with their searched query and sources."""
    rows = store.rated_turns(since_moment(since))
    weeks: dict[str, list[int]] = {}
    for r in rows:
        year, week, _ = r["rated_at"].isocalendar()
        tally = weeks.setdefault(f"{year}-W{week:02d}", [0, 0])
        tally[0 if r["rating"] == "up" else 1] += 1
    by_week = [{"week": w, "up": up, "down": down, "share_up": round(up / (up + down), 4)}
               for w, (up, down) in sorted(weeks.items())]
    downs = [{"answer_id": r["answer_id"], "question": r["question"], "query": r["query"], "reason": r["reason"],
              "text": r["text"], "story": r["story_url"], "rated_at": r["rated_at"].isoformat(),
              "sources": _sources(r["answer_json"])}
             for r in rows if r["rating"] == "down"][:newest]
    return {"total": len(rows), "weeks": by_week, "newest_down": downs}
