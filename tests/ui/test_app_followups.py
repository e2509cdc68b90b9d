"""AppTest of the follow-ups (issue 43): under an answer, the next questions as buttons; a click asks one in the same
conversation, which gets a second turn."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from batchrag.service.conversations import Conversations
from batchrag.settings import get_settings
from batchrag.ui.page import APP_PATH
from tests.support.followup_library import EXPECTED, QUESTION, build


@pytest.fixture
def followup_env(tmp_path, monkeypatch):
    """The page over the invented library, one source an answer (so the stories followed up are not shown)."""
    s = build(tmp_path / "data")
    for name, value in (("DATA_DIR", str(s.store.data_dir)), ("LLM_BACKEND", "extractive"), ("REWRITE", "off"),
                        ("TOP_K", "1")):
        monkeypatch.setenv(f"BATCHRAG_{name}", value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_a_followup_click_asks_it_in_the_same_conversation(followup_env):
    at = AppTest.from_file(str(APP_PATH), default_timeout=300).run()
    at.chat_input[0].set_value(QUESTION).run()
    assert not at.exception, at.exception
    first = at.session_state["turns"][0]
    assert {f.why: f.story.url for f in first.followups} == EXPECTED
    buttons = [b for b in at.button if b.key and b.key.startswith("followup_0_")]
    assert [b.label for b in buttons] == [f.question for f in first.followups]
    cid = at.session_state["conversation"]
    link = next(b for b in buttons if b.label == next(f.question for f in first.followups if f.why == "link"))
    link.click().run()
    assert not at.exception, at.exception
    turns = at.session_state["turns"]
    assert [t.question for t in turns] == [QUESTION, link.label] and turns[1].answer is not None
    assert turns[1].answer.sources[0].url == EXPECTED["link"]  # the story it was built from answers it
    assert at.session_state["conversation"] == cid and Conversations(get_settings()).get(cid).turn_count == 2
