"""Conversations through the service and the CLI: real quote answers from the demo library kept as turns, continued
with their history, exported (Markdown, self-contained HTML), owners apart, history off, bad ids as one line."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from batchrag.cli import app
from batchrag.domain.types import Message
from batchrag.service import AskRequest, Assistant, Questions
from batchrag.service.conversations import ConversationNotFound, ConversationProblem, Conversations
from batchrag.service.demo import build_demo_library
from batchrag.settings import Settings, get_settings
from tests.support.asking import answer

DOG_Q = "Як роботи-собаки перевіряють лінії електропередачі?"
FOLLOW_Q = "А які ще роботи працюють на заводах?"
BAD_IDS = ["", "x y", "../../etc/passwd", "a" * 200, "<script>x</script>", "abc", "aaaaaaaaaaa!"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    d = tmp_path_factory.mktemp("conversations") / "data"
    build_demo_library(Settings(data_dir=d))
    return d


@pytest.fixture(scope="module")
def answers(demo):
    """Two real answers of the quotes (extractive) backend: a question and its follow-up."""
    a = Assistant(Settings(data_dir=demo).with_changes(rewrite="off", llm_backend="extractive"))
    first = answer(a, DOG_Q)
    return first, answer(a, FOLLOW_Q, [Message("user", DOG_Q), Message("assistant", first.answer)])


@pytest.fixture
def library(demo, tmp_path, monkeypatch):
    """The demo library's articles and pictures, with conversations in a store of this test's own."""
    monkeypatch.setenv("BATCHRAG_DATA_DIR", str(demo))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'conversations.db'}")
    monkeypatch.setenv("BATCHRAG_REWRITE", "off")
    monkeypatch.setenv("BATCHRAG_LLM_BACKEND", "extractive")
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def test_a_real_answer_is_kept_continued_and_exported(library, answers):
    c = Conversations(library)
    door = Questions(library, conversations=c)
    rec = door.ask(AskRequest(question=DOG_Q), keep=True)
    streamed = list(rec)
    assert streamed[-1] == rec.turn.answer and isinstance(streamed[0], str)  # passed through, then kept
    assert rec.turn.timings_ms["total"] >= rec.turn.timings_ms["first_piece"] > 0 and "search_total" in rec.turn.timings_ms
    # Each quote is inside the whole passage its source gave (the page highlights it there), not the cut snippet.
    quotes = re.findall(r"«(.+?)» \[(\d+)\]", rec.turn.answer.answer)
    assert quotes and all(q in rec.turn.passage(int(n)) for q, n in quotes)
    assert any(len(rec.turn.passage(s.n)) > len(s.snippet) for s in rec.turn.answer.sources)
    history = c.history_of(rec.turn.conversation_id)
    assert [m.role for m in history] == ["user", "assistant"] and history[1].content == rec.turn.answer.answer
    follow = door.ask(AskRequest(question=FOLLOW_Q, conversation_id=rec.turn.conversation_id))
    assert list(follow)[-1].searched_query.startswith(DOG_Q)  # the follow-up was searched with its history
    second = c.add_turn(rec.turn.conversation_id, FOLLOW_Q, answers[1], timings_ms={"search": 5.0})
    conv = c.get(rec.turn.conversation_id)
    assert conv.title == DOG_Q and [t.position for t in conv.turns] == [1, 2, 3] and conv.turns[2].id == second.id
    assert conv.turns[0].query == DOG_Q and conv.turns[0].backend == rec.turn.answer.backend
    assert c.list()[0].turn_count == 3 and c.answer(second.id).conversation_title == DOG_Q
    assert second.passage(1) == answers[1].sources[0].snippet  # no search at hand: the snippet shown
    _check_exports(c, conv)


def _check_exports(c: Conversations, conv) -> None:
    md, page = c.export(conv.id, "md"), c.export(conv.id, "html")
    for t in conv.turns:
        assert t.question in md and t.answer.sources
        for s in t.answer.sources:  # every source numbered, with its title, link and the passage it gave
            assert f"**[{s.n}] [{s.title}]({s.url})**" in md
            assert f"> {t.passage(s.n).strip().splitlines()[0]}" in md
            assert f'id="t{t.position}-s{s.n}"' in page and f'href="{s.url}"' in page
        assert re.search(rf'\[<a href="#t{t.position}-s1">1</a>', page)  # [1] links to its source
    pictures = {i.url for t in conv.turns for i in t.answer.images if i.local_path}
    assert pictures and page.count('<img src="data:image/') >= len(pictures)
    assert not re.search(r'src="(?!data:)', page) and "<script" not in page.lower()  # nothing fetched from outside
    one = c.export(conv.turns[1].id, "md")  # one answer: its turn only
    assert f"## 2. {FOLLOW_Q}" in one and "## 1. " not in one and "## 3. " not in one


def test_history_off_keeps_nothing(library, answers):
    c = Conversations(library.with_changes(keep_history=False))
    rec = c.record(None, DOG_Q, iter(["…", answers[0]]))
    assert list(rec)[-1] is answers[0] and rec.turn is None and rec.conversation_id is None
    assert c.start("x") is None and c.add_turn(None, DOG_Q, answers[0]) is None and c.list() == []


def test_an_untitled_conversation_takes_its_first_question_and_a_lost_one_costs_no_answer(any_db, answers):
    c = Conversations(get_settings())
    cid = c.start()
    assert c.get(cid).title == "" and c.get(cid, turns=False).turn_count == 0
    c.add_turn(cid, "  Перше\n питання? " + "дуже " * 30, answers[0])
    assert c.get(cid).title.startswith("Перше питання? дуже") and len(c.get(cid).title) == 80

    def deleted_while_answering():
        yield "…"
        c.delete(cid)
        yield answers[0]

    rec = c.record(cid, DOG_Q, deleted_while_answering())
    assert list(rec)[-1] is answers[0] and rec.turn is None and "немає" in rec.error


def test_a_key_sees_only_its_own(any_db, answers):
    c = Conversations(get_settings())
    mine = c.add_turn(None, DOG_Q, answers[0], owner="olena")
    theirs = c.add_turn(None, FOLLOW_Q, answers[1], owner="taras")
    local = c.add_turn(None, "Локальне?", answers[1])
    assert [x.id for x in c.list(owner="olena")] == [mine.conversation_id]
    assert {x.id for x in c.list()} == {mine.conversation_id, theirs.conversation_id, local.conversation_id}
    for call in (lambda: c.get(mine.conversation_id, "taras"), lambda: c.answer(mine.id, "taras"),
                 lambda: c.add_turn(mine.conversation_id, "?", answers[0], owner="taras"),
                 lambda: c.delete(mine.conversation_id, "taras"), lambda: c.rename(mine.conversation_id, "x", "taras"),
                 lambda: c.export(mine.id, "md", "taras")):
        with pytest.raises(ConversationNotFound, match="(?i)немає"):
            call()
    assert c.rename(mine.conversation_id, "  Собаки \n на лініях ", "olena").title == "Собаки на лініях"
    assert c.delete_all(owner="taras") == 1 and len(c.list()) == 2
    c.delete(local.conversation_id)
    assert [x.id for x in c.list()] == [mine.conversation_id] and c.delete_all() == 1 and c.list() == []


def test_bad_and_unknown_ids_are_one_ukrainian_line(any_db, answers):
    c = Conversations(get_settings())
    for bad in BAD_IDS:
        for call in (c.get, c.answer, c.find, c.delete, c.history_of):
            with pytest.raises(ConversationNotFound, match="Невірний ідентифікатор") as e:
                call(bad)
            assert "\n" not in str(e.value)
    for call, said in ((c.get, "Розмови"), (c.answer, "Відповіді"), (c.find, "Немає ні розмови, ні відповіді")):
        with pytest.raises(ConversationNotFound, match=said):
            call("AAAAAAAAAAAA")
    with pytest.raises(ConversationProblem, match="порожня"):
        c.rename(c.add_turn(None, DOG_Q, answers[0]).conversation_id, "  ")


def test_a_turn_as_json_is_the_ask_json_with_its_passages(any_db, answers):
    c = Conversations(get_settings())
    t = c.add_turn(None, DOG_Q, answers[0], timings_ms={"search": 1.5})
    j = json.loads(json.dumps(c.answer(t.id).to_json()))
    assert j["answer"] == json.loads(json.dumps(answers[0].to_json())) and j["timings_ms"]["search"] == 1.5
    assert j["passages"][0] == {"n": 1, "article_id": answers[0].sources[0].article_id,
                                "text": answers[0].sources[0].snippet}
    listed = json.loads(json.dumps(c.list()[0].to_json()))
    assert listed["title"] == DOG_Q and listed["turn_count"] == 1 and listed["turns"] == []


# --- the command line -----------------------------------------------------------------------------------------


def _run(*args: str, input: str | None = None):
    return CliRunner().invoke(app, ["conversations", *args], input=input)


def test_cli_lists_shows_exports_and_deletes(library, answers, tmp_path):
    assert "no conversations kept yet" in _run("list").stdout
    c = Conversations(library)
    first = c.add_turn(None, DOG_Q, answers[0])
    second = c.add_turn(first.conversation_id, FOLLOW_Q, answers[1])
    cid = first.conversation_id
    listed = _run("list")
    assert listed.exit_code == 0 and listed.stdout.startswith(f"{cid}\t") and f"2 answers\t{DOG_Q}" in listed.stdout
    assert json.loads(_run("list", "--json").stdout)[0]["id"] == cid
    shown = _run("show", cid)
    assert shown.exit_code == 0 and f"## 1. {DOG_Q}" in shown.stdout and f"## 2. {FOLLOW_Q}" in shown.stdout
    one = _run("show", second.id, "--json")
    assert [t["id"] for t in json.loads(one.stdout)["turns"]] == [second.id]
    out = tmp_path / "out" / "conversation.html"
    written = _run("export", cid, "--format", "html", "--output", str(out))
    assert written.exit_code == 0 and out.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert "data:image/" in out.read_text(encoding="utf-8") and f"wrote {out}" in written.stderr
    assert _run("export", second.id).stdout.startswith(f"# {DOG_Q}")
    assert _run("rename", cid, "Собаки").stdout.strip() == f"{cid}\tСобаки"
    assert _run("delete", cid).exit_code == 0 and _run("list").stdout.startswith("no conversations")
    c.add_turn(None, DOG_Q, answers[0])
    assert _run("delete", "--all", input="n\n").exit_code == 1 and len(c.list()) == 1  # asked, refused
    assert "1 conversation(s) deleted" in _run("delete", "--all", "--yes").stderr and c.list() == []


@pytest.mark.parametrize("args", [
    ["show", "../../etc/passwd"], ["show", "AAAAAAAAAAAA"], ["export", "x y"], ["delete", "<b>"],
    ["rename", "nope", "x"], ["export", "AAAAAAAAAAAA", "--format", "pdf"], ["delete"],
    ["delete", "AAAAAAAAAAAA", "--all"],
])
def test_cli_bad_input_is_one_line_and_a_nonzero_exit(library, args):
    r = _run(*args)
    assert r.exit_code == 1 and r.stdout == "" and (r.exception is None or isinstance(r.exception, SystemExit))
    assert len(r.stderr.strip().splitlines()) == 1 and r.stderr.startswith("error: ") and "Traceback" not in r.stderr


def test_cli_says_when_history_is_off(library, monkeypatch):
    monkeypatch.setenv("BATCHRAG_STORE__KEEP_HISTORY", "false")
    get_settings.cache_clear()
    assert "history is off" in _run("list").stderr


def test_cli_ask_keeps_an_answer_and_goes_on_in_its_conversation(library):
    runner = CliRunner()
    first = runner.invoke(app, ["ask", DOG_Q, "--keep", "--json"])
    assert first.exit_code == 0, first.output
    kept = json.loads(first.stdout)
    cid, aid = kept["conversation_id"], kept["answer_id"]
    assert kept["answer"] and kept["sources"] and aid
    follow = runner.invoke(app, ["ask", FOLLOW_Q, "-c", cid])
    assert follow.exit_code == 0 and f"kept: conversation {cid}" in follow.stderr
    conv = Conversations(library).get(cid)
    assert [t.question for t in conv.turns] == [DOG_Q, FOLLOW_Q] and conv.turns[0].id == aid
    assert "собак" in conv.turns[1].query.lower()  # the follow-up was searched with the earlier turn
    bad = runner.invoke(app, ["ask", FOLLOW_Q, "-c", "AAAAAAAAAAAA"])
    assert bad.exit_code == 1 and bad.stderr.startswith("error: ") and len(bad.stderr.strip().splitlines()) == 1
    plain = runner.invoke(app, ["ask", DOG_Q, "--json"])  # without --keep or -c the CLI keeps nothing
    assert "conversation_id" not in json.loads(plain.stdout) and len(Conversations(library).list()) == 1


def test_an_id_never_reads_as_a_command_line_option():
    # token_urlsafe starts with "-" once in 64: `conversations show -Xy… --json` then printed nothing (a CI failure).
    from batchrag.service.conversations import new_id

    ids = [new_id() for _ in range(3000)]
    assert not [i for i in ids if i.startswith("-")] and all(len(i) == 12 for i in ids)
