"""LLM query rewriting through a real scripted Ollama server: used, cached, and dropped within budget."""

from __future__ import annotations

import time

import pytest

from batchrag.domain.types import Message
from batchrag.retrieve.rewrite.base import clean_query
from batchrag.retrieve.rewrite.registry import REWRITERS
from batchrag.retrieve.rewrite.standalone import rewrite_query, standalone_question
from batchrag.settings import Settings
from tests.support.net import closed_port_url
from tests.support.ollama_wire import Reply, ScriptedOllama


@pytest.fixture
def srv():
    s = ScriptedOllama().start()
    yield s
    s.stop()


def settings(srv, **kw) -> Settings:
    return Settings(ollama_host=srv.url if srv else closed_port_url(), **kw)


def test_rewrite_used_and_cached(srv):
    srv.replies.append(Reply(["What did ", "Ross Intelligence ", "build?"]))
    s = settings(srv)
    q, status = rewrite_query("Що створила Ross Intelligence?", [], s)
    assert (q, status) == ("What did Ross Intelligence build?", "ollama:llama3.1:8b")
    body = srv.chat_requests()[0]
    assert body["options"]["temperature"] == 0.0 and body["messages"][0]["role"] == "system"
    assert "Що створила Ross Intelligence?" in body["messages"][1]["content"]
    # Same question again (a new rewriter, same data dir): answered from SQLite, no second chat request.
    assert rewrite_query("Що створила Ross Intelligence?", [], s) == (q, "ollama:llama3.1:8b")
    assert len(srv.chat_requests()) == 1
    assert (s.store.cache_dir / "rewrites.db").exists()
    # A different history is a different key.
    srv.replies.append(Reply(["How much does Ross Intelligence cost?"]))
    hist = [Message("user", "Що створила Ross Intelligence?"), Message("assistant", "Юридичний пошук [1].")]
    assert rewrite_query("А скільки коштує?", hist, s)[0] == "How much does Ross Intelligence cost?"
    assert len(srv.chat_requests()) == 2 and "Юридичний пошук" in srv.chat_requests()[1]["messages"][1]["content"]


def test_server_down_is_skipped_quickly():
    t = time.monotonic()
    q, status = rewrite_query("Що нового в Gemini?", [], settings(None))
    assert q is None and status.startswith("skipped: no rewriting model")
    assert time.monotonic() - t < 3


def test_server_down_with_rewrite_on_names_the_reason():
    rw = REWRITERS.create("ollama", settings(None))
    assert rw.rewrite("Що нового в Gemini?") is None and "not reachable" in rw.last_reason


def test_slow_rewrite_is_dropped_within_budget(srv):
    srv.replies.append(Reply(["What is new in Gemini?"], first_delay_s=3.0))
    t = time.monotonic()
    q, status = rewrite_query("Що нового в Gemini?", [], settings(srv, rewrite_budget_s=0.5))
    assert q is None and status.startswith("skipped:") and ("budget" in status or "timed out" in status)
    assert time.monotonic() - t < 2.0


def test_a_rewrite_that_arrives_too_late_is_kept_for_the_next_ask(srv):
    from batchrag.llm.ollama import OllamaBackend
    from batchrag.retrieve.rewrite.llm_rewriter import LLMRewriter

    s = settings(srv, rewrite_budget_s=0.3)
    rw = LLMRewriter(s, OllamaBackend(s.llm))  # an in-process model keeps going past the budget, like this one
    srv.replies.append(Reply(["What is new in Gemini?"], first_delay_s=1.0))
    assert rw.rewrite("Що нового в Gemini?") is None and "budget" in rw.last_reason
    time.sleep(1.5)
    calls = len(srv.chat_requests())
    assert rw.rewrite("Що нового в Gemini?") == "What is new in Gemini?" and rw.last_cached
    assert len(srv.chat_requests()) == calls


@pytest.mark.parametrize(
    "reply, reason",
    [(["   "], "empty rewrite"), (["Що нового в Gemini?"], "not English"), (["word " * 200], "too long")],
)
def test_junk_rewrite_is_refused(srv, reply, reason):
    srv.replies.append(Reply(reply))
    q, status = rewrite_query("Що нового в Gemini?", [], settings(srv))
    assert q is None and reason in status
    srv.replies.append(Reply(["What is new in Gemini?"]))  # junk is not cached: the next try asks again
    assert rewrite_query("Що нового в Gemini?", [], settings(srv))[0] == "What is new in Gemini?"


