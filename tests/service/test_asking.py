"""The one door for a question (service/asking.py): an AskRequest validated once, and the parts the door shares —
one retriever per reranker, one backend per (backend, model) — while the settings stay the library's (issue 39)."""

from __future__ import annotations

import pytest

from batchrag.service import AskRequest, BadChoice, EmptyQuestion, Questions, ask_request
from batchrag.service.conversations import ConversationNotFound


@pytest.fixture(scope="module")
def settings(corpus, tmp_path_factory):
    s = corpus.build(tmp_path_factory.mktemp("asking") / "data", "use-m3")
    return s.with_changes(**{"rewrite": "off", "llm_backend": "extractive"})


def test_per_question_choices_keep_the_loaded_parts(settings):
    door = Questions(settings)
    plain = door.assistant_for(AskRequest(question="a"))
    chosen = door.assistant_for(AskRequest(question="b", k=3, mode="vector", tags=["climate"], pictures=0))
    assert chosen is plain and plain.settings is settings  # no copy of the settings per choice
    assert door.assistant_for(AskRequest(question="c", model=settings.llm.ollama_model)) is plain  # the default


def test_one_retriever_per_reranker_and_one_backend_per_backend_and_model(settings):
    door = Questions(settings)
    plain = door.assistant_for(AskRequest(question="a"))
    e5 = door.assistant_for(AskRequest(question="a", reranker="e5"))
    assert plain.retriever is door.retriever() and plain.retriever.reranker is None
    assert e5.retriever is door.retriever("e5") and e5.retriever.reranker is not None
    ollama = door.assistant_for(AskRequest(question="a", backend="ollama", model="qwen2.5:7b"))
    also = door.assistant_for(AskRequest(question="a", backend="ollama", model="qwen2.5:7b", reranker="e5"))
    assert ollama.backend is also.backend and ollama.backend.model == "qwen2.5:7b"  # built once, shared
    assert also.retriever is e5.retriever and ollama.settings is settings
    assert door.backend("ollama").model == settings.llm.ollama_model
    door.forget_backends()  # auto may pick again; the loaded index stays
    assert door.backend("ollama", "qwen2.5:7b") is not ollama.backend and door.retriever("e5") is e5.retriever


def test_the_door_prepares_searches_answers_and_keeps(settings):
    door = Questions(settings)
    asked = door.ask(AskRequest(question="  How fast are Alpine glaciers melting?  ", k=2), keep=True)
    assert asked.question.text == "How fast are Alpine glaciers melting?" and len(asked.result.hits) == 2
    assert "search_total" in asked.timings_ms and asked.turn is None  # kept as the Answer passes
    a = asked.answer()
    assert len(a.sources) == 2 and asked.turn.answer == a and asked.turn.timings_ms["total"] > 0
    follow = door.ask(AskRequest(question="And in Greenland?", conversation_id=asked.turn.conversation_id))
    assert follow.result.searched_query.startswith("How fast are Alpine")  # the kept turn was its history
    assert follow.answer() and follow.turn.position == 2


def test_nothing_is_kept_unless_asked(settings):
    door = Questions(settings)
    before = len(door.conversations.list())
    asked = door.ask(AskRequest(question="Which chip runs on a coin cell?"))
    asked.answer()
    assert asked.turn is None and len(door.conversations.list()) == before


def test_refusals_come_before_any_search(settings, tmp_path):
    door = Questions(settings)
    with pytest.raises(EmptyQuestion):
        door.ask(AskRequest(question="   "))
    with pytest.raises(ConversationNotFound):
        door.ask(AskRequest(question="Що нового?", conversation_id="AAAAAAAAAAAA"))


@pytest.mark.parametrize(("fields", "says"), [
    ({"k": 0}, "k: Input should be greater than or equal to 1"),
    ({"backend": "nope"}, "backend: unknown LLM backend 'nope'; choose one of: auto"),
    ({"reranker": "st"}, "reranker: unknown reranker 'st'"),
    ({"mode": "dense"}, "mode: Input should be 'vector', 'bm25' or 'hybrid'"),
])
def test_a_bad_choice_is_one_line(fields, says):
    with pytest.raises(BadChoice) as e:
        ask_request(question="x", **fields)
    assert str(e.value).startswith(says) and "\n" not in str(e.value)
    assert ask_request(question="x", k=None, backend=None).k is None  # None: not chosen


def test_a_client_naming_ever_new_models_does_not_grow_the_door():
    from batchrag.service.asking import MAX_KEPT
    from batchrag.settings import Settings

    door = Questions(Settings().with_changes(llm_backend="extractive"))
    for i in range(50):  # what a hostile reader could send in POST /ask's `model`
        door.assistant_for(AskRequest(question="a", backend="ollama", model=f"m{i}:1b")).backend  # noqa: B018
    assert len(door._backends) <= MAX_KEPT and len(door._assistants) <= MAX_KEPT
    kept = door.backend("ollama", "m49:1b")
    assert door.backend("ollama", "m49:1b") is kept  # the newest stay
