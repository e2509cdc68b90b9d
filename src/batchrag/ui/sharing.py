"""Sharing and saving kept answers: the «Поділитися» link `/?answer=<id>`, the read-only page it opens, and the
Markdown and HTML downloads of a conversation or one answer."""

from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st

from batchrag.service.conversations import ConversationProblem, Conversations
from batchrag.settings import Settings
from batchrag.ui import cached
from batchrag.ui.asking import explain_error
from batchrag.ui.feedback import rating_row
from batchrag.ui.login import is_admin, owner
from batchrag.ui.render import escape_md, local_day
from batchrag.ui.turns import from_stored, question_view, render_answer

PAGE_PATHS = ("ask", "digest", "timeline")  # the app's page paths (page.py): a link names the app, not a page
# The labels are the reader's words (the format's name is in the tooltip): (label, tooltip, mime type).
FILE_KINDS = {
    "md": ("Зберегти як текст", "Файл Markdown (.md): запитання, відповіді, джерела з посиланнями та їхні уривки.",
           "text/markdown"),
    "html": ("Зберегти як вебсторінку", "Одна сторінка HTML із вбудованими зображеннями: відкривається без мережі.",
             "text/html"),
}
FILE_NAMES = {"conversation": "rozmova", "answer": "vidpovid"}


def app_root(page_url: str | None) -> str:
    """The app's own address from the page's (st.context.url, which ends with the page's path); "" when unknown."""
    if not page_url:
        return ""
    parts = urlsplit(page_url)
    path = parts.path.rstrip("/")
    head, _, last = path.rpartition("/")
    if last in PAGE_PATHS:
        path = head
    return f"{parts.scheme}://{parts.netloc}{path}" if parts.scheme and parts.netloc else path


def share_url(page_url: str | None, answer_id: str) -> str:
    """The link that opens one answer read-only: the app's address, then `/?answer=<id>`."""
    return f"{app_root(page_url)}/?answer={answer_id}"


def _export(convs: Conversations, some_id: str, fmt: str, owner: str | None) -> str:
    # Made when the button is clicked (not on every run): an HTML file carries its pictures inlined.
    try:
        return convs.export(some_id, fmt, owner)
    except ConversationProblem as exc:
        return str(exc)


def save_buttons(convs: Conversations, some_id: str, owner: str | None, what: str, side_by_side: bool = True) -> None:
    """«Зберегти як текст» (Markdown) and «Зберегти як вебсторінку» (HTML) for a conversation or one answer
    (`what`); one under the other in the narrow sidebar."""
    places = st.columns(2) if side_by_side else [st.container(), st.container()]
    for place, (fmt, (label, tip, mime)) in zip(places, FILE_KINDS.items(), strict=True):
        place.download_button(label, data=lambda fmt=fmt: _export(convs, some_id, fmt, owner), help=tip,
                              file_name=f"{FILE_NAMES[what]}-{some_id}.{fmt}", mime=mime, key=f"save_{fmt}_{some_id}",
                              on_click="ignore", icon=":material/download:")


def answer_actions(convs: Conversations, owner: str | None):
    """What goes under a kept answer: 👍 / 👎 (ui/feedback.py), its share link and its downloads."""
    def actions(turn, idx: int) -> None:
        rating_row(convs.settings, turn, owner)
        share, save = st.columns([1, 2])
        with share.popover("Поділитися", icon=":material/share:"):
            st.caption("Посилання відкриває цю відповідь з її джерелами й зображеннями, лише для читання:")
            st.code(share_url(st.context.url, turn.id), language=None)
        with save:
            save_buttons(convs, turn.id, owner, "answer")
    return actions


def shared_answer(base: Settings, answer_id: str) -> None:
    """The page a share link opens: that one answer, its cards and pictures, and nothing to ask with."""
    st.title("The Batch: запитайте українською")
    home = f"[Поставити своє запитання]({app_root(st.context.url)}/)"
    convs = cached.conversations(base.model_dump_json())
    try:
        # The API's rule (GET /answers/{id}): the link opens for its conversation's owner (on an open page, anyone),
        # and a revoked key's answer for an admin; a link alone is no right to read it (docs/contracts.md).
        kept = convs.answer(answer_id, owner(), orphans=is_admin())
    except ConversationProblem as exc:
        st.error(escape_md(str(exc).splitlines()[0]))
        st.markdown(home)
        return
    except Exception as exc:  # the store unreadable: one line too, never a traceback
        st.error(explain_error(exc))
        return
    st.caption(f"Відповідь із розмови «{escape_md(kept.conversation_title)}», "
               f"{local_day(kept.created_at)} · лише для читання")
    turn = from_stored(kept)
    with st.chat_message("user"):
        question_view(turn)
    with st.chat_message("assistant"):
        render_answer(turn, 0, base, read_only=True)
        save_buttons(convs, kept.id, None, "answer")
    st.markdown(home)
