"""AppTest over a real demo library (fixture site → crawl → index), built once for the module."""

from __future__ import annotations

import socket
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from batchrag.settings import get_settings
from batchrag.store import open_store
from batchrag.ui.page import APP_PATH
from batchrag.ui.render import DEMO_NOTE, escape_md

QUESTION = "Що нового у відкритих моделях?"


@pytest.fixture
def app_env(app_env):
    app_env.setenv("BATCHRAG_LLM_MAX_TOKENS", "64")  # the shared page environment (conftest.py), short answers
    get_settings.cache_clear()
    return app_env


def _app() -> AppTest:
    return AppTest.from_file(str(APP_PATH), default_timeout=300).run()


def _ask(at: AppTest, q: str) -> AppTest:
    at.chat_input[0].set_value(q).run()
    assert not at.exception, at.exception
    return at


def _last(at: AppTest):
    return at.session_state["turns"][-1]


def _card_anchors(at: AppTest) -> list[str]:
    return [h.proto.anchor for h in at.subheader if h.proto.anchor]


def _images(at: AppTest) -> list:
    return at.get("image")


def test_library_status_shown(app_env):
    at = _app()
    side = "\n".join(m.value for m in at.sidebar.markdown)
    stats = open_store(get_settings()).stats()
    assert f"Випусків: **{stats['issues']}**" in side and f"статей: **{stats['articles']}**" in side
    assert not [w for w in at.warning if "порожня" in w.value]


def test_embedded_answer_with_cited_cards_and_images(app_env):
    pytest.importorskip("llama_cpp", reason="the embedded LLM is not installed")
    app_env.setenv("BATCHRAG_LLM_BACKEND", "embedded")
    get_settings.cache_clear()
    at = _ask(_app(), QUESTION)
    turn = _last(at)
    a = turn.answer
    assert a is not None and a.sources and turn.error is None
    # The 270M model (named: `auto` passes it over) answers, or its gated text is replaced by quotes, and says so.
    assert a.backend == "embedded" and not a.writes_answers
    assert any(c.value == escape_md(DEMO_NOTE) for c in at.caption)
    anchors = _card_anchors(at)
    shown = [s for s in a.sources if s.cited] or a.sources
    assert anchors == [f"a0-src-{s.n}" for s in shown]
    body = "\n".join(m.value for m in at.markdown)
    for s in a.sources:
        if s.cited:  # every citation the model wrote links to its card
            assert f"(#a0-src-{s.n})" in body
    assert any("Пошуковий запит" in c.value for c in at.caption)
    if a.images:
        assert _images(at), "the answer has pictures but the page shows none"


def test_follow_up_and_new_conversation(app_env):
    at = _ask(_app(), QUESTION)
    at = _ask(at, "А які з них найменші?")
    turns = at.session_state["turns"]
    assert len(turns) == 2 and all(t.answer for t in turns)
    assert {"a0-src-1", "a1-src-1"} & set(_card_anchors(at)) or len(_card_anchors(at)) >= 2
    at.button(key="new_chat").click().run()
    assert at.session_state["turns"] == [] and not _card_anchors(at)


def test_pictures_are_local_files(app_env):
    at = _ask(_app(), "Покажи зображення про роботів")
    a = _last(at).answer
    assert a.images, "the demo library should return pictures"
    imgs = _images(at)
    assert imgs, "no image element on the page"
    # Downloaded pictures are served by Streamlit's media store, never hot-linked from the crawled host.
    urls = [i.url for el in imgs for i in el.proto.imgs]
    assert urls and not [u for u in urls if u.startswith("http")]
    captions = [i.caption for el in imgs for i in el.proto.imgs]
    assert all(captions)


def test_a_picture_request_shows_its_pictures_above_the_answer(app_env):
    at = _ask(_app(), "Покажи зображення про роботів")
    turn = _last(at)
    assert turn.pictures_first and turn.images
    order = [el.type for el in at.main if el.type in ("imgs", "image", "markdown")]
    kinds = ["image" if t in ("imgs", "image") else "text" for t in order]
    first_image = kinds.index("image")
    sources = next(i for i, el in enumerate(x for x in at.main if x.type in ("imgs", "image", "markdown"))
                   if getattr(el, "value", None) == "**Джерела**")
    assert first_image < sources, order
    at = _ask(at, "Що нового у відкритих моделях?")
    assert not _last(at).pictures_first  # an ordinary question keeps its pictures below the sources