def test_model_not_pulled_is_skipped(srv):
    srv.models = ["other:1b"]
    q, status = rewrite_query("Що нового в Gemini?", [], settings(srv))
    assert q is None and status.startswith("skipped:")
    assert srv.chat_requests() == []


def test_off_and_none(srv):
    assert rewrite_query("Що нового?", [], settings(srv, rewrite="off")) == (None, "none")
    assert rewrite_query("Що нового?", [], settings(srv), rewriter="none") == (None, "none")
    assert srv.chat_requests() == []


def test_auto_does_not_use_the_packaged_demo_model():
    q, status = rewrite_query("Що нового в Gemini?", [], settings(None, rewrite="auto"))
    assert q is None and "demo model" in status


def test_embedded_rewriter_really_runs_gemma(tmp_path):
    pytest.importorskip("llama_cpp")
    s = Settings(ollama_host=closed_port_url(), rewrite="on", rewrite_budget_s=30, llm_ctx=2048)
    q, status = rewrite_query("Як робот навчився готувати їжу?", [], s)
    # Not a few-shot example: the 270M model translates it (roughly) into one English line.
    assert status == "embedded:gemma-3-270m-q4_k_m (packaged demo)" and "robot" in q.lower() and "\n" not in q


@pytest.mark.parametrize(
    "raw, out",
    [
        ("What is new in Gemini?", "What is new in Gemini?"),
        ("English search query: \"Gemini news\"\nextra", "Gemini news"),
        ("Query: Llama 3 training data", "Llama 3 training data"),
        ("", None),
        ("Що нового?", None),
    ],
)
def test_clean_query(raw, out):
    assert clean_query(raw, "Що нового в Gemini?")[0] == out


def test_standalone_question_joins_previous_user_turn():
    hist = [Message("user", "Що нового в Gemini?"), Message("assistant", "Багато [1].")]
    assert standalone_question("А ціна?", hist) == "Що нового в Gemini? А ціна?"
    assert standalone_question("Що нового?", []) == "Що нового?"


def test_english_question_skips_translation_but_follow_up_is_rewritten(srv):
    s = settings(srv)
    assert rewrite_query("What did Ross Intelligence build?", [], s) == (None, "skipped: English question")
    assert srv.chat_requests() == []  # no LLM call, not even a health check of the model
    srv.replies.append(Reply(["How much does Ross Intelligence cost?"]))
    hist = [Message("user", "What did Ross Intelligence build?"), Message("assistant", "Legal search [1].")]
    assert rewrite_query("And how much does it cost?", hist, s) == ("How much does Ross Intelligence cost?", "ollama:llama3.1:8b")


FOLLOW_UPS = [
    "А скільки енергії він споживає?", "А скільки коштує?", "Як він працює?", "Чому?", "А ціна?", "І що далі?",
    "Хто їх створив?", "And how much does it cost?", "What about its price?", "How does it work?",
]
STANDALONE = [
    "Покажи зображення робота, який складає білизну", "Що нового в Gemini?",
    "Як Andrew Ng радить вчитися машинному навчанню тим, хто працює повний день?",
    "Які нові моделі для генерації відео з'явилися у 2024 році?", "What did Ross Intelligence build?",
    "Що це за модель Llama 3?", "Як супутники стежать за льодовиками в Альпах?",
]


@pytest.mark.parametrize("q", FOLLOW_UPS)
def test_a_follow_up_is_read_with_the_previous_question(q):
    hist = [Message("user", "Що створила Ross Intelligence?"), Message("assistant", "… [1]")]
    assert standalone_question(q, hist) == f"Що створила Ross Intelligence? {q}"


@pytest.mark.parametrize("q", STANDALONE)
def test_a_new_question_is_never_glued_to_the_last_one(q):
    hist = [Message("user", "Як робот навчився готувати їжу?"), Message("assistant", "… [1]")]
    assert standalone_question(q, hist) == q
