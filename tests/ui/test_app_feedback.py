"""AppTest of the readers' feedback over a real demo library (quotes backend): 👍 / 👎 under a kept answer, changed
with one click, after 👎 the reason, words and the story (a card, or a pasted link checked: a bad one is one
Ukrainian line), all read back from the store after a reload; a shared answer's viewer sees no rating; an admin
(loopback: everyone) sees the summary in the sidebar."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from batchrag.service.feedback import FeedbackBook
from batchrag.settings import get_settings
from batchrag.ui.page import APP_PATH

QUESTION = "Як роботи-собаки перевіряють лінії електропередачі?"


def _app(**query: str) -> AppTest:
    at = AppTest.from_file(str(APP_PATH), default_timeout=300)
    at.query_params.update(query)
    return at.run()


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def test_rate_change_explain_and_read_back_after_a_reload(app_env):
    at = _app()
    at.chat_input[0].set_value(QUESTION).run()
    assert not at.exception, at.exception
    turn = at.session_state["turns"][0]
    key = f"feedback_{turn.id}"
    at.button(key=f"{key}_up").click().run()
    assert FeedbackBook(get_settings()).get(turn.id).rating == "up"
    assert any(c.startswith("Ваша оцінка: 👍") for c in _captions(at))
    at.button(key=f"{key}_down").click().run()  # changed with one click
    assert FeedbackBook(get_settings()).get(turn.id).rating == "down"
    assert at.radio(key=f"{key}_reason").options == ["не те джерело", "неповна відповідь", "помилка в цитаті", "інше"]

    at.radio(key=f"{key}_reason").set_value("wrong_source")
    at.text_input(key=f"{key}_link").set_value("не посилання")
    at.button(key=f"FormSubmitter:{key}_why-Зберегти відгук").click().run()
    assert [e.value for e in at.error] == ["«не посилання» — не посилання на статтю: вставте адресу історії архіву "
                                           "The Batch (https://…)."]
    assert FeedbackBook(get_settings()).get(turn.id).reason is None  # nothing written

    story = turn.answer.sources[-1]
    at.text_input(key=f"{key}_link").set_value(story.url.replace("/#", "/?from=mail#"))
    at.button(key=f"FormSubmitter:{key}_why-Зберегти відгук").click().run()
    assert [s.value for s in at.success] == ["Дякуємо! Відгук збережено."]
    kept = FeedbackBook(get_settings()).get(turn.id)
    assert (kept.rating, kept.reason, kept.story) == ("down", "wrong_source", story.url)

    again = _app(c=at.session_state["conversation"])  # a reload: a new session, read from the store
    line = next(c for c in _captions(again) if c.startswith("Ваша оцінка"))
    assert line.startswith("Ваша оцінка: 👎 · не те джерело · стаття «") and story.title in line
    assert again.radio(key=f"{key}_reason").value == "wrong_source"
    assert again.selectbox(key=f"{key}_story").value == story.url
    # An admin (on loopback, every reader) sees the summary in the sidebar.
    assert any("частка 👍 0%" in c.value for c in again.sidebar.caption)

    shared = _app(answer=turn.id)  # the share link: read-only, no rating
    assert not [b for b in shared.button if (b.key or "").startswith("feedback_")]
