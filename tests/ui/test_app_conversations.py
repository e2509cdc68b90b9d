"""AppTest of the kept conversations over a real demo library (quotes backend): kept answers, a reload that
reopens them, the list (open, rename, delete after a confirmation), share links, bad ids, owners, history off."""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from batchrag.service.conversations import Conversations
from batchrag.settings import Settings, get_settings
from batchrag.ui.page import APP_PATH
from tests.support.asking import answer

FIRST = "Як роботи-собаки перевіряють лінії електропередачі?"
FOLLOW = "А які ще роботи працюють на заводах?"


def _app(**query: str) -> AppTest:
    at = AppTest.from_file(str(APP_PATH), default_timeout=300)
    at.query_params.update(query)
    return at.run()


def _ask(at: AppTest, q: str) -> AppTest:
    at.chat_input[0].set_value(q).run()
    assert not at.exception, at.exception
    return at


def _kept() -> Conversations:
    return Conversations(get_settings())


def _labels(at: AppTest) -> list[str]:
    return [b.label for b in at.sidebar.button if b.key and b.key.startswith("open_")]


def test_answers_are_kept_and_a_reload_reopens_them(app_env):
    at = _ask(_ask(_app(), FIRST), FOLLOW)
    turns = at.session_state["turns"]
    cid = at.session_state["conversation"]
    assert all(t.id for t in turns) and at.query_params["c"] == cid
    conv = _kept().get(cid)
    assert [t.id for t in conv.turns] == [t.id for t in turns] and conv.title == FIRST
    assert _labels(at)[0].startswith(FIRST + " · ")  # newest first, with its date
    assert [c.value for c in at.code] == [f"/?answer={t.id}" for t in turns]  # «Поділитися» under each answer
    # A card shows the whole passage its source gave, the quoted sentence marked.
    assert any("<mark>" in m.value for m in at.markdown)

    again = _app(c=cid)  # a reload: a new session, the URL's ?c=
    assert [t.id for t in again.session_state["turns"]] == [t.id for t in turns]
    assert [t.answer.answer for t in again.session_state["turns"]] == [t.answer.answer for t in turns]
    assert any("<mark>" in m.value for m in again.markdown)
    again = _ask(again, "А де ще працюють роботи-собаки?")  # continued: searched with the kept turns
    last = again.session_state["turns"][-1]
    assert last.answer.searched_query.startswith(FOLLOW) and _kept().get(cid).turn_count == 3
    again.button(key="new_chat").click().run()
    assert again.session_state["turns"] == [] and "c" not in again.query_params


def test_the_list_opens_renames_and_deletes_after_a_confirmation(app_env):
    rec = _kept().record(None, FIRST, [_answer_of(FIRST)])
    list(rec)
    cid = rec.conversation_id
    at = _app()
    at.sidebar.button(key=f"open_{cid}").click().run()
    assert [t.id for t in at.session_state["turns"]] == [rec.turn.id] and at.query_params["c"] == cid
    at.text_input(key=f"title_{cid}").set_value("Роботи на лініях").run()
    at.button(key="rename").click().run()
    assert _kept().get(cid).title == "Роботи на лініях" and any("перейменовано" in s.value for s in at.success)
    assert any(label.startswith("Роботи на лініях · ") for label in _labels(at))
    at.button(key="delete").click().run()
    assert any("Видалити цю розмову" in w.value for w in at.warning)
    at.button(key="delete_no").click().run()  # cancelled: still there
    assert _kept().get(cid).id == cid and not at.warning
    at.button(key="delete").click().run()
    at.button(key="delete_yes").click().run()
    assert not [c for c in _kept().list() if c.id == cid] and at.session_state["turns"] == []
    assert "c" not in at.query_params and any("видалено" in s.value for s in at.success)


def _answer_of(question: str):

    return answer(get_settings(), question)


