"""Server commands: serve (the Streamlit page), api (the HTTP API), mcp (MCP over stdio); each started by name."""

from __future__ import annotations

import sys

import typer

from batchrag.cli.shell import errors, fail
from batchrag.service import Library, build_demo_library, network_available
from batchrag.settings import Settings, get_settings


def streamlit_command(settings: Settings, host: str | None = None, port: int | None = None) -> list[str]:
    """`streamlit run` of the page, for readers: no Deploy button, no developer menu, wherever it is started from."""
    from importlib.util import find_spec

    # The page is started by path, not imported: the CLI never loads the UI (docs/ARCHITECTURE.md).
    page = find_spec("batchrag.ui.page").origin
    return [sys.executable, "-m", "streamlit", "run", page,
            "--server.address", host or settings.serve.ui_host, "--server.port", str(port or settings.serve.ui_port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal"]


def serve_cmd(
    demo: bool = typer.Option(False, "--demo", help="Build the demo library first (offline)."),
    host: str | None = typer.Option(None, help="Bind address (default: settings.serve.ui_host)."),
    port: int | None = typer.Option(None, help="Port (default: settings.serve.ui_port)."),
) -> None:
    """Start the Streamlit app (the same as `streamlit run app/ui/app.py`)."""
    import subprocess

    settings = get_settings()
    library = Library(settings)
    empty = not library.article_count()
    with errors():
        if demo or (empty and not network_available(settings)):
            typer.echo("library is empty and the site is unreachable: building the offline demo library…"
                       if not demo else "building the demo library…", err=True)
            typer.echo("\n".join(build_demo_library(settings).lines()), err=True)
        elif empty:
            typer.echo(f"the library is empty: crawling the {settings.serve.quick_start_pages} newest pages first "
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


def api_cmd(
    host: str | None = typer.Option(None, help="Bind address (default: settings.serve.api_host, 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port (default: settings.serve.api_port, 8000)."),
    workers: int = typer.Option(1, min=1, max=64, help="API processes sharing the library (one index load each)."),
    no_auth: bool = typer.Option(False, "--no-auth", help="Bind beyond loopback with no API key (anyone who reaches "
                                 "the port may ask: logged as a warning on every start)."),
) -> None:
    """Start the HTTP API: /search, /ask (Server-Sent Events), /v1/chat/completions, /health, /metrics, /docs.

    When any key exists (`batchrag keys create`), every route but /health needs `Authorization: Bearer <key>`."""
    import uvicorn

    from batchrag.service.keys import Keys, is_loopback

    settings = get_settings()
    bind = host or settings.serve.api_host
    with errors():
        keyed = Keys(settings).required()
    if not keyed and not is_loopback(bind):
        if not no_auth:
            fail(f"refusing to serve {bind} with no API key: anyone who reaches the port could ask; create one with "
                 "`batchrag keys create NAME` (or pass --no-auth)")
        typer.secho(f"warning: --no-auth: the API on {bind} answers anyone who reaches it", fg=typer.colors.YELLOW,
                    err=True)
    # By import string, like the page by path: the CLI never imports a sibling front end (docs/ARCHITECTURE.md),
    # and each worker builds its own app (its own retriever) from the environment.
    uvicorn.run("batchrag.api.routes:create_app", factory=True, host=bind,
                port=port or settings.serve.api_port, workers=workers, log_level="warning", timeout_graceful_shutdown=5,
                timeout_keep_alive=settings.serve.api_keep_alive_s)


def mcp_cmd() -> None:
    """Serve the library to an MCP client over stdio: search_the_batch, get_article, ask_the_batch."""
    import subprocess

    # By module name, like `api` by import string: the server runs as its own program (`batchrag-mcp`) on this
    # process's stdin/stdout, and the CLI never imports a sibling front end (docs/ARCHITECTURE.md).
    try:
        raise typer.Exit(subprocess.call([sys.executable, "-m", MCP_SERVER_MODULE]))
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


MCP_SERVER_MODULE = "batchrag.api.mcp_server"
