"""Conversations in the store: written under SQLite and PostgreSQL, read back identically; a process killed during an
answer (streaming it, or inside the turn's transaction) leaves the earlier turns intact and the store usable."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest

from batchrag.domain.types import Answer, ImageHit, Source
from batchrag.service.conversations import Conversations
from batchrag.settings import get_settings
from batchrag.store import Store, open_store

ROOT = Path(__file__).resolve().parents[2]


def sample_answer(i: int) -> Answer:
    """An answer with every kind of field a turn keeps: cited and uncited sources, a picture source, no date, a
    numpy score, Ukrainian text with quotes and new lines."""
    sources = [
        Source(1, 10 + i, f"Glaciers {i}", f"https://x/issue-{i}/#glaciers", date(2030, 1, i), 300 + i,
               "Satellites track melting glaciers.\nA second line.", 0.91, cited=True, relevance="дуже схоже"),
        Source(2, 20, "Letter «Ng»", "https://x/letter", None, None, "Dear friends, [sic] <b>", float(np.float32(0.5))),
        Source(3, 10 + i, "Glaciers", f"https://x/issue-{i}/#glaciers", date(2030, 1, i), 300 + i, "A picture.",
               np.float32(0.25), cited=True, picture="https://x/ice.png"),
    ]
    images = [ImageHit("https://x/ice.png", "ice", "a caption", 10 + i, f"https://x/issue-{i}/#glaciers",
                       f"Glaciers {i}", 0.7, "ab/cd.png", "машинний підпис")]
    return Answer(f"Відповідь {i}: льодовики тануть [1], ось «знімок» [3].\nДругий рядок.", sources, images,
                  "extractive", "quotes", "uk", True, f"glaciers melting {i}", "none", warnings=[f"note {i}"],
                  bridge="glacier", quotes_only=True, writes_answers=False, refused=i == 2)


def _write(store: Store) -> dict:
    store.add_conversation("conv-aaaaaaa", "Як тануть льодовики?", owner="olena")
    for i in (1, 2):
        passages = [{"n": 1, "article_id": 10 + i, "text": "Satellites track melting glaciers.\nThe whole passage."}]
        assert store.add_turn(f"turn-{i}aaaaaa", "conv-aaaaaaa", f"Питання {i}?", sample_answer(i),
                              {"search": 12.5 * i, "total": 100.25}, passages)["position"] == i
    return store.conversation("conv-aaaaaaa")


def _without_times(conv: dict) -> dict:
    times = {"created_at", "updated_at"}
    return {k: v for k, v in conv.items() if k not in times} | {
        "turns": [{k: v for k, v in t.items() if k not in times} for t in conv["turns"]]}


def test_a_conversation_reads_back_identically_from_sqlite_and_postgresql(postgres, tmp_path):
    lite = _write(Store(f"sqlite:///{tmp_path / 'a.db'}"))
    pg = _write(Store(postgres.database()))
    assert _without_times(lite) == _without_times(pg)
    for conv in (lite, pg):
        assert [t["answer"] for t in conv["turns"]] == [sample_answer(1), sample_answer(2)]  # every field
        assert conv["turn_count"] == 2 and conv["owner"] == "olena" and conv["turns"][1]["timings_ms"]["search"] == 25
        assert conv["turns"][0]["passages"][0]["text"].endswith("\nThe whole passage.")
        assert conv["updated_at"] == conv["turns"][-1]["created_at"] >= conv["created_at"]
        assert all(isinstance(t["created_at"], datetime) for t in conv["turns"])


def test_listing_owners_renaming_and_deleting(any_db):
    store = open_store(get_settings())
    _write(store)
    store.add_conversation("conv-bbbbbbb", "Друга", owner=None)
    store.add_turn("turn-3aaaaaa", "conv-bbbbbbb", "Ще?", sample_answer(3))
    assert [c["id"] for c in store.conversations()] == ["conv-bbbbbbb", "conv-aaaaaaa"]  # the newest turn first
    assert [c["turn_count"] for c in store.conversations()] == [1, 2]
    assert [c["id"] for c in store.conversations(owner="olena")] == ["conv-aaaaaaa"]
    assert store.conversation("conv-aaaaaaa", owner="taras") is None and store.turn("turn-1aaaaaa", "taras") is None
    assert store.turn("turn-2aaaaaa")["conversation_title"] == "Як тануть льодовики?"
    assert store.rename_conversation("conv-aaaaaaa", "Льодовики", owner="olena")
    assert not store.rename_conversation("conv-aaaaaaa", "x", owner="taras")
    assert not store.delete_conversation("conv-aaaaaaa", owner="taras")
    assert store.delete_all_conversations(owner="olena") == 1 and store.turn("turn-1aaaaaa") is None
    assert store.add_turn("turn-4aaaaaa", "conv-aaaaaaa", "?", sample_answer(4)) is None  # deleted meanwhile
    assert store.delete_conversation("conv-bbbbbbb") and store.conversations() == []


_CHILD = """
import sys, time
from sqlalchemy import event
from batchrag.service.conversations import Conversations
from batchrag.settings import get_settings
from tests.store.test_conversations_store import sample_answer

mode = sys.argv[1]
c = Conversations(get_settings())
cid = None
for i in (1, 2):
    rec = c.record(cid, f"Питання {i}?", iter(["Відповідь ", sample_answer(i)]))
    list(rec)
    cid = rec.conversation_id
print(cid, flush=True)

def hang(*_):
    print("IN FLIGHT", flush=True)
    time.sleep(120)

def third():
    yield "Третя відповідь пишеться"
    if mode == "stream":
        hang()
    yield sample_answer(3)

if mode == "write":  # killed inside the turn's transaction: the row is sent, not committed
    event.listen(c._store().Session, "after_flush", hang)
list(c.record(cid, "Питання 3?", third()))
"""


def _reader(proc: subprocess.Popen) -> tuple[queue.Queue[str], threading.Thread]:
    """The child's lines, read by a thread (a pipe read has no timeout of its own)."""
    got: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [got.put(line.strip()) for line in proc.stdout], daemon=True)
    reader.start()
    return got, reader


@pytest.mark.parametrize("during", ["stream", "write"])
def test_a_sigkill_during_an_answer_leaves_the_earlier_turns_intact(any_db, during):
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, during], cwd=ROOT, env=os.environ.copy(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    got, reader = _reader(proc)
    try:
        try:
            cid, flight = got.get(timeout=120), got.get(timeout=120)
        except queue.Empty:
            proc.kill()
            raise AssertionError(f"the child stopped or hung: {proc.stderr.read()}") from None
        assert flight == "IN FLIGHT"
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(30) == -signal.SIGKILL
    finally:
        proc.kill()
        proc.wait(30)
        reader.join(10)
        proc.stdout.close()
        proc.stderr.close()
    get_settings.cache_clear()
    c = Conversations(get_settings())
    conv = c.get(cid)
    assert [t.question for t in conv.turns] == ["Питання 1?", "Питання 2?"]
    assert [t.answer for t in conv.turns] == [sample_answer(1), sample_answer(2)]
    assert all(t.timings_ms["total"] >= t.timings_ms["first_piece"] >= 0 for t in conv.turns)
    # The store opens and takes the next turn at once: nothing the killed process held is left locked.
    assert c.add_turn(cid, "Питання 3?", sample_answer(3)).position == 3