def test_a_share_link_opens_its_answer_read_only(app_env):
    rec = _kept().record(None, FIRST, [_answer_of(FIRST)])
    list(rec)
    at = _app(answer=rec.turn.id)
    assert not at.exception and not at.error
    assert not at.chat_input and not at.sidebar  # nothing to ask with
    text = "\n".join(m.value for m in at.markdown)
    assert FIRST in text and "**Джерела**" in text and "<mark>" in text
    assert [h.proto.anchor for h in at.subheader if h.proto.anchor]  # its cards
    assert not at.button  # not even «what is in this picture»


@pytest.mark.parametrize("bad", ["AAAAAAAAAAAA", "../../etc/passwd", "<script>x</script>", "", "a" * 300])
def test_an_unknown_or_malformed_answer_id_is_one_ukrainian_line(app_env, bad):
    at = _app(answer=bad)
    assert not at.exception and len(at.error) == 1 and not at.chat_input
    line = at.error[0].value
    assert "\n" not in line and ("немає" in line or "Невірний ідентифікатор" in line)
    assert "<script>" not in line  # escaped


def test_a_bad_conversation_id_in_the_url_is_one_line_and_a_fresh_page(app_env):
    at = _app(c="zzz")
    assert not at.exception and len(at.error) == 1 and "Невірний ідентифікатор розмови" in at.error[0].value
    assert "c" not in at.query_params and at.chat_input


def test_no_history_keeps_nothing_and_shows_no_list(app_env, demo_dir):
    before = len(_kept().list())
    app_env.setenv("BATCHRAG_KEEP_HISTORY", "false")
    get_settings.cache_clear()
    at = _ask(_app(), FIRST)
    turn = at.session_state["turns"][-1]
    assert turn.answer is not None and turn.id is None and not at.code
    assert "c" not in at.query_params and not _labels(at)
    assert "Розмови" not in [h.value for h in at.sidebar.header]
    assert len(Conversations(Settings(data_dir=demo_dir)).list()) == before


def test_a_key_reads_and_writes_only_its_own(app_env, demo_dir, tmp_path):
    from batchrag.service.keys import Keys
    from batchrag.ui.login import SECRET

    own = tmp_path / "data"  # keys in a library of this test's own: the others' pages stay open
    shutil.copytree(demo_dir, own)
    app_env.setenv("BATCHRAG_DATA_DIR", str(own))
    get_settings.cache_clear()
    olena, taras = Keys(get_settings()).create("olena"), Keys(get_settings()).create("taras")
    theirs = _kept().record(None, FOLLOW, [_answer_of(FOLLOW)], owner=Keys(get_settings()).check(taras).owner)
    list(theirs)
    at = AppTest.from_file(str(APP_PATH), default_timeout=300)
    at.session_state[SECRET] = olena
    at = _ask(at.run(), FIRST)
    cid = at.session_state["conversation"]
    # Owned by the key's identity, not its name (a revoked name given to a new key owns none of it).
    assert _kept().get(cid).owner == Keys(get_settings()).check(olena).owner != "olena"
    assert len(_labels(at)) == 1  # not taras's
    other = AppTest.from_file(str(APP_PATH), default_timeout=300)
    other.session_state[SECRET] = taras
    other.query_params["c"] = cid
    other.run()
    assert len(other.error) == 1 and other.session_state["turns"] == []  # olena's is not his to open


def test_an_answer_to_a_conversation_deleted_elsewhere_is_shown_and_the_next_starts_anew(app_env):
    at = _ask(_app(), FIRST)
    cid = at.session_state["conversation"]
    _kept().delete(cid)  # from another tab, or the CLI
    at = _ask(at, FOLLOW)
    turn = at.session_state["turns"][-1]
    assert turn.answer is not None and turn.id is None
    assert any("не збережено" in c.value for c in at.caption) and at.session_state["conversation"] is None
    at = _ask(at, FIRST)
    assert at.session_state["turns"][-1].id and at.session_state["conversation"] not in (None, cid)
