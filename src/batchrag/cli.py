"""The `batchrag` command line, shaped like the pipeline: crawl | index | search | ask | eval | serve."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Question answering over The Batch, locally.")


def _fail(msg: str, code: int = 1) -> None:
    typer.secho(f"error: {msg}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


# ============================== store: export / import ==============================
@app.command("export")
def export_cmd(file: Path | None = typer.Argument(None, help="Output JSONL file; stdout when omitted.")) -> None:
    """Write every stored article as one JSON line (a backup, or a corpus for an offline machine)."""
    from batchrag.store import open_store

    store = open_store()
    if file is None:
        n = store.export_jsonl(sys.stdout)
    else:
        tmp = file.with_suffix(file.suffix + ".part")
        with tmp.open("w", encoding="utf-8") as fp:
            n = store.export_jsonl(fp)
        tmp.replace(file)
    typer.echo(f"exported {n} articles", err=True)


@app.command("import")
def import_cmd(file: Path = typer.Argument(..., help="JSONL written by `export` (or the shared corpus file).")) -> None:
    """Load articles from a JSONL file into the store (idempotent)."""
    from batchrag.store import open_store

    if not file.exists():
        _fail(f"no such file: {file}")
    with file.open(encoding="utf-8") as fp:
        counts = open_store().import_jsonl(fp)
    typer.echo(json.dumps(counts, ensure_ascii=False))
    if counts["failed"]:
        raise typer.Exit(1)


@app.command("stats")
def stats_cmd() -> None:
    """Show what the library holds."""
    from batchrag.store import open_store

    typer.echo(json.dumps(open_store().stats(), ensure_ascii=False, indent=2))


# ============================== crawl (owned by the crawl stage) ==============================
# CRAWL-COMMANDS

# ============================== index / search / eval (owned by index+retrieve) ==============================
# INDEX-COMMANDS

# ============================== ask (owned by answer) ==============================
# ASK-COMMANDS

# ============================== demo / serve (owned by ui) ==============================
# UI-COMMANDS


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
