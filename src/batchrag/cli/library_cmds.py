"""Library commands: export, import, stats, crawl, index, caption, demo (what the library holds and how it grows)."""

from __future__ import annotations

import json
import sys
from datetime import date as _date
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from batchrag.cli.shell import EMBEDDER_HELP, dump, errors, fail, settings_with
from batchrag.service import Library, build_demo_library
from batchrag.service.captions import caption_pictures
from batchrag.service.private_files import open_private
from batchrag.settings import Settings, get_settings


def export_cmd(file: Path | None = typer.Argument(None, help="Output JSONL file; stdout when omitted.")) -> None:
    """Write every stored article as one JSON line (a backup, or a corpus for an offline machine)."""
    library = Library(get_settings())
    if file is None:
        n = library.export(sys.stdout)
    else:
        tmp = file.with_suffix(file.suffix + ".part")
        try:
            with open_private(tmp) as fp:  # 0600: the library is the owner's, like the data dir it comes from
                n = library.export(fp)
            tmp.replace(file)
        except OSError as exc:
            fail(f"cannot write {file}: {exc.strerror or exc}")
    typer.echo(f"exported {n} articles", err=True)


def import_cmd(file: Path = typer.Argument(..., help="JSONL written by `export` (docs/contracts.md#export-and-import).")) -> None:
    """Load articles from a JSONL file into the store (idempotent)."""
    if not file.exists():
        fail(f"no such file: {file}")
    with errors(), file.open(encoding="utf-8") as fp:
        counts = Library(get_settings()).import_(fp)
    typer.echo(json.dumps(counts, ensure_ascii=False))
    if counts["failed"]:
        raise typer.Exit(1)


def stats_cmd() -> None:
    """Show what the library holds."""
    typer.echo(dump(Library(get_settings()).stats(), indent=2))


