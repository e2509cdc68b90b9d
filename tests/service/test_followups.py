"""Next questions under an answer (service/followups.py, issue 43): each from an archive story the answer did not
show — the topic's next story, an older story the cited one names, the company's newer story — worded without a
model as «Більше про “<title>”», and its own search finds that story."""

from __future__ import annotations

import pytest

from batchrag.domain.types import Message
from batchrag.service import Questions, ask_request
from batchrag.settings import Settings
from tests.support.followup_library import EXPECTED, QUESTION, build
from tests.support.ollama_wire import Reply, ScriptedOllama


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Settings:
    return build(tmp_path_factory.mktemp("followups") / "data")


def test_followups_come_from_stories_the_answer_did_not_show(library):
    door = Questions(library)
    asked = door.ask(ask_request(question=QUESTION, k=1))
    assert asked.followups() == []  # before the answer is done: nothing (they never delay it)
    answer = asked.answer()
    assert [s.title for s in answer.sources] == ["Robot Arm Folds Towels in Seconds"]
    offered = {f.why: f for f in asked.followups()}
    assert {w: f.story.url for w, f in offered.items()} == EXPECTED
    shown = {s.url for s in answer.sources} | {h.url for h in asked.result.hits}
    assert not shown & {f.story.url for f in offered.values()}
    for f in offered.values():
        assert f.question == f"Більше про “{f.story.title}”"  # no model that writes: the title's template
        assert f.to_json() == {"question": f.question, "story": {"url": f.story.url, "title": f.story.title},
                               "why": f.why}
        # A click asks it in the same conversation: its own search ranks the story it was built from first.
        history = [Message("user", asked.question.text), Message("assistant", answer.answer)]
        assert asked.assistant.search(f.question, history).hits[0].url == f.story.url


def test_a_refusal_offers_nothing(library):
    asked = Questions(library).ask(ask_request(question="Хто виграв чемпіонат світу з футболу 1966 року?", k=2))
    if not asked.answer().refused:
        pytest.skip("the quotes found a sentence close enough: no refusal to check here")
    assert asked.followups() == []


def test_a_model_that_writes_words_them_as_ukrainian_questions(library):
    srv = ScriptedOllama(replies=[
        Reply(["Робот складає рушники за секунди [1]."]),  # the answer
        Reply(["«Де ще працюють роботи, що складають рушники?»\nПояснення: …"]),  # topic: its first line, unquoted
        Reply(["What did Gripnet learn to grasp?"]),  # link: English is no reader's question: the title's template
        Reply(["Що OpenAI створює у власній лабораторії обладнання?"]),  # company
    ]).start()
    try:
        asked = Questions(library.with_changes(ollama_host=srv.url)).ask(
            ask_request(question=QUESTION, k=1, backend="ollama"))
        assert asked.answer().backend == "ollama"
        offered = {f.why: f.question for f in asked.followups()}
        prompts = [r["messages"][-1]["content"] for r in srv.chat_requests()[1:]]
    finally:
        srv.stop()
    assert offered == {"topic": "Де ще працюють роботи, що складають рушники?",
                       "link": "Більше про “Gripnet Learns to Grasp Soft Objects”",
                       "company": "Що OpenAI створює у власній лабораторії обладнання?"}
    assert [p.split("(назва: ", 1)[1].split(")")[0] for p in prompts] == [
        "Towel-Folding Robots Reach Hotel Laundries", "Gripnet Learns to Grasp Soft Objects",
        "OpenAI Opens a Hardware Lab"]  # each worded from the story it leads to
