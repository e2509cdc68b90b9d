"""The page's kept conversations: the one open (in the session and the URL's ?c=), the sidebar list «Розмови»
(open, rename, delete after a confirmation, save) and the recording of each answer into the open one."""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from batchrag.domain.types import Message, SearchResult
from batchrag.service.conversations import Conversation, ConversationProblem, Conversations, Recording
from batchrag.ui.render import escape_md, local_day
from batchrag.ui.sharing import save_buttons
from batchrag.ui.turns import PageTurn, from_stored

PARAM = "c"  # ?c=<id>: a reload (or a bookmark) reopens the conversation
CURRENT = "conversation"  # session key: the open conversation's id, None before its first kept answer
CONFIRM = "_delete_asked"  # session key: the conversation whose deletion waits for «Так, видалити»
NOTE = "_conversations_note"  # session key: (kind, line) said once after a rename or a delete
LIST_LIMIT = 30  # the sidebar lists this many, the most recently continued first


def conversation_label(c: Conversation) -> str:
    """A list entry: the title (escaped), then the date it was last continued."""
    return f"{escape_md(c.title or 'Без назви')} · {local_day(c.updated_at)}"


def one_line(exc: Exception) -> str:
    return escape_md(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)


def current() -> str | None:
    return st.session_state.get(CURRENT)


def _set_current(cid: str | None) -> None:
    st.session_state[CURRENT] = cid
    if cid:
        st.query_params[PARAM] = cid
    else:
        st.query_params.pop(PARAM, None)


def new_conversation() -> None:
    """«Нова розмова»: an empty page; the next answer starts a new conversation."""
    st.session_state["turns"] = []
    st.session_state.pop(CONFIRM, None)
    _set_current(None)


def _open(cid: str) -> None:
    st.session_state.pop(CONFIRM, None)
    st.query_params[PARAM] = cid  # opened by follow_url, in the run this click starts


def follow_url(convs: Conversations, owner: str | None) -> None:
    """Show the conversation the URL names when the page holds another (a reload, a click in the list); a bad or
    unknown id is one line, and the page stays as it was."""
    wanted, cur = st.query_params.get(PARAM), current()
    if wanted is None:
        if cur:
            st.query_params[PARAM] = cur  # back from another of the app's pages, which drop the query
        return
    if wanted == cur:
        return
    try:
        conv = convs.get(wanted, owner)
    except ConversationProblem as exc:
        st.error(one_line(exc))
        _set_current(cur)
        return
    st.session_state["turns"] = [from_stored(t) for t in conv.turns]
    _set_current(conv.id)


class Keeper:
    """Keeps each answer as the next turn of the open conversation (a new one, titled by it, for the first)."""

    def __init__(self, convs: Conversations, owner: str | None) -> None:
        self.convs, self.owner = convs, owner
        self._rec: Recording | None = None

    def history(self, fallback: list[Message]) -> list[Message]:
        """The open conversation as the follow-up's history, read back as it was kept."""
        cur = current()
        if not cur:
            return fallback
        try:
            return self.convs.history_of(cur, self.owner)
        except ConversationProblem:  # deleted from another tab meanwhile: what the page shows still counts
            return fallback

    def wrap(self, question: str, stream: Iterable, result: SearchResult | None = None,
             timings_ms: dict[str, float] | None = None) -> Iterable:
        self._rec = self.convs.record(current(), question, stream, result=result, timings_ms=timings_ms,
                                      owner=self.owner)
        return self._rec

    def done(self, turn: PageTurn) -> None:
        """After the stream: the turn gets its id (share, save), or says why it was not kept."""
        rec, self._rec = self._rec, None
        if rec is None:
            return
        if rec.turn is not None:
            turn.id = rec.turn.id
            _set_current(rec.conversation_id)
        elif rec.error:
            turn.kept_note = f"Відповідь не збережено в історії розмов: {rec.error}"
            if rec.conversation_id and not self._exists(rec.conversation_id):
                _set_current(None)  # deleted from another tab: the next answer starts a new one

    def _exists(self, cid: str) -> bool:
        try:
            self.convs.get(cid, self.owner, turns=False)
        except ConversationProblem:
            return False
        except Exception:  # the store itself failed: say nothing more, keep the conversation open
            return True
        return True


def conversations_panel(slot, convs: Conversations, owner: str | None) -> None:
    """The sidebar's «Розмови»: the newest first, the open one highlighted, and what can be done with it."""
    with slot:
        st.header("Розмови")
        note = st.session_state.pop(NOTE, None)
        if note:
            (st.success if note[0] == "ok" else st.error)(note[1])
        try:
            items = convs.list(owner, LIST_LIMIT)
        except Exception as exc:  # an unreadable store must not take the page down with it
            st.error(f"Не вдалося прочитати розмови: {one_line(exc)}")
            return
        if not items:
            st.caption("Тут з’являться ваші розмови: кожну відповідь буде збережено.")
        cur = current()
        for c in items:
            st.button(conversation_label(c), key=f"open_{c.id}", on_click=_open, args=(c.id,), width="stretch",
                      type="primary" if c.id == cur else "secondary")
        opened = next((c for c in items if c.id == cur), None)
        if opened is not None:
            _manage(convs, owner, opened)


def _manage(convs: Conversations, owner: str | None, c: Conversation) -> None:
    with st.expander("Ця розмова: назва, збереження, видалення"):
        st.text_input("Назва розмови", value=c.title, key=f"title_{c.id}", max_chars=200)
        st.button("Перейменувати", key="rename", on_click=_rename, args=(convs, c.id, owner))
        save_buttons(convs, c.id, owner, "conversation", side_by_side=False)
        if st.session_state.get(CONFIRM) == c.id:
            st.warning("Видалити цю розмову з усіма відповідями? Її посилання перестануть відкриватися.")
            yes, no = st.columns(2)
            yes.button("Так, видалити", key="delete_yes", type="primary", on_click=_delete, args=(convs, c.id, owner))
            no.button("Скасувати", key="delete_no", on_click=st.session_state.pop, args=(CONFIRM, None))
        else:
            st.button("Видалити розмову", key="delete", on_click=st.session_state.__setitem__, args=(CONFIRM, c.id))


def _rename(convs: Conversations, cid: str, owner: str | None) -> None:
    try:
        convs.rename(cid, st.session_state.get(f"title_{cid}", ""), owner)
        st.session_state[NOTE] = ("ok", "Розмову перейменовано.")
    except ConversationProblem as exc:
        st.session_state[NOTE] = ("error", one_line(exc))


def _delete(convs: Conversations, cid: str, owner: str | None) -> None:
    st.session_state.pop(CONFIRM, None)
    try:
        convs.delete(cid, owner)
        st.session_state[NOTE] = ("ok", "Розмову видалено.")
    except ConversationProblem as exc:
        st.session_state[NOTE] = ("error", one_line(exc))
    if cid == current():
        new_conversation()
