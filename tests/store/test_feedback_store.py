"""Feedback in the store, on SQLite and PostgreSQL: one rating an answer, replaced when rated again, gone with its
conversation; a story found by any spelling of its address; a schema-3 store (no feedback table) migrated on open."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.orm import sessionmaker

from batchrag.domain.types import Answer, Source
from batchrag.settings import get_settings
from batchrag.store import Store, open_store
from batchrag.store.migrate import migrate
from batchrag.store.schema import SCHEMA_VERSION, Base
from tests.support.corpus import ARTICLES

GLACIERS = "https://example.test/the-batch/issue-901/#glacier-watch"


def answer_citing(url: str = GLACIERS, title: str = "Satellites and Neural Nets Track Melting Glaciers") -> Answer:
    src = Source(1, 2, title, url, date(2030, 1, 1), 901, "Satellites track melting glaciers.", 0.9, cited=True)
    return Answer("Льодовики тануть [1].", [src], [], "extractive", "quotes", "uk", True, "glaciers melting", "none")


def library(url: str | None = None) -> Store:
    store = Store(url) if url else open_store(get_settings())
    with ARTICLES.open(encoding="utf-8") as fp:
        store.import_jsonl(fp)
    return store


def kept(store: Store, conv: str, turn: str, owner: str | None = None, question: str = "Як тануть льодовики?"):
    store.add_conversation(conv, question, owner=owner)
    return store.add_turn(turn, conv, question, answer_citing())


def test_one_rating_an_answer_replaced_when_rated_again_and_only_the_owners(any_db):
    store = library()
    kept(store, "conv-olena01", "turn-olena01", owner="key_olena")
    assert store.feedback_of("turn-olena01") is None
    first = store.put_feedback("turn-olena01", "key_olena", "down", "wrong_source", "не та", GLACIERS)
    assert (first["rating"], first["reason"], first["story_url"]) == ("down", "wrong_source", GLACIERS)
    again = store.put_feedback("turn-olena01", "key_olena", "up", None, "", None)
    assert store.feedback_of("turn-olena01", "key_olena") == again and again["rating"] == "up"
    assert [r["rating"] for r in store.rated_turns()] == ["up"]  # replaced, not added
    # Another owner: no such answer to rate or read; the owner's rating stays as it was.
    assert store.put_feedback("turn-olena01", "key_taras", "down", None, "", None) is None
    assert store.feedback_of("turn-olena01", "key_taras") is None
    assert store.feedback_of("turn-olena01")["rating"] == "up"
    assert store.put_feedback("no-such-turn", None, "up", None, "", None) is None


def test_deleting_a_conversation_or_all_of_an_owners_deletes_their_feedback(any_db):
    store = library()
    for i, owner in enumerate(("key_olena", "key_olena", "key_taras")):
        kept(store, f"conv-{i}aaaaaaa", f"turn-{i}aaaaaaa", owner=owner)
        store.put_feedback(f"turn-{i}aaaaaaa", owner, "down", None, "", None)
    assert store.delete_conversation("conv-0aaaaaaa", "key_olena")
    assert store.feedback_of("turn-0aaaaaaa") is None
    assert {r["answer_id"] for r in store.rated_turns()} == {"turn-1aaaaaaa", "turn-2aaaaaaa"}
    assert store.delete_all_conversations("key_olena") == 1
    assert [r["answer_id"] for r in store.rated_turns()] == ["turn-2aaaaaaa"]  # another owner's stays


def test_a_story_is_found_by_any_spelling_of_its_address_and_only_a_stored_one(any_db):
    store = library()
    for link in (GLACIERS, "http://www.example.test/the-batch/issue-901#glacier-watch",
                 "https://example.test/the-batch/issue-901/?utm_source=x#glacier-watch"):
        found = store.story_by_url(link)
        assert found and (found["url"], found["issue"], found["section"]) == (GLACIERS, 901, "story"), link
    assert store.story_by_url("https://example.test/the-batch/issue-901/#letter")["section"] == "letter"
    assert store.story_by_url("https://example.test/the-batch/issue-901/#no-such-story") is None
    assert store.story_by_url("https://elsewhere.test/the-batch/issue-901/#glacier-watch") is None


def v3_store(url: str) -> None:
    """A schema-3 store: every table but feedback, a conversation with one answer."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    Base.metadata.create_all(engine, tables=[t for t in Base.metadata.sorted_tables if t.name != "feedback"])
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO meta (key, value) VALUES ('schema_version', '3')"))
    engine.dispose()
    store = Store.__new__(Store)  # the rows written as schema 3 wrote them: without opening (which migrates)
    store.engine = create_engine(url)
    store.Session = sessionmaker(store.engine, expire_on_commit=False)
    kept(store, "conv-old0001", "turn-old0001", owner="key_olena")
    assert "feedback" not in inspect(store.engine).get_table_names()
    store.engine.dispose()


def test_a_schema_3_store_gains_the_feedback_table_and_keeps_its_answers(any_db):
    v3_store(any_db)
    bare = create_engine(any_db)
    migrate(bare)  # the step alone (open_database's create_all aside) makes the table, and again does nothing
    migrate(bare)
    assert "feedback" in inspect(bare).get_table_names()
    bare.dispose()
    store = library(any_db)
    assert store.schema_version() == SCHEMA_VERSION == 4
    assert "feedback" in inspect(store.engine).get_table_names()
    assert store.conversation("conv-old0001", "key_olena")["turns"][0]["id"] == "turn-old0001"
    assert store.put_feedback("turn-old0001", "key_olena", "down", "incomplete", "", GLACIERS)["rating"] == "down"
    migrate(store.engine)  # again: nothing to do, nothing lost
    assert store.feedback_of("turn-old0001")["reason"] == "incomplete"
    assert open_store(get_settings()).schema_version() == SCHEMA_VERSION
