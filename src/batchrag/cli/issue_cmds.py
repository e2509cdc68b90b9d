"""Reading commands: digest (an issue in Ukrainian) and timeline (a topic through the archive)."""

from __future__ import annotations

from datetime import date as _date
from pathlib import Path

import typer

from batchrag.cli.shell import choices, dump, errors, fail
from batchrag.service import Assistant
from batchrag.service.choices import backend_choices, build_backend
from batchrag.service.digest import Digester
from batchrag.service.digest_export import to_html, to_markdown, write_markdown
from batchrag.service.private_files import write_private_text
from batchrag.service.timeline import build_timeline
from batchrag.settings import get_settings


def digest_cmd(
    issue: int | None = typer.Option(None, "--issue", help="Issue number (default: the newest)."),
    latest: bool = typer.Option(False, "--latest", help="The newest issue (the default)."),
    fmt: str = typer.Option("md", "--format", help="md | html | json."),
    out: Path | None = typer.Option(None, "--out", help="Write here (md: pictures into <name>_files/ beside it)."),
    backend: str | None = typer.Option(None, "--backend", help=choices(backend_choices()) + "."),
) -> None:
    """An issue in Ukrainian: every story with its picture, link and a 2–3 sentence summary (a capable model's,
    kept in the store; without one, the story's English lead, labelled)."""
    if fmt not in ("md", "html", "json"):
        fail(f"unknown --format {fmt!r}; use md, html or json")
    if latest and issue is not None:
        fail("--latest and --issue exclude each other")
    with errors():
        settings = get_settings()  # the backend is the reader's choice: handed to the digester, not a settings copy
        digester = Digester(settings, backend=build_backend(backend, settings) if backend else None)
        d = digester.digest(None if latest else issue)
        digester.mark_seen(d.issue)
    if fmt == "md" and out is not None:
        write_markdown(d, out)
    else:
        text = dump(d, indent=2) if fmt == "json" else to_html(d) if fmt == "html" else to_markdown(d)
        if out is None:
            typer.echo(text)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            write_private_text(out, text)  # 0600, like the data it comes from
    if out is not None:
        typer.echo(f"digest of issue {d.issue}: {len(d.stories)} stories, {d.summarised} summarised → {out}", err=True)
    for note in d.notes:
        typer.secho(f"note: {note}", fg=typer.colors.YELLOW, err=True)


def timeline_cmd(
    topic: str = typer.Argument(..., help="The topic, in Ukrainian or English («регулювання ШІ в ЄС», ChatGPT)."),
    date_from: str | None = typer.Option(None, "--from", help="From this date (YYYY-MM-DD)."),
    date_to: str | None = typer.Option(None, "--to", help="Up to this date (YYYY-MM-DD)."),
    by: str = typer.Option("auto", "--by", help="auto | quarter | year."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """A topic's story through the archive: every story about it, by quarter or year, one line each."""
    try:
        d_from = _date.fromisoformat(date_from) if date_from else None
        d_to = _date.fromisoformat(date_to) if date_to else None
    except ValueError:
        fail("--from/--to want dates like 2024-01-31")
    with errors():
        t = build_timeline(Assistant(get_settings()), topic, date_from=d_from, date_to=d_to, by=by)
    if as_json:
        typer.echo(dump(t, indent=2))
        return
    typer.echo(f"{t.topic}: {t.count} stories ({t.rule}: {', '.join(t.names or t.terms) or 'score floor'})")
    for p in t.periods:
        typer.echo(f"\n== {p.label} ({len(p.stories)})" + (f"\n   {p.sentence}" if p.sentence else ""))
        for s in p.stories:
            typer.echo(f"  {s.date}  {s.title}\n             {s.line}\n             {s.url}")
    for note in t.notes:
        typer.secho(f"note: {note}", fg=typer.colors.YELLOW, err=True)
