"""A picture beside the sources: shown to a model that can see (Ollama `images`, OpenAI `image_url`), cited as [n]
like a story; a model that cannot see, or a picture without its file, answers from its words with a warning."""

from __future__ import annotations

import base64
import io
from datetime import date

import pytest
from PIL import Image

from batchrag.answer import Answerer
from batchrag.domain.types import Hit, ImageHit, SearchResult
from batchrag.llm.extractive import ExtractiveBackend
from batchrag.llm.ollama import OllamaBackend
from batchrag.llm.openai_compat import OpenAICompatBackend
from batchrag.retrieve.query import is_picture_request
from batchrag.settings import Settings
from tests.support.net import closed_port_url
from tests.support.ollama_wire import Reply
from tests.support.openai_wire import ScriptedOpenAI

STORY = Hit(21, "https://www.deeplearning.ai/the-batch/issue-921/#chips", "Chips Get Cheap", date(2031, 2, 1), 921,
            "story", "GPU rental prices fell by two thirds over the year, the story says.", 0.8)
CHART = "A bar chart: GPU rental prices fall from 40 to 12 dollars an hour between January and December."
ANSWER = "На діаграмі ціни оренди GPU падають з 40 до 12 доларів за годину [1]."


@pytest.fixture
def library(tmp_path):
    """A data dir whose images/ holds a big chart and an animation with its first frame beside it."""
    images = tmp_path / "images"
    images.mkdir()
    Image.new("RGB", (2000, 1000), (30, 120, 200)).save(images / "chart.png")
    frames = [Image.new("RGB", (300, 200), c) for c in ((255, 0, 0), (0, 255, 0))]
    frames[0].save(images / "anim.gif", save_all=True, append_images=frames[1:])
    Image.new("RGB", (300, 200), (255, 0, 0)).save(images / "anim.still.png")  # what the crawl writes
    return Settings(data_dir=tmp_path, caption_max_px=512, ollama_host=closed_port_url())


def picture(local_path: str | None = "chart.png", machine: str = CHART) -> ImageHit:
    return ImageHit("https://www.deeplearning.ai/img/chart.png", "Chart of GPU prices", "", STORY.article_id,
                    STORY.url, STORY.title, 1.0, local_path, machine_caption=machine)


def result() -> SearchResult:
    return SearchResult([STORY], [], searched_query="q", rewrite="none")


def vision_ollama(ollama, settings: Settings, sees: bool = True) -> Answerer:
    ollama.models.append("gemma3:4b")
    ollama.capabilities["gemma3:4b"] = ["completion", "vision"] if sees else ["completion"]
    s = settings.with_changes(**{"ollama_host": ollama.url, "ollama_model": "gemma3:4b"})
    return Answerer(s, backend=OllamaBackend(s.llm))


def shown(request: dict) -> list[Image.Image]:
    """The pictures an /api/chat request carries, decoded."""
    user = request["messages"][-1]
    return [Image.open(io.BytesIO(base64.b64decode(b))) for b in user.get("images", [])]


def test_ollama_sees_the_picture_downscaled_and_the_answer_cites_it(ollama, library):
    ollama.default = Reply([ANSWER])
    a = vision_ollama(ollama, library).answer_whole("Що показує ця діаграма?", result(), [picture()])
    (req,) = ollama.chat_requests()
    (im,) = shown(req)
    assert im.format == "JPEG" and im.size == (512, 256)  # 2000×1000 downscaled past caption_max_px
    user = req["messages"][1]["content"]
    assert "<<<ДЖЕРЕЛО 1>>> (назва: Зображення до статті «Chips Get Cheap»; тип: зображення, додане" in user
    assert CHART.rstrip(".") in user and "<<<ДЖЕРЕЛО 2>>> (назва: Chips Get Cheap;" in user
    assert a.answer == ANSWER and a.warnings == []
    pic, story = a.sources
    assert (pic.n, pic.picture, pic.cited, pic.url) == (1, picture().url, True, STORY.url)
    assert story.picture is None and not story.cited
    assert a.images[0].url == picture().url and a.images[0].machine_caption == CHART
    j = a.to_json()["sources"]
    assert j[0]["picture"] == picture().url and "picture" not in j[1]


def test_an_animation_is_shown_as_its_first_frame(ollama, library):
    ollama.default = Reply([ANSWER])
    vision_ollama(ollama, library).answer_whole("Що на цій анімації?", result(), [picture("anim.gif")])
    (im,) = shown(ollama.chat_requests()[0])
    assert im.format == "JPEG" and im.size == (300, 200)
    r, g, b = im.convert("RGB").getpixel((150, 100))
    assert r > 200 and g < 60  # the red first frame, not the green second one


