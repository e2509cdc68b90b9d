"""Readers' feedback: `batchrag feedback ID up|down [--reason CODE] [--text T] [--story URL]` rates a kept answer;
`batchrag feedback export [--since DATE] [--json] [--out FILE]` writes the readers' eval set.

One command for both (an answer's id is 12 characters, never `export`), so that the rating reads as the issue and
`ask --keep`'s follow-up line say it. The export's JSONL is a question file `batchrag eval` reads; the 👎 without a
story (to be labelled) go to `FILE.to-label.jsonl` beside `--out`, or into `--json`'s object (docs/contracts.md).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import typer

from batchrag.cli.shell import dump, errors, fail
from batchrag.service.feedback import REASONS, FeedbackBook
from batchrag.service.private_files import write_private_text
from batchrag.settings import get_settings

EXPORT = "export"
REASON_HELP = " | ".join(f"{code} ({label})" for code, label in REASONS.items())


def to_label_path(out: Path) -> Path:
    """Where the 👎 without a story go beside the question file: readers.jsonl → readers.to-label.jsonl."""
    return out.with_name(out.name.removesuffix(".jsonl") + ".to-label.jsonl")


def _lines(rows: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_private_text(path, text)  # 0600: readers' own questions and words
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        fail(f"--since {value!r} is not a date (YYYY-MM-DD)")
    return None


def feedback_cmd(
    target: str = typer.Argument(..., metavar="ID|export", help="A kept answer's id (`ask --keep` prints it), or "
                                 "`export`."),
    rating: str | None = typer.Argument(None, metavar="[up|down]", help="With an ID: 👍 (up) or 👎 (down)."),
    reason: str | None = typer.Option(None, "--reason", help=f"With a rating: {REASON_HELP}."),
    text: str = typer.Option("", "--text", help="With a rating: your own words (up to 2,000 characters)."),
    story: str | None = typer.Option(None, "--story", help="With a rating: the URL of the archive story that "
                                     "answers (checked against the library)."),
    since: str | None = typer.Option(None, "--since", help="export: only ratings from this date (YYYY-MM-DD)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (export: {questions, to_label, counts})."),
    out: Path | None = typer.Option(None, "--out", "-o", help="export: write the questions here (JSONL) and the 👎 "
                                    "to label beside it (FILE.to-label.jsonl)."),
) -> None:
    """Rate a kept answer (rating again replaces it), or export the ratings as an eval question file."""
    book = FeedbackBook(get_settings())
    if target.strip() == EXPORT:
        if rating or reason or text or story:
            fail("`feedback export` takes --since, --json and --out only")
        _export(book, _since(since), as_json, out)
        return
    if rating is None:
        fail("give the rating: `batchrag feedback ID up` or `batchrag feedback ID down`")
    if since or out:
        fail("--since and --out are for `batchrag feedback export`")
    with errors():
        got = book.rate(target, None, rating, reason=reason, text=text, story=story)
    if as_json:
        typer.echo(dump(got))
        return
    said = " · ".join(x for x in (got.reason_label, got.story) if x)
    typer.echo(f"{'👍' if got.rating == 'up' else '👎'} {got.answer_id}" + (f" ({said})" if said else ""))


def _export(book: FeedbackBook, since: datetime | None, as_json: bool, out: Path | None) -> None:
    with errors():
        got = book.export(since)
    counts = got["counts"]
    if as_json and out is None:
        typer.echo(dump(got))
        return
    if out is None:
        typer.echo(_lines(got["questions"]), nl=False)
        if got["to_label"]:
            typer.echo(f"{counts['to_label']} 👎 without a story to label: see --json or --out", err=True)
        return
    _write(out, _lines(got["questions"]))
    labels = to_label_path(out)
    _write(labels, _lines(got["to_label"]))
    if as_json:
        typer.echo(dump({"questions_file": out, "to_label_file": labels, "counts": counts}))
        return
    typer.echo(f"wrote {counts['questions']} question(s) to {out} and {counts['to_label']} to label to {labels} "
               f"({counts['skipped']} 👍 without a story left out)", err=True)
