"""Vision captioners against loopback servers in Ollama's and OpenAI's formats; what a model sees; junk refused."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from batchrag.llm.captioners.base import NO_VISION, NoCaptioner, clean_caption, prepare_image
from batchrag.llm.captioners.ollama_vision import OllamaCaptioner
from batchrag.llm.captioners.openai_vision import OpenAICaptioner
from batchrag.llm.captioners.registry import CAPTIONERS
from batchrag.settings import Settings
from tests.support.net import closed_port_url
from tests.support.ollama_wire import Reply, ScriptedOllama
from tests.support.openai_wire import ScriptedOpenAI

CAPTION = "A bar chart comparing the accuracy of three models; the largest reaches 91 percent."


@pytest.fixture
def picture(tmp_path):
    p = tmp_path / "abc.png"
    Image.new("RGB", (3000, 1500), (200, 30, 30)).save(p)
    return p


def test_a_big_picture_is_downscaled_and_an_animation_shows_its_first_frame(tmp_path, picture):
    data, mime = prepare_image(picture, 1024)
    assert mime == "image/jpeg" and Image.open(io.BytesIO(data)).size == (1024, 512)
    gif = tmp_path / "def.gif"
    Image.new("P", (10, 10)).save(gif)
    Image.new("RGB", (40, 20), (0, 0, 255)).save(tmp_path / "def.still.png")
    assert Image.open(io.BytesIO(prepare_image(gif, 1024)[0])).size == (40, 20)


def test_ollama_gets_the_picture_in_images_and_the_caption_comes_back(picture):
    srv = ScriptedOllama(models=["gemma3:4b"], per_model={"gemma3:4b": Reply([CAPTION])}).start()
    try:
        cap = CAPTIONERS.create("auto", Settings(ollama_host=srv.url))
        assert isinstance(cap, OllamaCaptioner) and cap.name == "ollama:gemma3:4b"
        data, mime = prepare_image(picture, 512)
        assert cap.describe(data, mime, "Models Compared") == CAPTION
    finally:
        srv.stop()
    body = srv.chat_requests()[0]
    msg = body["messages"][0]
    assert base64.b64decode(msg["images"][0]) == data and "Models Compared" in msg["content"]
    assert body["stream"] is False


def test_the_openai_format_gets_an_image_url_part(picture):
    srv = ScriptedOpenAI(reply=CAPTION, models=["qwen2.5-vl"]).start()
    try:
        cap = CAPTIONERS.create("openai:qwen2.5-vl", Settings(openai_base_url=srv.url))
        assert isinstance(cap, OpenAICaptioner)
        data, mime = prepare_image(picture, 512)
        assert cap.describe(data, mime, "T") == CAPTION
    finally:
        srv.stop()
    parts = srv.requests[0]["messages"][0]["content"]
    assert parts[1]["image_url"]["url"] == "data:image/jpeg;base64," + base64.b64encode(data).decode()


def test_without_a_vision_model_auto_says_what_to_start():
    cap = CAPTIONERS.create("auto", Settings(ollama_host=closed_port_url()))
    assert isinstance(cap, NoCaptioner) and cap.reason == NO_VISION and "ollama pull gemma3:4b" in NO_VISION


@pytest.mark.parametrize(
    "text, why",
    [("  ", "empty"), ("Гістограма точності трьох моделей.", "not English"), ("word " * 150, "far too long"),
     ("a red square a red square a red square a red square", "repeats itself")],
)
def test_junk_captions_are_refused_with_a_reason(text, why):
    assert clean_caption(text) == (None, why)


def test_a_good_caption_is_kept_as_one_line():
    assert clean_caption(f'  "{CAPTION}\n" ') == (CAPTION, "")
