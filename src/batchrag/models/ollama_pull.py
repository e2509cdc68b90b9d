"""Ollama's models over its HTTP API: which it has (GET /api/tags) and `ollama pull` (POST /api/pull, its NDJSON
progress streamed to a callback)."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx

from batchrag.domain.errors import BatchragError
from batchrag.settings import LLMSettings

PullProgress = Callable[[str, int, int], None]  # (status, bytes done, bytes in all: 0 when unknown)


class PullError(BatchragError):
    """Ollama could not pull the model (not reachable, no such model, cut off)."""


def host_of(llm: LLMSettings) -> str:
    """The configured Ollama's base URL; OLLAMA_HOST is often given as host:port."""
    host = llm.ollama_host.rstrip("/")
    return host if host.startswith(("http://", "https://")) else "http://" + host


def pulled_models(host: str, timeout_s: float) -> set[str] | None:
    """Names of the models the Ollama at `host` has (with and without `:latest`), or None when it is not reachable."""
    try:
        # Plain http needs no certificates: loading them costs 40 ms, and `auto` asks on every question.
        r = httpx.get(f"{host}/api/tags", timeout=timeout_s, verify=host.startswith("https://"))
        r.raise_for_status()
        models = r.json().get("models", [])
    except (httpx.HTTPError, ValueError):
        return None
    names = {m.get(k, "") for m in models for k in ("name", "model")} - {""}
    return names | {n.removesuffix(":latest") for n in names}


def has_model(model: str, pulled: set[str] | None) -> bool:
    """Whether `model` is among `pulled` (pulled_models' answer), with or without `:latest`."""
    return bool(pulled) and (model in pulled or f"{model}:latest" in pulled)


def pull(host: str, model: str, progress: PullProgress | None = None, *, timeout_s: float = 60.0) -> None:
    """Have the Ollama server at `host` pull `model`, reporting each status line; returns on "success"."""
    url = f"{host.rstrip('/')}/api/pull"
    # No read timeout between lines would hang on a dead server; Ollama sends a line at least every few seconds.
    timeout = httpx.Timeout(timeout_s, connect=5.0)
    try:
        with httpx.stream("POST", url, json={"model": model, "stream": True}, timeout=timeout) as r:
            if r.status_code >= 400:
                r.read()
                raise PullError(
                    f"Ollama cannot pull {model}: {_error_text(r.text) or f'HTTP {r.status_code}'}"
                )
            for line in r.iter_lines():
                if not line.strip():
                    continue
                msg = json.loads(line)
                if msg.get("error"):
                    raise PullError(f"Ollama cannot pull {model}: {msg['error']}")
                status = str(msg.get("status", ""))
                if progress is not None:
                    progress(status, int(msg.get("completed") or 0), int(msg.get("total") or 0))
                if status == "success":
                    return
    except httpx.ConnectError as e:
        raise PullError(f"Ollama is not reachable at {host} — start it with `ollama serve`") from e
    except httpx.TimeoutException as e:
        raise PullError(
            f"Ollama stopped reporting while pulling {model} (timed out after {timeout_s:g} s)"
        ) from e
    except (httpx.HTTPError, ValueError) as e:
        raise PullError(
            f"the pull of {model} was cut off ({type(e).__name__}); run it again to resume"
        ) from e
    raise PullError(f"the pull of {model} was cut off before it finished; run it again to resume")


def _error_text(body: str) -> str:
    try:
        return str(json.loads(body).get("error", "")).strip()
    except ValueError:
        return body.strip()[:200]
