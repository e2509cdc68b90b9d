"""Vision models that caption a story's picture: Ollama (`images` in /api/chat) or an OpenAI-compatible server
(`image_url` content parts), and the CAPTIONERS registry (docs/captions.md)."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import httpx

from batchrag.errors import BatchragError
from batchrag.llm.ollama import OLLAMA_VISION, OllamaBackend
from batchrag.llm.prompts import build_caption_prompt
from batchrag.registry import Registry
from batchrag.settings import Settings

MAX_CAPTION_CHARS = 500


class CaptionError(BatchragError):
    """A picture could not be captioned (server down, timed out, refused the image)."""


class Captioner:
    """Writes an English description of one picture. Subclasses implement `describe`."""

    name = "none"
    model = ""

    def describe(self, image: bytes, mime: str, story_title: str) -> str:
        raise NotImplementedError


def prepare_image(path: Path, max_px: int) -> tuple[bytes, str]:
    """The bytes a model sees: an animation's first frame (the `.still.png` beside it), downscaled past max_px."""
    from PIL import Image

    still = path.with_name(path.name.split(".")[0] + ".still.png")
    src = still if path.suffix.lower() == ".gif" and still.is_file() else path
    with Image.open(src) as im:
        im.seek(0)
        frame = im.convert("RGB") if im.mode not in ("RGB", "L") else im.copy()
    if max(frame.size) > max_px:
        frame.thumbnail((max_px, max_px))
    out = io.BytesIO()
    frame.save(out, format="JPEG", quality=88)
    return out.getvalue(), "image/jpeg"


_LOOP = re.compile(r"(\b\w+(?:\W+\w+){2,8}?\b)(?:\W+\1){2,}", re.I)


def clean_caption(text: str) -> tuple[str | None, str]:
    """A model's caption if it is usable: not empty, English, not far too long, not a loop. (caption | None, why)."""
    t = " ".join((text or "").split()).strip("\"' ")
    if not t:
        return None, "empty"
    letters = [c for c in t if c.isalpha()]
    if not letters or sum(c.isascii() for c in letters) / len(letters) < 0.9:
        return None, "not English"
    if len(t) > MAX_CAPTION_CHARS:
        return None, "far too long"
    if _LOOP.search(t):
        return None, "repeats itself"
    return t, ""


def _post(url: str, body: dict, headers: dict, timeout_s: float, who: str) -> dict:
    """One caption request; every way it can fail is one CaptionError line naming `who` answered (or did not)."""
    try:
        r = httpx.post(url, json=body, headers=headers, timeout=httpx.Timeout(timeout_s, connect=5.0))
    except httpx.TimeoutException as e:
        raise CaptionError(f"no caption within {timeout_s:g} s") from e
    except httpx.HTTPError as e:
        raise CaptionError(f"{who} is not reachable") from e
    if r.status_code >= 400:
        raise CaptionError(f"{who} answered HTTP {r.status_code}: {r.text.strip()[:160]}")
    return r.json()


class OllamaCaptioner(Captioner):
    def __init__(self, settings: Settings, model: str) -> None:
        from batchrag.llm.ollama import OllamaBackend

        self.host = OllamaBackend(settings).host
        self.name, self.model = f"ollama:{model}", model
        self.timeout_s = settings.caption_timeout_s

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


class OpenAICaptioner(Captioner):
    def __init__(self, settings: Settings, model: str) -> None:
        if not settings.openai_base_url:
            raise CaptionError("openai:<model> captions need BATCHRAG_OPENAI_BASE_URL")
        self.base = settings.openai_base_url.rstrip("/")
        self.name, self.model = f"openai:{model}", model
        self.timeout_s = settings.caption_timeout_s
        self.headers = {"Authorization": f"Bearer {settings.openai_api_key}"} if settings.openai_api_key else {}

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


NO_VISION = ("no vision model: start Ollama and `ollama pull gemma3:4b` (or set BATCHRAG_CAPTION_MODEL="
             "openai:<model> with BATCHRAG_OPENAI_BASE_URL); pictures keep their alt text, nothing changed")


class NoCaptioner(Captioner):
    """Stands in when no vision model is available; `reason` says what to start."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _auto(registry, settings: Settings) -> Captioner:
    """settings.caption_model when set; else the first vision model already pulled in Ollama; else none."""
    chosen = settings.caption_model.strip()
    if chosen == "none":
        return NoCaptioner("captions are off (BATCHRAG_CAPTION_MODEL=none)")
    if chosen not in ("", "auto"):
        return registry.create(chosen, settings)
    ollama = OllamaBackend(settings)
    pulled = ollama.pulled()
    for tag in OLLAMA_VISION:
        if ollama.has(tag, pulled):
            return OllamaCaptioner(settings, tag)
    return NoCaptioner(NO_VISION)


CAPTIONERS: Registry[Captioner] = Registry(
    "captioner",
    {"ollama:": "batchrag.llm.vision:OllamaCaptioner", "openai:": "batchrag.llm.vision:OpenAICaptioner"},
    group="batchrag.captioners",
    none=True,
    auto=_auto,
)
