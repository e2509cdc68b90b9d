"""The `ollama:<tag>` captioner: a vision model in Ollama (`images` in /api/chat)."""

from __future__ import annotations

import base64

from batchrag.llm.captioners.base import Captioner, _post
from batchrag.llm.ollama import OllamaBackend
from batchrag.llm.prompts import build_caption_prompt
from batchrag.settings import Settings


class OllamaCaptioner(Captioner):
    def __init__(self, settings: Settings, model: str) -> None:
        self.host = OllamaBackend(settings.llm).host
        self.name, self.model = f"ollama:{model}", model
        self.timeout_s = settings.captions.timeout_s

    def describe(self, image: bytes, mime: str, story_title: str) -> str:
        body = {
            "model": self.model,
            "messages": [{"role": "user", "content": build_caption_prompt(story_title),
                          "images": [base64.b64encode(image).decode()]}],
            "stream": False,
            "options": {"temperature": 0.0, "num_predict": 160},
        }
        reply = _post(f"{self.host}/api/chat", body, {}, self.timeout_s, f"Ollama at {self.host}")
        return (reply.get("message") or {}).get("content", "")
