"""The Streamlit page: ask in Ukrainian, read a streamed answer with cited source cards and pictures; ask about a
picture from its card; reopen, continue, share and save the kept conversations."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from batchrag.service import PICTURE_QUESTION_UK, AskRequest, Library, build_demo_library
from batchrag.service.llm_status import quotes_chosen
from batchrag.settings import Settings, get_settings
from batchrag.ui import cached
from batchrag.ui.asking import ask_into_turn, ask_picture, explain_error, history_of
from batchrag.ui.feedback import summary_panel
from batchrag.ui.history import PARAM, Keeper, conversations_panel, follow_url, new_conversation
from batchrag.ui.login import account_panel, gate, is_admin, owner
from batchrag.ui.model_banner import model_notice
from batchrag.ui.render import escape_md, example_label, overview_text
from batchrag.ui.sharing import answer_actions, shared_answer
from batchrag.ui.sidebar import sidebar
from batchrag.ui.turns import FOLLOWUP_KEY, PageTurn, question_view, render_answer
from batchrag.ui.views import digest_view, timeline_view

APP_PATH = Path(__file__)
TITLE = "The Batch: запитайте українською"


def empty_library(base: Settings, status) -> None:
    if status.empty:
        st.warning("Бібліотека порожня: ще немає жодної статті.")
        st.markdown("Завантажте архів командою `batchrag crawl` (потрібен інтернет) або створіть демо-бібліотеку "
                    "без мережі: `batchrag demo`. Чи натисніть «Оновити бібліотеку» на бічній панелі."
                    if is_admin() else "Бібліотеку наповнює адміністратор сервера.")
    else:
        st.warning("Статті є, але пошуковий індекс ще не побудовано.")
        st.markdown("Виконайте `batchrag index` або натисніть кнопку нижче." if is_admin() else
                    "Індекс будує адміністратор сервера.")
    if is_admin() and st.button("Побудувати демо-бібліотеку" if status.empty else "Побудувати індекс", key="build"):
        with st.spinner("Будую… це може тривати кілька хвилин"):
            try:
                build_demo_library(base) if status.empty else Library(base).index()
            except Exception as exc:
                st.error(explain_error(exc))
                return
        cached.questions.clear()  # its retrievers found no index: the next question loads the new one
        st.rerun()


# No Deploy button, no developer menu: .streamlit/config.toml beside this page (and beside app/ui/app.py) says
# client.toolbarMode = "minimal", and streamlit reads it wherever it is started from.
CHROME_CONFIG = APP_PATH.parent / ".streamlit" / "config.toml"


def welcome(base: Settings, status) -> str | None:
    """Before the first question: what the library holds, and example questions as buttons; the one clicked."""
    ov = cached.overview(base.model_dump_json(), status.articles)
    st.markdown(overview_text(ov))
    if not ov.examples:
        return None
    st.markdown("**Спробуйте запитати:**")
    clicked = None
    for ex in ov.examples:  # one a line: a question is read whole, not cut to a column's width
        if st.button(example_label(ex.kind, ex.question), key=f"example_{ex.kind}"):
            clicked = ex.question
    return clicked


def ask_page(base: Settings, choices: AskRequest, history_slot) -> None:
    """The question page; `choices` are the sidebar's, for every question of this run."""
    st.title(TITLE)
    st.caption("Відповіді спираються на статті розсилки The Batch (DeepLearning.AI); номери [n] ведуть до джерел.")
    settings, key = base, base.model_dump_json()
    if not quotes_chosen(base, choices.backend):
        model_notice(cached.model_status(key, choices.backend, choices.model), base,
                     on_ready=lambda: cached.models_changed(key))
    convs = cached.conversations(base.model_dump_json())
    # History off (store.keep_history): nothing is written, no list, no links; the page is the session's alone.
    keep = Keeper(convs, owner()) if convs.enabled else None
    st.button("Нова розмова", key="new_chat", on_click=new_conversation)
    if keep:
        follow_url(convs, keep.owner)
    else:
        st.query_params.pop(PARAM, None)  # a kept conversation's link while history is off: nothing to open
    turns: list[PageTurn] = st.session_state.setdefault("turns", [])
    actions = answer_actions(convs, keep.owner) if keep else None
    status = Library(base).status()
    if not status.has_index:
        empty_library(base, status)
    intro = st.empty()
    clicked = None
    if not turns and status.has_index:
        with intro.container():
            clicked = welcome(base, status)
    for i, t in enumerate(turns):
        with st.chat_message("user"):
            question_view(t)
        with st.chat_message("assistant"):
            render_answer(t, i, settings, actions)
    picked = st.session_state.pop("_picture_question", None)  # a picture card's button, clicked in this run
    if picked is not None:
        intro.empty()
        turn = PageTurn(question=PICTURE_QUESTION_UK, picture=picked)
        with st.chat_message("user"):
            question_view(turn)
        with st.chat_message("assistant"):
            ask_picture(turn, settings, choices, keep)
            render_answer(turn, len(turns), settings, actions)
        turns.append(turn)
    prompt = st.chat_input("Запитайте про новини ШІ, наприклад: «Що нового у відкритих моделях?»")
    if prompt is None:  # an example or a follow-up button asks its question as if typed
        prompt = clicked or st.session_state.pop(FOLLOWUP_KEY, None)
    if prompt is not None:
        intro.empty()
        turn = PageTurn(question=prompt)
        with st.chat_message("user"):
            st.markdown(escape_md(prompt))
        with st.chat_message("assistant"):
            if not status.has_index and prompt.strip():
                turn.error = ("Пошуковий індекс ще не побудовано: виконайте `batchrag demo` або `batchrag index`, "
                              "чи натисніть кнопку вище.")
            else:
                history = keep.history(history_of(turns)) if keep else history_of(turns)
                ask_into_turn(turn, len(turns), settings, choices, history, keep)
            render_answer(turn, len(turns), settings, actions)
        turns.append(turn)
    if keep:  # last: the list holds the conversation this run's answer started
        conversations_panel(history_slot, convs, keep.owner)


def main() -> None:
    """Three pages («Запитати», «Дайджест», «Хронологія»), each at its own URL, sharing the sidebar."""
    st.set_page_config(page_title="The Batch українською", page_icon="📰", layout="wide")
    base = get_settings()
    if not gate(base):  # a non-loopback address with keys or a password: only the login form until one is given
        return
    if "answer" in st.query_params:  # a share link: that answer alone, read-only
        shared_answer(base, st.query_params["answer"])
        return
    chosen: dict = {}
    history_slot = st.sidebar.container()  # «Розмови», at the top of the sidebar; the ask page fills it
    pages = {
        "ask": st.Page(lambda: ask_page(base, chosen["choices"], history_slot), title="Запитати",
                       icon="💬",
                       url_path="ask", default=True),
        "digest": st.Page(lambda: digest_view.render(base, chosen["choices"]), title="Дайджест", icon="📰",
                          url_path="digest"),
        "timeline": st.Page(
            lambda: timeline_view.render(base, cached.questions(base.model_dump_json()).assistant_for(chosen["choices"])),
            title="Хронологія", icon="📈", url_path="timeline"),
    }
    page = st.navigation(list(pages.values()))
    st.session_state["_digest_page"] = pages["digest"]
    chosen["choices"] = sidebar(base)
    account_panel(base)
    if is_admin():  # the readers' ratings of the whole library: the admins'
        summary_panel(base)
    page.run()


if __name__ == "__main__":
    main()