def test_openai_compatible_sees_it_as_an_image_url_part(library):
    srv = ScriptedOpenAI(reply=ANSWER, models=["qwen2.5-vl"]).start()
    try:
        s = library.with_changes(**{"openai_base_url": srv.url, "openai_model": "qwen2.5-vl",
                                       "openai_vision": True})
        a = Answerer(s, backend=OpenAICompatBackend(s.llm)).answer_whole("Що показує ця діаграма?", result(), [picture()])
    finally:
        srv.stop()
    (req,) = srv.requests
    assert req["stream"] is True
    text, image = req["messages"][1]["content"]
    assert text["type"] == "text" and "тип: зображення, додане" in text["text"]
    url = image["image_url"]["url"]
    assert image["type"] == "image_url" and url.startswith("data:image/jpeg;base64,")
    assert Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).size == (512, 256)
    assert a.answer == ANSWER and a.sources[0].cited and a.sources[0].picture and a.warnings == []


def test_openai_compatible_without_the_vision_setting_answers_from_the_words(library):
    srv = ScriptedOpenAI(reply=ANSWER, models=["local"]).start()
    try:
        s = library.with_changes(**{"openai_base_url": srv.url})
        a = Answerer(s, backend=OpenAICompatBackend(s.llm)).answer_whole("Що показує ця діаграма?", result(), [picture()])
    finally:
        srv.stop()
    assert isinstance(srv.requests[0]["messages"][1]["content"], str)  # no content parts: text only
    assert a.warnings == ["openai (local) cannot look at pictures: the picture was given to it by its alt text and "
                          "description only"]


def test_a_model_that_cannot_see_answers_from_the_alt_and_caption_with_one_warning(ollama, library):
    ollama.default = Reply([ANSWER])
    a = vision_ollama(ollama, library, sees=False).answer_whole("Що показує ця діаграма?", result(), [picture()])
    (req,) = ollama.chat_requests()
    assert shown(req) == [] and "images" not in req["messages"][1]
    user = req["messages"][1]["content"]
    assert "саму картинку не додано, лише її опис" in user and "Alt text: Chart of GPU prices." in user
    assert CHART.rstrip(".") in user
    assert a.sources[0].cited and a.sources[0].picture == picture().url
    assert [w for w in a.warnings if "pictures" in w] == a.warnings and len(a.warnings) == 1
    assert a.warnings[0].startswith("ollama (gemma3:4b) cannot look at pictures")


def test_the_quote_fallback_quotes_the_pictures_description(library):
    a = Answerer(library, backend=ExtractiveBackend()).answer_whole("Що показує ця діаграма?", result(), [picture()])
    assert "[1]" in a.answer and a.sources[0].cited and a.sources[0].picture
    assert a.warnings == ["extractive (quotes) cannot look at pictures: the picture was given to it by its alt text "
                          "and description only"]


@pytest.mark.parametrize(("local_path", "why"), [("gone.png", "its file is missing"), (None, "not downloaded")])
def test_a_picture_without_its_file_is_described_not_shown_and_says_so(ollama, library, local_path, why):
    ollama.default = Reply([ANSWER])
    a = vision_ollama(ollama, library).answer_whole("Що показує ця діаграма?", result(), [picture(local_path)])
    (req,) = ollama.chat_requests()
    assert shown(req) == [] and "саму картинку не додано" in req["messages"][1]["content"]
    (w,) = a.warnings
    assert f"could not be shown to the model ({why})" in w and "batchrag crawl --images-only" in w
    assert a.answer == ANSWER and a.sources[0].cited


def test_a_picture_outside_images_is_not_read(ollama, library, tmp_path):
    Image.new("RGB", (8, 8)).save(tmp_path / "secret.png")  # a real picture, outside images/
    ollama.default = Reply([ANSWER])
    a = vision_ollama(ollama, library).answer_whole("Що це?", result(), [picture("../secret.png")])
    assert shown(ollama.chat_requests()[0]) == []
    assert any("its file is missing" in w for w in a.warnings)


def test_picture_requests_are_recognised():
    for q in ("Покажи фото медуз", "Що показує ця діаграма?", "show me a chart of GPU prices", "Є графік цін?"):
        assert is_picture_request(q), q
    for q in ("Що нового у відкритих моделях?", "Who imagined this?"):
        assert not is_picture_request(q), q
