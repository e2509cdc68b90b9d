"""Kept conversations: `batchrag conversations list | show ID | export ID [--format md|html] | rename | delete`."""

from __future__ import annotations

from pathlib import Path

import typer

from batchrag.cli.shell import dump, errors, fail
from batchrag.service.conversation_export import FORMATS, when
from batchrag.service.conversations import Conversations
from batchrag.service.private_files import write_private_text
from batchrag.settings import get_settings

ID_HELP = "A conversation's id (`batchrag conversations list`) or one answer's id."


def _off_note(c: Conversations) -> None:
    if not c.enabled:
        typer.echo("history is off (BATCHRAG_STORE__KEEP_HISTORY=false): no new conversation is kept", err=True)


def list_cmd(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Only the N most recently continued."),
) -> None:
    """The kept conversations, the most recently continued first: id, last date, answers, title."""
    with errors():
        c = Conversations(get_settings())
        rows = c.list(limit=limit)
    if as_json:
        typer.echo(dump(rows))
        return
    _off_note(c)
    if not rows:
        typer.echo("no conversations kept yet (every `ask` in the app is kept as one)")
    for r in rows:
        typer.echo(f"{r.id}\t{when(r.updated_at)}\t{r.turn_count} answers\t{r.title}")


def show_cmd(
    some_id: str = typer.Argument(..., metavar="ID", help=ID_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (each answer as `ask --json`, with passages)."),
) -> None:
    """A conversation, or one answer, with its numbered sources and their passages (Markdown)."""
    with errors():
        c = Conversations(get_settings())
        text = dump(c.find(some_id), indent=2) if as_json else c.export(some_id, "md")
    typer.echo(text.rstrip("\n"))


def export_cmd(
    some_id: str = typer.Argument(..., metavar="ID", help=ID_HELP),
    fmt: str = typer.Option("md", "--format", help=f"{' | '.join(FORMATS)} (html: one file, pictures inlined)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write this file (default: stdout)."),
) -> None:
    """A conversation, or one answer, as Markdown or one self-contained HTML page."""
    with errors():
        text = Conversations(get_settings()).export(some_id, fmt)
    if output is None:
        typer.echo(text.rstrip("\n"))
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        write_private_text(output, text)  # 0600: a conversation is its owner's
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    typer.echo(f"wrote {output}", err=True)


def rename_cmd(
    some_id: str = typer.Argument(..., metavar="ID", help="The conversation's id."),
    title: str = typer.Argument(..., help="Its new title."),
) -> None:
    """Give a conversation another title."""
    with errors():
        conv = Conversations(get_settings()).rename(some_id, title)
    typer.echo(f"{conv.id}\t{conv.title}")


def delete_cmd(
    some_id: str | None = typer.Argument(None, metavar="[ID]", help="The conversation's id."),
    every: bool = typer.Option(False, "--all", help="Delete every kept conversation."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before deleting them all."),
) -> None:
    """Delete one conversation, or every one (`--all`)."""
    if bool(some_id) == every:
        fail("give a conversation's ID or --all (not both)")
    with errors():
        c = Conversations(get_settings())
        if some_id:
            c.delete(some_id)
            typer.echo(f"conversation {some_id.strip()} deleted", err=True)
            return
        if not yes and not typer.confirm("Delete every kept conversation?", err=True):
            fail("nothing deleted")
        n = c.delete_all()
    typer.echo(f"{n} conversation(s) deleted", err=True)
