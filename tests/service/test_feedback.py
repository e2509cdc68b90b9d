"""Readers' feedback through the service: the owner's alone to give, bad input one Ukrainian line and nothing
written, and what it becomes: eval questions `batchrag eval` loads (no owner in them), the 👎 to label, the
admins' share of 👍 by week."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from batchrag.evaluate.run import load_questions
from batchrag.service.conversations import ConversationNotFound, Conversations
from batchrag.service.feedback import REASONS, FeedbackBook, FeedbackProblem
from batchrag.settings import get_settings
from batchrag.store.schema import FeedbackRow
from tests.store.test_feedback_store import GLACIERS, kept, library

LETTER = "https://example.test/the-batch/issue-902/#letter"


@pytest.fixture
def book():
    store = library()
    kept(store, "conv-olena01", "turn-olena01", owner="key_olena", question="Як супутники стежать за льодовиками?")
    kept(store, "conv-olena02", "turn-olena02", owner="key_olena", question="What did the editor write in 902?")
    kept(store, "conv-olena03", "turn-olena03", owner="key_olena", question="Що нового про дрони?")
    kept(store, "conv-olena04", "turn-olena04", owner="key_olena", question="Що про шахи?")
    return FeedbackBook(get_settings(), store)


def test_the_owner_rates_and_rates_again_another_owner_finds_no_answer(book):
    got = book.rate("turn-olena01", "key_olena", "down", reason="wrong_source", text=" не та стаття ",
                    story=GLACIERS.replace("/#", "/?utm_source=mail#"))
    assert (got.rating, got.reason, got.reason_label, got.text, got.story) == (
        "down", "wrong_source", "не те джерело", "не та стаття", GLACIERS)  # the stored address, not the pasted one
    assert book.rate("turn-olena01", "key_olena", "UP").rating == "up"
    assert book.get("turn-olena01", "key_olena").rating == "up" and book.get("turn-olena02", "key_olena") is None
    with pytest.raises(ConversationNotFound):
        book.rate("turn-olena01", "key_taras", "down")
    with pytest.raises(ConversationNotFound):
        book.get("turn-olena01", "key_taras")
    assert book.rate("turn-olena01", "key_olena", "down", reason="помилка в цитаті").reason == "bad_quote"
    assert book.rate("turn-olena01", "key_olena", "up", story="example.test/the-batch/issue-901/#glacier-watch"
                     ).story == GLACIERS  # a link copied without its scheme
    assert book.rate("turn-olena01", None, "up").rating == "up"  # no key in use (the CLI, a loopback page): anyone


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"rating": "meh"}, "Оцінка має бути"),
    ({"rating": "down", "reason": "nonsense"}, "Невідома причина"),
    ({"rating": "down", "text": "x" * 2001}, "Коментар задовгий"),
    ({"rating": "down", "story": "не посилання"}, "не посилання на статтю"),
    ({"rating": "down", "story": "javascript:alert(1)"}, "не посилання на статтю"),
    ({"rating": "down", "story": "https://example.test/the-batch/issue-999/#nothing"}, "у бібліотеці немає"),
    ({"rating": "down", "story": "https://example.test/the-batch/issue-901/"}, "на весь випуск"),
])
def test_bad_input_is_one_ukrainian_line_and_writes_nothing(book, kwargs, words):
    book.rate("turn-olena01", "key_olena", "up")
    with pytest.raises(FeedbackProblem) as err:
        book.rate("turn-olena01", "key_olena", **kwargs)
    assert words in str(err.value) and "\n" not in str(err.value)
    assert book.get("turn-olena01", "key_olena").rating == "up"


def test_the_export_is_an_eval_file_with_the_named_story_and_the_unnamed_down_apart(book, tmp_path):
    book.rate("turn-olena01", "key_olena", "down", reason="wrong_source", story=GLACIERS)
    book.rate("turn-olena02", "key_olena", "up", story=LETTER)
    book.rate("turn-olena03", "key_olena", "down", reason="incomplete", text="мало")
    book.rate("turn-olena04", "key_olena", "up")
    out = book.export()
    assert out["counts"] == {"questions": 2, "to_label": 1, "skipped": 1}
    by_id = {q["id"]: q for q in out["questions"]}
    assert by_id["fb-turn-olena01"]["relevant"] == [{"issue": 901, "title": "Satellites and Neural Nets Track "
                                                     "Melting Glaciers"}]
    assert by_id["fb-turn-olena01"]["lang"] == "uk" and by_id["fb-turn-olena02"]["lang"] == "en"
    assert by_id["fb-turn-olena02"]["relevant"] == [{"issue": 902, "section": "letter"}]
    (label,) = out["to_label"]
    assert (label["question"], label["reason"], label["text"], label["query"]) == (
        "Що нового про дрони?", "incomplete", "мало", "glaciers melting")
    assert label["sources"][0]["url"] == GLACIERS
    assert "key_olena" not in json.dumps(out, ensure_ascii=False) and "owner" not in json.dumps(out)
    path = tmp_path / "readers.jsonl"
    path.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in out["questions"]), encoding="utf-8")
    assert [(q["kind"], q["lang"]) for q in load_questions(path)] == [("text", "en"), ("text", "uk")]
    assert book.export(since=date.today() + timedelta(days=1))["counts"]["questions"] == 0


def test_the_summary_gives_the_share_of_up_by_iso_week_and_the_newest_down(book):
    book.rate("turn-olena01", "key_olena", "down", reason="wrong_source")
    book.rate("turn-olena02", "key_olena", "up")
    book.rate("turn-olena03", "key_olena", "up")
    with book.store().Session.begin() as s:  # one rating made a week earlier: its own week
        s.get(FeedbackRow, "turn-olena03").rated_at = datetime(2026, 1, 5, 12)
    got = book.summary()
    assert got["total"] == 3 and got["weeks"][0] == {"week": "2026-W02", "up": 1, "down": 0, "share_up": 1.0}
    this = got["weeks"][-1]
    assert (this["up"], this["down"], this["share_up"]) == (1, 1, 0.5)
    (down,) = got["newest_down"]
    assert (down["question"], down["query"], down["reason"]) == ("Як супутники стежать за льодовиками?",
                                                                 "glaciers melting", "wrong_source")
    assert down["sources"][0]["title"].startswith("Satellites")
    assert book.summary(since=datetime(2026, 1, 6))["total"] == 2


def test_deleting_the_conversation_deletes_its_rating(book):
    book.rate("turn-olena01", "key_olena", "down", reason="other", text="особисте")
    Conversations(get_settings(), book.store()).delete("conv-olena01", "key_olena")
    assert book.export()["counts"] == {"questions": 0, "to_label": 0, "skipped": 0}
    assert set(REASONS) == {"wrong_source", "incomplete", "bad_quote", "other"}
