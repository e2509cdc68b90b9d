"""Questions about a picture on the demo library, through the service and the CLI, with a scripted vision model."""

from __future__ import annotations

import base64
import io
import json

import pytest
from PIL import Image
from typer.testing import CliRunner

from batchrag.cli import app
from batchrag.service import PICTURE_QUESTION_UK, Assistant, PictureNotFound
from batchrag.service.demo import build_demo_library
from batchrag.settings import Settings, get_settings
from tests.support.asking import answer
from tests.support.net import closed_port_url
from tests.support.ollama_wire import Reply, ScriptedOllama

DOG = "Robot Dogs Inspect Power Lines"
ANSWER = "На зображенні чотирилапий робот іде під лініями електропередачі [1]."


@pytest.fixture(scope="module")
def demo_lib(tmp_path_factory):
    d = tmp_path_factory.mktemp("pictures") / "data"
    build_demo_library(Settings(data_dir=d))
    return d


@pytest.fixture
def env(demo_lib, monkeypatch):
    monkeypatch.setenv("BATCHRAG_DATA_DIR", str(demo_lib))
    monkeypatch.setenv("BATCHRAG_REWRITE", "off")
    monkeypatch.setenv("OLLAMA_HOST", closed_port_url())
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


@pytest.fixture
def vision(env):
    """A vision model in Ollama (gemma3:4b, "vision" in its capabilities), the answering backend."""
    srv = ScriptedOllama(models=["gemma3:4b"], capabilities={"gemma3:4b": ["completion", "vision"]},
                         default=Reply([ANSWER])).start()
    env.setenv("OLLAMA_HOST", srv.url)
    env.setenv("BATCHRAG_OLLAMA_MODEL", "gemma3:4b")
    env.setenv("BATCHRAG_LLM_BACKEND", "ollama")
    get_settings.cache_clear()
    yield srv
    srv.stop()


def _gif(settings: Settings):
    from batchrag.store import open_store

    for art in open_store(settings).iter_articles():
        for im in art.images:
            if im.url.endswith("robot-dog.gif"):
                return im
    raise AssertionError("the demo library has no robot-dog.gif")


def _shown(srv: ScriptedOllama) -> list[Image.Image]:
    return [Image.open(io.BytesIO(base64.b64decode(b))) for r in srv.chat_requests()
            for m in r["messages"] for b in m.get("images", [])]


def test_a_picture_is_found_by_its_url_its_file_or_its_files_name(env):
    s = get_settings()
    gif = _gif(s)
    a = Assistant(s)
    for ref in (gif.url, str(s.store.images_dir / gif.local_path), gif.local_path,
                str(s.store.images_dir / gif.local_path.replace(".gif", ".still.png"))):
        found = a.find_picture(ref)
        assert (found.url, found.article_title, found.local_path) == (gif.url, DOG, gif.local_path), ref
    with pytest.raises(PictureNotFound, match="no picture 'https://x/nope.png' in the library"):
        a.find_picture("https://x/nope.png")


def test_cli_ask_picture_shows_the_model_the_gifs_first_frame_and_cites_it(vision):
    r = CliRunner().invoke(app, ["ask", "--picture", _gif(get_settings()).url, "--json"])
    assert r.exit_code == 0, r.output
    j = json.loads(r.stdout)
    (im,) = _shown(vision)
    assert im.format == "JPEG"  # the animation's first frame (.still.png), never the GIF itself
    (req,) = vision.chat_requests()
    user = req["messages"][1]["content"]
    assert f"Питання: {PICTURE_QUESTION_UK} (Ідеться про зображення — джерело [1].)" in user
    assert f"<<<ДЖЕРЕЛО 2>>> (назва: {DOG};" in user  # its story beside it
    assert j["answer"] == ANSWER and j["backend"] == "ollama" and j["warnings"] == []
    pic, story = j["sources"]
    assert pic["picture"].endswith("robot-dog.gif") and pic["cited"] and pic["title"] == f"Зображення до статті «{DOG}»"
    assert story["title"] == DOG and "picture" not in story
    assert j["images"][0]["url"] == pic["picture"]


def test_a_big_picture_is_downscaled_first(vision, env):
    env.setenv("BATCHRAG_CAPTION_MAX_PX", "16")  # the demo pictures are 48×32
    get_settings.cache_clear()
    Assistant(get_settings()).ask_about_picture(_gif(get_settings()).url, "Що показує ця діаграма?")
    (im,) = _shown(vision)
    assert max(im.size) == 16


def test_without_a_model_that_sees_the_answer_uses_the_pictures_words_and_says_so(env):
    env.setenv("BATCHRAG_LLM_BACKEND", "extractive")
    get_settings.cache_clear()
    r = CliRunner().invoke(app, ["ask", "--picture", _gif(get_settings()).url, "Що робить цей робот?"])
    assert r.exit_code == 0, r.output
    assert "[1]" in r.stdout and "robot-dog.gif" in r.stdout  # the picture is source [1], listed with its URL
    assert "Відповідь написано за підписом і описом зображення" in r.stderr and "warning:" not in r.stderr
    r = CliRunner().invoke(app, ["ask", "--picture", _gif(get_settings()).url, "Що робить цей робот?", "--verbose"])
    assert "warning: extractive (quotes) cannot look at pictures" in r.stderr
    r = CliRunner().invoke(app, ["ask"])
    assert r.exit_code == 1 and "give a question (or --picture" in r.stderr
    r = CliRunner().invoke(app, ["ask", "--picture", "https://x/nope.png"])
    assert r.exit_code == 1 and "no picture 'https://x/nope.png' in the library" in r.stderr


def test_a_picture_request_shows_the_model_its_top_picture(vision):
    a = answer(get_settings(), "Покажи фото робота-собаки під лініями електропередачі")
    assert 1 <= len(_shown(vision)) <= 2
    pics = [s for s in a.sources if s.picture]
    assert pics and pics[0].n == 1 and a.sources[0].cited
    assert DOG in {s.title for s in a.sources if not s.picture}


def test_a_question_that_asks_for_no_picture_attaches_none(vision):
    a = answer(get_settings(), "Як роботи перевіряють лінії електропередачі?")
    assert _shown(vision) == [] and not any(s.picture for s in a.sources)
    assert "/api/show" not in [p for p, _ in vision.requests]  # not even asked whether the model sees
