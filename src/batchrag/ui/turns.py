"""The chat's turns and how a turn is drawn: the answer with linked citations, source cards and pictures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import streamlit as st

from batchrag.domain.types import Answer, ImageHit
from batchrag.service import PICTURE_QUESTION_UK, Assistant
from batchrag.settings import Settings
from batchrag.ui import cached
from batchrag.ui.render import (
    answer_notes,
    bridge_label,
    cited_numbers,
    escape_md,
    image_view,
    left_out_note,
    link_citations,
    reader_notes,
    rewrite_label,
    source_cards,
)

PICTURE_BUTTON = "Що на цьому зображенні?"  # under each picture of the gallery: asks about that picture
FOLLOWUP_KEY = "_followup_question"  # the follow-up clicked in this run (the page asks it as if typed)


@dataclass
class PageTurn:
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
    id: str | None = None  # the answer's id in the kept conversation (its share link), None when not kept
    passages: dict[int, str] = field(default_factory=dict)  # source n → the whole passage it gave the answer
    kept_note: str | None = None  # why the answer was not kept in the conversation
    followups: list = field(default_factory=list)  # service.followups.Followup: next questions, asked on a click
    more: Callable[[], list] | None = None  # gives `followups` once, after the rest of the answer is drawn


def from_stored(t) -> PageTurn:
    """A kept turn (service.conversation_types.KeptTurn) as the page draws it: what was shown when it was answered."""
    a = t.answer
    seconds = (t.timings_ms.get("search_total", 0.0) + t.timings_ms.get("total", 0.0)) / 1000
    about = {s.picture for s in a.sources if s.picture} if t.question == PICTURE_QUESTION_UK else set()
    return PageTurn(question=t.question, answer=a, text=a.answer, images=list(a.images), seconds=seconds, id=t.id,
                picture=next((i for i in a.images if i.url in about), None),  # asked from a picture's card
                pictures_first=Assistant.wants_pictures(t.question) and bool(a.images),
                passages={s.n: t.passage(s.n) for s in a.sources})


def render_answer(turn: PageTurn, idx: int, settings: Settings, actions: Callable[[PageTurn, int], None] | None = None,
                  read_only: bool = False) -> None:
    """The answer, its notes, source cards and pictures; then `actions` (share, save) for a kept one. Read-only (a
    shared answer): no button asks anything."""
    if turn.notice:
        st.info(turn.notice)
    if turn.error:
        st.error(turn.error)
    a = turn.answer
    if a is None:
        return
    if turn.pictures_first:
        render_gallery(turn, idx, settings, read_only)
    shown = {c.n for c in source_cards(a, idx)}
    st.markdown(link_citations(a.answer, shown & set(cited_numbers(a.answer)), idx) or "_(порожня відповідь)_")
    if turn.llm_note:
        st.warning(turn.llm_note)
    for note in reader_notes(a):
        st.caption(escape_md(note))
    # One Ukrainian voice above; what the pipeline did (backends passed over, the searched words, the gate's
    # reasons, some in the pipeline's English) is for the curious, collapsed (docs/decisions/0016).
    with st.expander("Подробиці", expanded=False):
        searched = [f"Пошуковий запит: «{escape_md(a.searched_query)}»", escape_md(rewrite_label(a.rewrite))]
        if a.bridge:
            searched.append(escape_md(bridge_label(a.bridge)))
        st.caption(" · ".join(searched + [f"{turn.seconds:.1f} с"]))
        for note in answer_notes(a):
            st.caption(escape_md(note))
    cards = source_cards(a, idx, passages=turn.passages)
    if cards:
        st.markdown("**Джерела**")
        for c in cards:
            with st.container(border=True):
                # The header's anchor is what the inline [n] links jump to.
                st.subheader(c.heading, anchor=c.anchor)
                meta = " · ".join(x for x in (c.meta, c.relevance) if x)
                st.caption(escape_md(meta))
                # The passage is escaped; the only HTML in it is the <mark> around the sentences the answer used.
                st.markdown(f"> {c.passage}", unsafe_allow_html=True)
                if c.url:
                    st.markdown(f"[Читати оригінал]({c.url})")
    if not turn.pictures_first:
        render_gallery(turn, idx, settings, read_only)
    if turn.more is not None:
        more, turn.more = turn.more, None
        with st.spinner("Добираю наступні запитання…"):
            turn.followups = more()
    if turn.followups and not read_only:
        render_followups(turn, idx)
    if turn.kept_note:
        st.caption(escape_md(turn.kept_note))
    if actions is not None and turn.id:
        actions(turn, idx)


def render_followups(turn: PageTurn, idx: int) -> None:
    """The next questions the archive can answer, one button a line: a click asks it in this conversation."""
    st.markdown("**Що ще запитати**")
    for j, f in enumerate(turn.followups):
        if st.button(f.question, key=f"followup_{idx}_{j}", help=f.story.title):
            st.session_state[FOLLOWUP_KEY] = f.question  # asked below the conversation, in this run


def render_gallery(turn: PageTurn, idx: int, settings: Settings, read_only: bool = False) -> None:
    """The turn's pictures, three a row, each with its story's link and the «what is in it» button."""
    views = [image_view(i, settings.store.images_dir, settings.crawl.image_hosts, online=cached.url_loads) for i in turn.images]
    shown = [(img, v) for img, v in zip(turn.images, views, strict=True) if v][:9]
    if shown:
        st.markdown("**Зображення**")
        cols = st.columns(3)
        for j, (img, v) in enumerate(shown):
            with cols[j % 3]:
                st.image(v.src, caption=v.caption or None, width="stretch")
                if v.article_url:
                    st.markdown(f"[{v.article_title or 'Стаття'}]({v.article_url})")
                if not read_only and st.button(PICTURE_BUTTON, key=f"picture_{idx}_{j}"):
                    st.session_state["_picture_question"] = img  # asked below the conversation, in this run
    left_out = sum(v is None for v in views)
    if left_out:
        st.caption(left_out_note(left_out))


def question_view(turn: PageTurn) -> None:
    """The reader's side of a turn: the question, and the picture it is about."""
    st.markdown(escape_md(turn.question))
    if turn.picture is not None:
        st.caption(f"Про зображення до статті «{escape_md(turn.picture.article_title)}»")
