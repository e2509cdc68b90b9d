"""The readers' feedback on the page: 👍 / 👎 under each kept answer of one's own (one click, changeable, read back
from the store after a reload), after 👎 why — a reason, free text, the story that answers (a card of the answer
or a pasted link, checked) — and for admins the summary «Відгуки читачів» (service/feedback.py).

A shared answer (`/?answer=<id>`) is drawn without these: its viewer rates nothing (ui/sharing.py)."""

from __future__ import annotations

import streamlit as st

from batchrag.service.feedback import REASONS, Feedback, FeedbackBook
from batchrag.settings import Settings
from batchrag.ui.render import escape_md

UP, DOWN = "👍", "👎"
NO_STORY = ""  # the story picker's «не вказувати»
LINK_LABEL = "…або посилання на статтю архіву"
SAVED = "Дякуємо! Відгук збережено."
SAY = "_feedback_said"  # session key: {answer id: (kind, line)} said once after a click


@st.cache_resource(show_spinner=False, max_entries=2)
def _book(settings_json: str) -> FeedbackBook:
    # One per library, for every session of the page: it opens its store once.
    return FeedbackBook(Settings.model_validate_json(settings_json))


def book(settings: Settings) -> FeedbackBook:
    return _book(settings.model_dump_json())


def _one_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _said(answer_id: str, kind: str, line: str) -> None:
    st.session_state.setdefault(SAY, {})[answer_id] = (kind, line)


def _rate(fb: FeedbackBook, answer_id: str, owner: str | None, rating: str, **details) -> None:
    """A click's callback: runs before the page is drawn again, so what it draws is what the store now holds."""
    try:
        fb.rate(answer_id, owner, rating, **details)
    except Exception as exc:  # a bad link, a store that cannot write: one line, the rating as it was
        _said(answer_id, "error", _one_line(exc))
        return
    if details:
        _said(answer_id, "success", SAVED)


def _details(fb: FeedbackBook, answer_id: str, owner: str | None, key: str) -> None:
    """The 👎 form's «Зберегти» callback: its widgets' values, read from the session."""
    got = st.session_state
    link = (got.get(f"{key}_link") or "").strip()
    _rate(fb, answer_id, owner, "down", reason=got.get(f"{key}_reason"), text=got.get(f"{key}_text") or "",
          story=link or got.get(f"{key}_story") or None)


def rated_line(f: Feedback, titles: dict[str, str]) -> str:
    """What the reader gave, said back: «Ваша оцінка: 👎 · не те джерело · стаття «…»»."""
    parts = [f"Ваша оцінка: {UP if f.rating == 'up' else DOWN}"]
    if f.reason_label:
        parts.append(f.reason_label)
    if f.story:
        parts.append(f"стаття «{escape_md(titles.get(f.story, f.story))}»")
    if f.text:
        parts.append(f"«{escape_md(f.text[:80])}»")
    return " · ".join(parts)


def rating_row(settings: Settings, turn, owner: str | None) -> None:
    """👍 and 👎 under a kept answer of the reader's own; the chosen one marked, and after 👎 the form «Чому?»."""
    fb, aid, key = book(settings), turn.id, f"feedback_{turn.id}"
    try:
        now = fb.get(aid, owner)
    except Exception as exc:  # not this reader's (it cannot be, on their own page) or the store unreadable: quiet
        st.caption(escape_md(_one_line(exc)))
        return
    up, down, said = st.columns([1, 1, 10], vertical_alignment="center")
    up.button(UP, key=f"{key}_up", help="Добра відповідь", type="primary" if now and now.rating == "up" else "secondary",
              on_click=_rate, args=(fb, aid, owner, "up"))
    down.button(DOWN, key=f"{key}_down", help="Погана відповідь: скажіть чому",
                type="primary" if now and now.rating == "down" else "secondary", on_click=_rate,
                args=(fb, aid, owner, "down"))
    cards = {s.url: f"[{s.n}] {s.title}" for s in (turn.answer.sources if turn.answer else []) if not s.picture}
    if now is not None:
        said.caption(rated_line(now, {u: t.split("] ", 1)[-1] for u, t in cards.items()}))
    note = st.session_state.get(SAY, {}).pop(aid, None)
    if note:
        (st.error if note[0] == "error" else st.success)(escape_md(note[1]))
    if now is not None and now.rating == "down":
        _why_form(fb, turn, owner, key, now, cards)


def _why_form(fb: FeedbackBook, turn, owner: str | None, key: str, now: Feedback, cards: dict[str, str]) -> None:
    told = bool(now.reason or now.text or now.story)  # once said, folded: the line above says it back
    with st.expander("Чому відповідь погана?", expanded=not told), st.form(f"{key}_why", border=False):
        codes = list(REASONS)
        st.radio("Причина", codes, format_func=REASONS.get, key=f"{key}_reason", horizontal=True,
                 index=codes.index(now.reason) if now.reason in REASONS else None)
        st.text_area("Коментар (необов'язково)", value=now.text, key=f"{key}_text", max_chars=2000, height=68)
        stories = [NO_STORY, *cards]
        st.selectbox("Яка стаття відповідає на запитання?", stories, key=f"{key}_story",
                     format_func=lambda u: cards.get(u, "— не вказувати —"),
                     index=stories.index(now.story) if now.story in stories else 0)
        st.text_input(LINK_LABEL, value="" if now.story in stories else (now.story or ""), key=f"{key}_link",
                      placeholder="https://www.deeplearning.ai/the-batch/…")
        st.form_submit_button("Зберегти відгук", on_click=_details, args=(fb, turn.id, owner, key))


def summary_panel(settings: Settings) -> None:
    """For admins, in the sidebar: the share of 👍 by week and the newest 👎 with the query searched and sources."""
    if not settings.store.keep_history:  # nothing is kept, so nothing is rated
        return
    with st.sidebar.expander("Відгуки читачів", expanded=False, icon=":material/thumbs_up_down:"):
        try:
            got = book(settings).summary()
        except Exception as exc:
            st.caption(escape_md(_one_line(exc)))
            return
        if not got["total"]:
            st.caption("Оцінок ще немає.")
            return
        for w in reversed(got["weeks"][-8:]):
            st.caption(f"{w['week']}: {UP} {w['up']} · {DOWN} {w['down']} · частка {UP} {w['share_up']:.0%}")
        for d in got["newest_down"][:5]:
            reason = REASONS.get(d["reason"] or "", "без причини")
            st.markdown(f"{DOWN} **{escape_md(d['question'])}** — {reason}")
            titles = ", ".join(f"[{s['n']}] {s['title']}" for s in d["sources"][:3])
            st.caption(escape_md(f"Пошук: «{d['query']}» · {titles}"))

