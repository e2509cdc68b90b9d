"""Server commands: serve (the Streamlit page), api (the HTTP API), mcp (MCP over stdio); each started by name."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from importlib.util import find_spec

import typer

from batchrag.cli.shell import errors, fail
from batchrag.service import Library, build_demo_library, network_available
from batchrag.service.keys import Keys, is_loopback
from batchrag.service.llm_status import model_status
from batchrag.service.page_access import PageAccess
from batchrag.service.schedule import SyncSchedule, parse_duration
from batchrag.settings import Settings, get_settings


def streamlit_command(settings: Settings, host: str | None = None, port: int | None = None) -> list[str]:
    """`streamlit run` of the page, for readers: no Deploy button, no developer menu, wherever it is started from."""
    # The page is started by path, not imported: the CLI never loads the UI (docs/ARCHITECTURE.md).
    page = find_spec("batchrag.ui.page").origin
    return [sys.executable, "-m", "streamlit", "run", page,
            "--server.address", host or settings.serve.ui_host, "--server.port", str(port or settings.serve.ui_port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal"]


def serve_cmd(
    demo: bool = typer.Option(False, "--demo", help="Build the demo library first (offline)."),
    host: str | None = typer.Option(None, help="Bind address (default: settings.serve.ui_host)."),
    port: int | None = typer.Option(None, help="Port (default: settings.serve.ui_port)."),
    no_auth: bool = typer.Option(False, "--no-auth", help="Bind beyond loopback with no key and no "
                                 "serve.ui_password (anyone who reaches the port may use the page, buttons included)."),
    sync_every: str | None = typer.Option(None, "--sync-every", metavar="DURATION",
                                          help="Crawl and index every DURATION (6h, 30m, 1d) while the page runs; "
                                          "one process of all those sharing the store at a time."),
) -> None:
    """Start the Streamlit app (the same as `streamlit run app/ui/app.py`).

    Beyond loopback, with a key (`batchrag keys create`) or serve.ui_password set, the page asks for one first."""
    with errors():
        every = every_sync(sync_every)
    settings = get_settings()
    open_page(settings, host or settings.serve.ui_host, no_auth)
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

    ms = model_status(settings)
    if not ms.capable:
        typer.secho(f"answers: {ms.backend} ({ms.model}) — {ms.hint}", fg=typer.colors.YELLOW, err=True)
    schedule = None
    if every:  # in this process, beside the page's: the page follows the new index by itself
        schedule = SyncSchedule(settings, every).start()
        typer.echo(f"syncing the library every {sync_every} (crawl + index; one process at a time)", err=True)
    try:
        raise typer.Exit(run_page(streamlit_command(settings, host, port)))
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    finally:
        if schedule is not None:
            schedule.stop(timeout=1)


STOP_GRACE_S = 10.0  # what a stopped page gets to close its sessions before it is killed


def run_page(cmd: list[str], grace_s: float = STOP_GRACE_S) -> int:
    """Run the page as this process's child and return its exit code (128 + the signal that ended it). SIGTERM or
    SIGINT to this process (systemd, a container, `kill`, Ctrl-C) is passed on to the page and waited for, grace_s
    at most, then the page is killed: a stopped `serve` never leaves the page serving its port without a parent."""
    started: list[subprocess.Popen] = []
    stop_by: list[float] = []  # the deadline once a stop signal came

    def pass_on(signum: int, _frame: object) -> None:
        stop_by[:] = stop_by or [time.monotonic() + grace_s]
        if started and started[0].poll() is None:
            started[0].send_signal(signum)

    # Installed before the child starts: a signal in between would end this process alone and orphan the page.
    previous = {sig: signal.signal(sig, pass_on) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        child = subprocess.Popen(cmd)
        started.append(child)
        if stop_by:  # stopped while it was starting
            child.terminate()
        while True:
            try:
                code = child.wait(timeout=0.5)  # a short wait, so the grace period is checked while it runs
                break
            except subprocess.TimeoutExpired:
                if stop_by and time.monotonic() > stop_by[0]:
                    child.kill()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if started and started[0].poll() is None:  # an error in this function: still no orphan
            started[0].kill()
            started[0].wait()
    return code if code >= 0 else 128 - code


def open_page(settings: Settings, bind: str, no_auth: bool) -> None:
    """Refuse a page beyond loopback that nobody can log in to, unless --no-auth (then warn, and tell the page)."""
    with errors():
        if is_loopback(bind) or PageAccess(settings, bind).can_log_in():
            return
    if not no_auth:
        fail(f"refusing to serve the page on {bind} with no key and no password: anyone who reaches the port could "
             "use it; create a key with `batchrag keys create NAME --role admin`, set BATCHRAG_SERVE__UI_PASSWORD "
             "(or pass --no-auth)")
    exposed(no_auth=True)
    typer.secho(f"warning: --no-auth: the page on {bind} is open to anyone who reaches it", fg=typer.colors.YELLOW,
                err=True)


def exposed(**serve: object) -> None:
    """Tell the processes this one starts (the page, the API's workers) how they are exposed: they read settings
    from the environment, and decide whether keys are required from it when they start (service/exposure.py)."""
    for name, value in serve.items():
        os.environ[f"BATCHRAG_SERVE__{name.upper()}"] = str(value).lower() if isinstance(value, bool) else str(value)
    get_settings.cache_clear()


def every_sync(text: str | None) -> float:
    """--sync-every for this process and the workers it starts (they read settings from the environment)."""
    if text is None:
        return 0.0
    seconds = parse_duration(text)
    exposed(sync_every_s=seconds)
    return seconds


def api_cmd(
    host: str | None = typer.Option(None, help="Bind address (default: settings.serve.api_host, 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port (default: settings.serve.api_port, 8000)."),
    workers: int = typer.Option(1, min=1, max=64, help="API processes sharing the library (one index load each)."),
    no_auth: bool = typer.Option(False, "--no-auth", help="Bind beyond loopback with no API key (anyone who reaches "
                                 "the port may ask: logged as a warning on every start)."),
    sync_every: str | None = typer.Option(None, "--sync-every", metavar="DURATION",
                                          help="Crawl and index every DURATION (6h, 30m, 1d): one process of all "
                                          "those sharing the store at a time; the others follow the new index."),
) -> None:
    """Start the HTTP API: /search, /ask (Server-Sent Events), /v1/chat/completions, /health, /metrics, /docs.

    Beyond loopback, with serve.require_keys, or once any key exists (`batchrag keys create`), every route but /health
    needs `Authorization: Bearer <key>`, and keeps needing one after the last revoke (docs/security.md)."""
    # Imported here: uvicorn only for the command that serves, not at CLI start-up.
    import uvicorn

    settings = get_settings()
    bind = host or settings.serve.api_host
    with errors():
        every_sync(sync_every)
        keyed = Keys(settings).required()
    if not keyed and not is_loopback(bind):
        if not no_auth:
            fail(f"refusing to serve {bind} with no API key: anyone who reaches the port could ask; create one with "
                 "`batchrag keys create NAME` (or pass --no-auth)")
        typer.secho(f"warning: --no-auth: the API on {bind} answers anyone who reaches it", fg=typer.colors.YELLOW,
                    err=True)
    # Each worker decides its key rule from these (and links its feed to them when serve.public_url is empty).
    exposed(api_host=bind, api_port=port or settings.serve.api_port, no_auth=no_auth and not keyed)
    settings = get_settings()
    # By import string, like the page by path: the CLI never imports a sibling front end (docs/ARCHITECTURE.md),
    # and each worker builds its own app (its own retriever) from the environment.
    uvicorn.run("batchrag.api.routes:create_app", factory=True, host=bind, port=settings.serve.api_port, workers=workers, log_level="warning", timeout_graceful_shutdown=5,
                timeout_keep_alive=settings.serve.api_keep_alive_s, http=HEADER_DEADLINE_PROTOCOL)


def mcp_cmd() -> None:
    """Serve the library to an MCP client over stdio: search_the_batch, get_article, ask_the_batch."""
    # By module name, like `api` by import string: the server runs as its own program (`batchrag-mcp`) on this
    # process's stdin/stdout, and the CLI never imports a sibling front end (docs/ARCHITECTURE.md).
    try:
        raise typer.Exit(subprocess.call([sys.executable, "-m", MCP_SERVER_MODULE]))
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


MCP_SERVER_MODULE = "batchrag.api.mcp_server"
HEADER_DEADLINE_PROTOCOL = "batchrag.api.slow_clients:HeaderDeadlineProtocol"  # uvicorn's, with a header deadline
