"""API keys of a team server: `batchrag keys create NAME [--role reader|admin] | list | revoke NAME`."""

from __future__ import annotations

import typer

from batchrag.cli.shell import dump, errors
from batchrag.service.keys import Keys
from batchrag.settings import get_settings


def keys_create_cmd(
    name: str = typer.Argument(..., help="Whose key it is (a person or a service), 1–64 letters, digits, . _ @ -."),
    role: str = typer.Option("reader", "--role", help="reader (asks and searches) | admin (also /metrics, /library/update, /models/pull)."),
) -> None:
    """Create a key and print it once: only its hash is kept."""
    with errors():
        key = Keys(get_settings()).create(name, role)
    typer.echo(key)
    typer.echo(f"key {name!r} ({role}) created: it is shown only now; send it as `Authorization: Bearer <key>`",
               err=True)


def keys_list_cmd(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Every key's name, role, when it was created and last used (never the key)."""
    with errors():
        rows = Keys(get_settings()).list()
    if as_json:
        typer.echo(dump(rows))
        return
    if not rows:
        typer.echo("no keys: the API answers only on loopback (`batchrag keys create NAME`)")
    for r in rows:
        used = r["last_used"].strftime("%d.%m.%Y %H:%M") if r["last_used"] else "never"
        typer.echo(f"{r['name']}\t{r['role']}\tcreated {r['created'].strftime('%d.%m.%Y %H:%M')}\tlast used {used}")


def keys_revoke_cmd(name: str = typer.Argument(..., help="The key's name.")) -> None:
    """Revoke a key: every API process refuses it within a second or two."""
    with errors():
        Keys(get_settings()).revoke(name)
    typer.echo(f"key {name!r} revoked", err=True)
