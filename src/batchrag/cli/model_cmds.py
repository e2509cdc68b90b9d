"""Model commands: `model status`, `model list`, `model pull` (the LLM that answers, and getting a capable one)."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

from batchrag.cli.shell import dump, errors, fail
from batchrag.service.llm_status import model_status
from batchrag.settings import get_settings


def model_status_cmd(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Say which backend and model will answer and why (Ollama reachable? model pulled? GGUF present?)."""
    with errors():
        st = model_status(get_settings())
    if as_json:
        typer.echo(dump(st))
        return
    for line in st.backends:
        typer.echo(f"{'ok ' if line.ok else '-- '} {line.name}: {line.detail}")
    typer.echo(f"answers: {st.backend} ({st.model}); {st.why}")
    if st.hint:
        typer.secho(st.hint, fg=typer.colors.YELLOW, err=True)


def _print_presets(as_json: bool) -> None:
    # Imported here: model_setup costs CLI start-up (~15 ms): only for `model`.
    from batchrag.service.model_setup import presets

    rows = presets()
    if as_json:
        typer.echo(dump(rows))
        return
    for p in rows:
        typer.echo(f"{p.name:14} {p.role:8} {p.size_label:>7}  {p.repo}/{p.filename}  (ollama: {p.ollama or '—'})")
        typer.secho(f"{'':14} {p.note}", dim=True)
    typer.echo("or any hub file: batchrag model pull hf:<owner>/<repo>/<file.gguf>")


def model_list_cmd(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """The models `batchrag model pull` knows by name: role, size, hub file, Ollama tag."""
    _print_presets(as_json)


def model_pull_cmd(
    name: str | None = typer.Argument(
        None, help="A preset (see `batchrag model list`), hf:<owner>/<repo>/<file.gguf>, or an Ollama tag; "
        "default: the configured Ollama model when Ollama runs, else the gemma-3-4b GGUF."
    ),
    via: str = typer.Option("auto", "--via", help="auto (Ollama when it runs, else the hub) | ollama | hub."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    list_: bool = typer.Option(False, "--list", help="List the presets (the small rewriter first) and pull nothing."),
) -> None:
    """Get a capable model: through Ollama's API when Ollama runs, else a checked GGUF from the Hugging Face Hub
    into data/models/ (resumable: run it again after a cut)."""
    # Imported here: model_setup costs CLI start-up (~15 ms): only for `model`.
    from batchrag.service.model_setup import check_name, pull_model

    if list_:
        _print_presets(as_json)
        return
    if via not in ("auto", "ollama", "hub"):
        fail(f"unknown --via {via!r}; use auto, ollama or hub")
    if name is not None:
        with errors():
            check_name(name)  # hf:a/b/../../x.gguf: one line, exit 1, before a progress bar or a request
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn())
    quiet = as_json or not sys.stderr.isatty()
    with errors(), Progress(*columns, disable=quiet, console=Console(stderr=True)) as bar:
        task = bar.add_task("pull", total=None)

        def report(status: str, done: int, total: int) -> None:
            bar.update(task, description=status[:40], completed=done, total=total or None)

        res = pull_model(get_settings(), name, via=via, progress=report)
    if as_json:
        typer.echo(dump(res))
        return
    where = res.path or f"Ollama ({res.model})"
    typer.echo(f"pulled {res.name} ({res.role}) via {res.via}: {where} in {res.seconds:g} s"
               + (f", sha256 {res.sha256[:12]}… verified" if res.sha256 else ""))
    if res.hint:
        typer.secho(res.hint, fg=typer.colors.YELLOW, err=True)
