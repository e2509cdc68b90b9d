"""The `openai:<model>` captioner: a vision model behind an OpenAI-compatible server (`image_url` content parts)."""

from __future__ import annotations

import base64

from batchrag.llm.captioners.base import Captioner, CaptionError, _post
from batchrag.llm.prompts import build_caption_prompt
from batchrag.settings import Settings


class OpenAICaptioner(Captioner):
    def __init__(self, settings: Settings, model: str) -> None:
        if not settings.llm.openai_base_url:
            raise CaptionError("openai:<model> captions need BATCHRAG_OPENAI_BASE_URL")
        self.base = settings.llm.openai_base_url.rstrip("/")
        self.name, self.model = f"openai:{model}", model
        self.timeout_s = settings.captions.timeout_s
        self.headers = {"Authorization": f"Bearer {settings.llm.openai_api_key}"} if settings.llm.openai_api_key else {}

    def describe(self, image: bytes, mime: str, story_title: str) -> str:
        url = f"data:{mime};base64,{base64.b64encode(image).decode()}"
        body = {
            "model": self.model,
            "messages": [{"role": "user", "content": [
                {"type": "text", "text": build_caption_prompt(story_title)},
                {"type": "image_url", "image_url": {"url": url}},
            ]}],
            "max_tokens": 160,
            "temperature": 0.0,
        }
        reply = _post(f"{self.base}/chat/completions", body, self.headers, self.timeout_s, f"the server at {self.base}")
        choices = reply.get("choices") or [{}]
        return (choices[0].get("message") or {}).get("content") or ""
