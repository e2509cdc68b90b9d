"""OpenAI-compatible chat servers (vLLM, llama.cpp's server, LM Studio, llamafile, Ollama's /v1) as a backend."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import httpx

from batchrag.domain.types import Message
from batchrag.llm.base import BackendStatus, LLMBackend, LLMError
from batchrag.settings import LLMSettings


class OpenAICompatBackend(LLMBackend):
    """`POST {base}/chat/completions` with `stream: true` (server-sent events), `GET {base}/models` for health."""

    name = "openai"

    def __init__(self, llm: LLMSettings, *, timeout_s: float | None = None, model: str | None = None) -> None:
        base = (llm.openai_base_url or "").rstrip("/")
        self.base = base if not base or base.startswith(("http://", "https://")) else "http://" + base
        self.model = model or llm.openai_model
        self.context_tokens = llm.ctx
        self.timeout_s = timeout_s if timeout_s is not None else llm.timeout_s
        self.vision = llm.openai_vision
        self._headers = {"Authorization": f"Bearer {llm.openai_api_key}"} if llm.openai_api_key else {}

    def _unset(self) -> str:
        return "no OpenAI-compatible server configured — set BATCHRAG_OPENAI_BASE_URL (e.g. http://127.0.0.1:8000/v1)"

    def health(self) -> BackendStatus:
        if not self.base:
            return BackendStatus(False, self._unset())
        try:
            r = httpx.get(f"{self.base}/models", headers=self._headers, timeout=min(3.0, self.timeout_s))
        except httpx.HTTPError:
            return BackendStatus(False, f"OpenAI-compatible server not reachable at {self.base}")
        if r.status_code in (401, 403):
            return BackendStatus(False, f"{self.base} refused the API key (HTTP {r.status_code}): set BATCHRAG_OPENAI_API_KEY")
        if r.status_code >= 400:
            return BackendStatus(False, f"{self.base}/models answered HTTP {r.status_code}")
        return BackendStatus(True, f"{self.model} at {self.base}")

    @property
    def sees_images(self) -> bool:
        """The server cannot be asked; BATCHRAG_OPENAI_VISION says its model reads `image_url` parts."""
        return self.vision

    def stream(
        self, messages: list[Message], *, max_tokens: int, temperature: float, stop: list[str] | None
    ) -> Iterator[str]:
        if not self.base:
            raise LLMError(self._unset())
        body = {
            "model": self.model,
            "messages": [_message(m) for m in messages],
            "stream": True,
            "max_tokens": max_tokens,
            "temperature": temperature,
        }
        if stop:
            body["stop"] = stop
        partial: list[str] = []
        timeout = httpx.Timeout(self.timeout_s, connect=min(5.0, self.timeout_s))
        try:
            with httpx.stream("POST", f"{self.base}/chat/completions", json=body, headers=self._headers,
                              timeout=timeout) as r:
                if r.status_code >= 400:
                    r.read()
                    raise LLMError(f"{self.base} answered HTTP {r.status_code}: {r.text.strip()[:200]}")
                done = False
                for line in r.iter_lines():
                    if not line.startswith("data:"):
                        continue  # comments, event names, keep-alives
                    data = line[5:].strip()
                    if data == "[DONE]":
                        done = True
                        break
                    chunk = json.loads(data)
                    if chunk.get("error"):
                        raise LLMError(f"server error: {chunk['error']}", "".join(partial))
                    choice = (chunk.get("choices") or [{}])[0]
                    piece = (choice.get("delta") or {}).get("content") or ""
                    if piece:
                        partial.append(piece)
                        yield piece
                    if choice.get("finish_reason"):
                        done = True
                if not done:
                    raise LLMError("the server's stream ended before the answer was complete", "".join(partial))
        except httpx.ConnectError as e:
            raise LLMError(f"OpenAI-compatible server not reachable at {self.base}") from e
        except httpx.TimeoutException as e:
            raise LLMError(f"{self.base} timed out after {self.timeout_s:g} s", "".join(partial)) from e
        except (httpx.HTTPError, ValueError) as e:
            raise LLMError(f"the server's stream broke mid-answer ({type(e).__name__})", "".join(partial)) from e


def _message(m: Message) -> dict:
    """One turn in the chat-completions shape: with pictures, text and `image_url` parts (JPEG `data:` URLs)."""
    if not m.images:
        return {"role": m.role, "content": m.content}
    parts = [{"type": "text", "text": m.content}]
    parts += [{"type": "image_url", "image_url": {"url": "data:image/jpeg;base64," + base64.b64encode(im).decode()}}
              for im in m.images]
    return {"role": m.role, "content": parts}
