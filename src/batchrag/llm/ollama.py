"""Ollama backend over its documented HTTP API (/api/tags, /api/show, NDJSON-streaming /api/chat with `images`)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import httpx

from batchrag.domain.types import Message
from batchrag.llm.base import BackendStatus, LLMBackend, LLMError
from batchrag.models.ollama_pull import has_model, host_of, pulled_models
from batchrag.settings import LLMSettings

# Vision-capable tags a reader may already have in Ollama, best first: `auto` captions with the first it finds, and
# an Ollama too old to list capabilities sees with these.
OLLAMA_VISION = ("gemma3:4b", "gemma3:12b", "gemma3:27b", "qwen2.5vl:3b", "qwen2.5vl:7b", "llava:7b", "llava",
                 "llama3.2-vision", "minicpm-v", "bakllava")


class OllamaBackend(LLMBackend):
    name = "ollama"
    pulls_models = True
    context_label = "num_ctx"

    def __init__(self, llm: LLMSettings, *, timeout_s: float | None = None, model: str | None = None) -> None:
        self.host = host_of(llm)
        self.model = model or llm.ollama_model
        self.context_tokens = llm.ctx
        self.timeout_s = timeout_s if timeout_s is not None else llm.timeout_s
        self._sees: bool | None = None

    def _down(self) -> str:
        return f"Ollama is not reachable at {self.host} — start it with `ollama serve`"

    def _missing(self) -> str:
        return f"model {self.model} is not pulled — run `ollama pull {self.model}`"

    def pulled(self) -> set[str] | None:
        """Names of the models this Ollama has (with and without `:latest`), or None when it is not reachable."""
        return pulled_models(self.host, min(3.0, self.timeout_s))

    def has(self, model: str, pulled: set[str] | None) -> bool:
        return has_model(model, pulled)

    def health(self) -> BackendStatus:
        pulled = self.pulled()
        if pulled is None:
            return BackendStatus(False, self._down())
        if not self.has(self.model, pulled):
            return BackendStatus(False, self._missing())
        return BackendStatus(True, f"{self.model} at {self.host}")

    @property
    def sees_images(self) -> bool:
        """`vision` in the model's /api/show capabilities; an Ollama too old to list them: a known vision tag."""
        if self._sees is None:
            try:
                r = httpx.post(f"{self.host}/api/show", json={"model": self.model}, timeout=min(3.0, self.timeout_s))
                r.raise_for_status()
                caps = r.json().get("capabilities")
            except (httpx.HTTPError, ValueError, AttributeError):
                caps = None
            if isinstance(caps, list):
                self._sees = "vision" in caps
            else:
                self._sees = self.model.removesuffix(":latest") in OLLAMA_VISION
        return self._sees

    def stream(
        self, messages: list[Message], *, max_tokens: int, temperature: float, stop: list[str] | None
    ) -> Iterator[str]:
        options = {"num_ctx": self.context_tokens, "temperature": temperature, "num_predict": max_tokens}
        if stop:
            options["stop"] = stop
        body = {
            "model": self.model,
            "messages": [_message(m) for m in messages],
            "stream": True,
            "options": options,
        }
        partial: list[str] = []
        timeout = httpx.Timeout(self.timeout_s, connect=min(5.0, self.timeout_s))
        try:
            with httpx.stream("POST", f"{self.host}/api/chat", json=body, timeout=timeout) as r:
                if r.status_code == 404:
                    raise LLMError(self._missing())
                if r.status_code >= 400:
                    r.read()
                    raise LLMError(f"Ollama answered HTTP {r.status_code}: {r.text.strip()[:200]}")
                done = False
                for line in r.iter_lines():
                    if not line.strip():
                        continue
                    msg = json.loads(line)
                    if msg.get("error"):
                        raise LLMError(f"Ollama error: {msg['error']}", "".join(partial))
                    piece = (msg.get("message") or {}).get("content", "")
                    if piece:
                        partial.append(piece)
                        yield piece
                    if msg.get("done"):
                        done = True
                        break
                if not done:
                    raise LLMError("Ollama stream ended before the answer was complete", "".join(partial))
        except httpx.ConnectError as e:
            raise LLMError(self._down()) from e
        except httpx.TimeoutException as e:
            raise LLMError(f"Ollama timed out after {self.timeout_s:g} s", "".join(partial)) from e
        except (httpx.HTTPError, ValueError) as e:
            raise LLMError(f"Ollama stream broke mid-answer ({type(e).__name__})", "".join(partial)) from e


def _message(m: Message) -> dict:
    """One turn in /api/chat's shape: the pictures it carries go base64 in `images`."""
    out = {"role": m.role, "content": m.content}
    if m.images:
        out["images"] = [base64.b64encode(im).decode() for im in m.images]
    return out