def test_a_picture_card_asks_about_its_picture(app_env):
    from batchrag.service import PICTURE_QUESTION_UK
    from batchrag.ui.turns import PICTURE_BUTTON
    from tests.support.ollama_wire import Reply, ScriptedOllama

    srv = ScriptedOllama(models=["gemma3:4b"], capabilities={"gemma3:4b": ["completion", "vision"]},
                         default=Reply(["На зображенні робот [1]."])).start()
    try:
        app_env.setenv("OLLAMA_HOST", srv.url)
        app_env.setenv("BATCHRAG_LLM_BACKEND", "ollama")
        app_env.setenv("BATCHRAG_OLLAMA_MODEL", "gemma3:4b")
        get_settings.cache_clear()
        at = _ask(_app(), "Покажи зображення про роботів")
        first = _last(at).answer
        next(b for b in at.button if b.label == PICTURE_BUTTON).click().run()
        assert not at.exception, at.exception
    finally:
        srv.stop()
    turns = at.session_state["turns"]
    turn = turns[-1]
    assert len(turns) == 2 and turn.question == PICTURE_QUESTION_UK and turn.picture.url == first.images[0].url
    a = turn.answer
    assert a.sources[0].picture == turn.picture.url and a.sources[0].cited and a.warnings == []
    assert srv.chat_requests()[-1]["messages"][1]["images"]  # the model was shown the picture
    assert "a1-src-1" in _card_anchors(at)
    assert any(f"Про зображення до статті «{turn.picture.article_title}»" in c.value for c in at.caption)


def test_ollama_answers_and_the_english_query_is_shown(app_env):
    from tests.support.ollama_wire import Reply, ScriptedOllama

    srv = ScriptedOllama(replies=[Reply(["What is new in open models?"]),
                                  Reply(["Відкриті моделі ", "стали кращими [1]."])]).start()
    try:
        app_env.setenv("OLLAMA_HOST", srv.url)
        app_env.setenv("BATCHRAG_LLM_BACKEND", "auto")
        app_env.setenv("BATCHRAG_REWRITE", "auto")
        get_settings.cache_clear()
        at = _ask(_app(), QUESTION)
    finally:
        srv.stop()
    a = _last(at).answer
    assert a.backend == "ollama" and a.rewrite == "ollama:llama3.1:8b" and a.searched_query == "What is new in open models?"
    assert a.answer == "Відкриті моделі стали кращими [1]." and a.sources[0].cited
    assert any("What is new in open models?" in c.value for c in at.caption)
    assert "(#a0-src-1)" in "\n".join(m.value for m in at.markdown) and _card_anchors(at)
    assert len(srv.chat_requests()) == 2


def test_llm_down_still_shows_sources_and_says_why(app_env):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    app_env.setenv("BATCHRAG_LLM_BACKEND", "ollama")
    app_env.setenv("OLLAMA_HOST", f"http://127.0.0.1:{closed}")
    get_settings.cache_clear()
    at = _ask(_app(), QUESTION)
    turn = _last(at)
    assert turn.answer is not None and turn.answer.backend == "extractive" and turn.answer.sources
    assert any("Мовна модель не відповіла" in w.value and "ollama serve" in w.value for w in at.warning)
    assert _card_anchors(at)
    # No model rewrote the question, so the lexicon's English words were searched beside it, and the page says so.
    assert turn.answer.bridge and any(f"англійські слова зі словника: «{turn.answer.bridge}»" in c.value
                                      for c in at.caption)


def test_date_filter_excludes_everything_in_the_future(app_env):
    at = _app()
    at.date_input(key="date_from").set_value(date(date.today().year + 2, 1, 1)).run()
    at = _ask(at, QUESTION)
    assert _last(at).answer is None
    assert any("Нічого не знайдено" in e.value for e in at.error)


def test_tag_filter_restricts_sources(app_env):
    at = _app()
    tags = at.multiselect(key="tags").options
    assert tags, "the demo library has tagged stories"
    tag = tags[0]
    at.multiselect(key="tags").set_value([tag]).run()
    at.slider(key="k").set_value(3).run()
    at = _ask(at, QUESTION)
    a = _last(at).answer
    assert a is not None and 1 <= len(a.sources) <= 3
    store = open_store(get_settings())
    assert all(tag in store.get_article(s.article_id).tags for s in a.sources)


def test_empty_and_long_questions(app_env):
    at = _ask(_app(), "   ")
    assert any("Порожнє запитання" in e.value for e in at.error)
    at = _ask(at, "моделі " * 600)
    assert any("задовге" in i.value for i in at.info)
    assert _last(at).answer is not None


def test_an_update_running_in_another_process_is_shown(app_env, demo_dir):
    import json
    import time

    from batchrag.service.updater import LEASE, RECORD

    store = open_store(get_settings())
    store.take_lock(LEASE, "other:7:x", 60)  # the scheduled sync of `serve --sync-every`, in its own process
    store.set_meta(RECORD, json.dumps({"stage": "crawl", "message": "Завантаження нових випусків…",
                                       "started_at": time.time(), "finished_at": None, "holder": "other:7:x"}))
    try:
        at = _app()
        assert any("оновлює інший процес сервера" in i.value for i in at.sidebar.info), [i.value for i in at.info]
    finally:
        store.release_lock(LEASE, "other:7:x")
        store.set_meta(RECORD, "{}")
