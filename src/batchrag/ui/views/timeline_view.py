"""The «Хронологія» page: a topic's stories by quarter or year, a chart whose bars open their stories."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from batchrag.domain.errors import BatchragError
from batchrag.service.timeline import build_timeline
from batchrag.settings import Settings
from batchrag.ui.render import articles_uk as articles
from batchrag.ui.render import escape_md

BY = {"auto": "автоматично", "quarter": "за кварталами", "year": "за роками"}


def chart(t) -> alt.Chart:
    data = pd.DataFrame([{"період": p.label, "статей": len(p.stories)} for p in t.periods])
    pick = alt.selection_point(name="period", fields=["період"])
    return (alt.Chart(data).mark_bar().encode(
        x=alt.X("період:O", sort=[p.label for p in t.periods], title=None),
        y=alt.Y("статей:Q", title="статей"),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.45)),
        tooltip=["період", "статей"],
    ).add_params(pick).properties(height=260))


def _picked(event) -> str | None:
    try:
        rows = event.selection["period"]
    except (AttributeError, KeyError, TypeError):
        return None
    return rows[0].get("період") if rows else None


def render(settings: Settings, assistant) -> None:
    st.title("Хронологія теми")
    st.caption("Як тема розвивалася в The Batch: усі статті про неї за кварталами чи роками.")
    with st.form("timeline_form"):
        topic = st.text_input("Тема", st.query_params.get("topic", ""), key="tl_topic",
                              placeholder="наприклад: ChatGPT, регулювання ШІ в ЄС, AlphaFold")
        c1, c2, c3 = st.columns(3)
        span = {"value": None, "format": "DD.MM.YYYY"}
        d_from = c1.date_input("Від", key="tl_from", **span)
        d_to = c2.date_input("До", key="tl_to", **span)
        by = c3.radio("Групувати", list(BY), format_func=BY.get, horizontal=True, key="tl_by")
        go = st.form_submit_button("Показати")
    if go and topic.strip():
        st.query_params["topic"] = topic.strip()
    topic = st.query_params.get("topic", "")
    if not topic:
        return
    try:
        with st.spinner("Шукаю по всьому архіву…"):
            t = build_timeline(assistant, topic, date_from=d_from, date_to=d_to, by=by)
    except BatchragError as exc:
        st.error(escape_md(str(exc)))
        return
    if not t.count:
        st.warning("Про цю тему статей не знайдено. Спробуйте іншу назву (наприклад, англійську).")
        return
    how = (f"назва: {', '.join(t.names)}" if t.names
           else f"терміни архіву: {', '.join(t.terms[:3])}" if t.terms else "лише за змістом")
    st.caption(f"«{escape_md(t.topic)}»: {articles(t.count)} ({escape_md(how)})"
               + (f" · англійською: «{escape_md(t.english)}»" if t.english else ""))
    event = st.altair_chart(chart(t), on_select="rerun", selection_mode="period", key="tl_chart",
                            width="stretch")
    picked = _picked(event)
    periods = [p for p in t.periods if p.label == picked] if picked else t.periods
    if picked:
        st.markdown(f"**{escape_md(picked)}** — натисніть на стовпчик ще раз, щоб побачити всі періоди.")
    for p in reversed(periods):
        with st.expander(f"{p.label} · {articles(len(p.stories))}", expanded=bool(picked) or p is t.periods[-1]):
            if p.sentence:
                st.markdown(f"_{escape_md(p.sentence)}_")
            for s in p.stories:
                when = s.date.strftime("%d.%m.%Y") if s.date else ""
                st.markdown(f"**{when}** [{escape_md(s.title)}]({s.url})  \n{escape_md(s.line)}")