def crawl_cmd(
    limit: int | None = typer.Option(None, "--limit", help="Fetch/parse at most N pages this run."),
    since: str | None = typer.Option(None, "--since", help="Skip issues published before this date (YYYY-MM-DD)."),
    refresh: bool = typer.Option(False, "--refresh", help="Re-fetch known pages (conditional GET) and re-parse."),
    offline: bool = typer.Option(False, "--offline", help="No network: re-parse the cached raw pages only."),
    from_dir: Path | None = typer.Option(None, "--from-dir", help="Ingest saved pages (.html/.mhtml) from a folder."),
    base_url: str | None = typer.Option(None, "--base-url", help="Site root to crawl (default: settings.crawl.base_url)."),
    no_images: bool = typer.Option(False, "--no-images", help="Do not download story images."),
    images_only: bool = typer.Option(
        False, "--images-only", help="Fetch only the stored pictures that have no file yet (e.g. after --from-dir)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Crawl The Batch (politely, resumably) into the article store, or ingest saved pages with --from-dir.

    Exit status: 0 updated or unchanged, 2 some pages failed, 3 the site could not be reached (library unchanged).
    """
    try:
        since_d = _date.fromisoformat(since) if since else None
    except ValueError:
        fail(f"--since wants a date like 2024-01-31, not {since!r}")
    library = Library(settings_with(base_url=base_url and base_url.rstrip("/")))
    if from_dir is not None:
        if not from_dir.is_dir():
            fail(f"no such folder: {from_dir}")
        with errors():
            result = library.ingest_dir(from_dir, progress=not as_json)
        typer.echo(dump(result, indent=None if as_json else 2))
        if result.get("failed"):
            raise typer.Exit(2)
        return
    with errors():
        summary = library.crawl(limit=limit, since=since_d, refresh=refresh, offline=offline,
                                progress=not as_json and sys.stderr.isatty(), download_images=not no_images and None,
                                images_only=images_only)
    if as_json:
        typer.echo(dump(summary))
    elif summary.outcome != "unreachable":
        _print_crawl_summary(summary)
    if summary.aborted:  # nothing was lost: every stored page was committed on its own
        last = library.status().last_crawl
        kept = "the library is unchanged" if summary.outcome == "unreachable" else "what was fetched is kept"
        fail(f"{summary.aborted}; {kept} (last updated: {last or 'never'})", code=CRAWL_UNREACHABLE)
    if summary.failed:
        raise typer.Exit(2)


CRAWL_UNREACHABLE = 3  # `crawl` could not check the site: distinct from 0 (nothing new) and 2 (pages failed)


def _print_crawl_summary(summary) -> None:
    t = Table(title="crawl", show_header=False)
    for key in ("outcome", "new", "updated", "unchanged", "discovered", "pages_fetched", "pages_not_modified", "pages_skipped",
                "pages_blocked", "duplicates_linked", "failed", "images_downloaded", "images_failed", "requests",
                "seconds"):
        t.add_row(key.replace("_", " "), str(getattr(summary, key)))
    console = Console()
    console.print(t)
    for f in summary.failures + summary.image_failures:
        console.print(f"[red]failed[/red] {f['url']}: {f['reason']}", markup=True, highlight=False)
    for w in summary.warnings[:20]:
        console.print(f"[yellow]warning[/yellow] {w}", highlight=False)


def index_cmd(
    rebuild: bool = typer.Option(False, "--rebuild", help="Rebuild from scratch (needed to switch embedder)."),
    embedder: str | None = typer.Option(None, "--embedder", help=EMBEDDER_HELP),
    captions: bool = typer.Option(
        False, "--captions", help="First have a vision model caption new pictures (as `batchrag caption`)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Embed new/changed articles into the LanceDB index (unchanged text is never re-embedded)."""
    if captions:
        _caption(get_settings(), None, None, False, quiet=as_json)
    with errors():
        summary = Library(settings_with(embedder=embedder)).index(
            rebuild=rebuild, progress=not as_json and sys.stderr.isatty()
        )
    if as_json:
        typer.echo(dump(summary))
    else:
        d = summary.to_json()
        typer.echo(
            f"index ({d['embedder']}, {d['dim']}-d): {d['articles']} articles, {d['passages']} passages, "
            f"{d['images']} images; +{d['added']} ~{d['updated']} -{d['removed']}, embedded {d['embedded']} texts "
            f"in {d['seconds']} s"
        )


def _caption(settings: Settings, model: str | None, limit: int | None, every: bool, quiet: bool):
    with errors(), Progress(disable=quiet or not sys.stderr.isatty(), transient=True) as bar:
        task = bar.add_task("captions", total=None)
        res = caption_pictures(settings, model=model, limit=limit, every=every,
                               progress=lambda done, total: bar.update(task, completed=done, total=total))
    typer.echo(res.line(), err=True)
    return res


def caption_cmd(
    limit: int | None = typer.Option(None, "--limit", help="Caption at most this many new pictures."),
    model: str | None = typer.Option(
        None, "--model", help="auto | none | ollama:<tag> | openai:<model> (default: BATCHRAG_CAPTION_MODEL)."
    ),
    every: bool = typer.Option(False, "--all", help="Also the pictures whose alt text already says something."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Have a vision model describe the downloaded pictures that lack a good alt text (kept in the store; then
    `batchrag index` searches by them). No vision model: one line saying what to start, and nothing changes."""
    res = _caption(get_settings(), model, limit, every, quiet=as_json)
    if as_json:
        typer.echo(dump(res))


def demo_cmd(as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON.")) -> None:
    """Build the offline demo library: serve the invented fixture site on 127.0.0.1, crawl it, index it."""
    try:
        summary = build_demo_library(get_settings())
    except Exception as exc:  # any failure of the whole pipeline on our own site: say where, one line
        fail(f"demo library not built: {exc}")
    if as_json:
        typer.echo(dump(summary))
    else:
        typer.echo("\n".join(summary.lines()))
