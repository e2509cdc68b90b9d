"""The «Дайджест» page: an issue's stories with pictures, links and Ukrainian summaries, and its exports."""

from __future__ import annotations

import json

import streamlit as st

from batchrag.domain.errors import BatchragError
from batchrag.domain.types import to_jsonable
from batchrag.service import AskRequest
from batchrag.service.digest import Digester
from batchrag.service.digest_export import SECTION_UK, heading, inline_markdown, summary_label, to_html
from batchrag.settings import Settings
from batchrag.ui import cached
from batchrag.ui.render import escape_md


@st.cache_resource(show_spinner=False, max_entries=4)
def _digester(settings_json: str, backend: str | None, model: str | None) -> Digester:
    # Keyed by the library and the reader's backend and model: the summaries' writer is the one they chose.
    return Digester(Settings.model_validate_json(settings_json),
                    backend=cached.questions(settings_json).backend(backend, model))


def _issue_choice(numbers: list[int]) -> int:
    asked = st.query_params.get("issue")
    start = int(asked) if asked and asked.isdigit() and int(asked) in numbers else numbers[0]
    chosen = st.selectbox("Випуск", numbers, index=numbers.index(start), key="digest_issue",
                          format_func=lambda n: f"№ {n}" + (" (найновіший)" if n == numbers[0] else ""))
    if str(chosen) != st.query_params.get("issue"):
        st.query_params["issue"] = str(chosen)  # the digest of an issue has its own address
    return chosen


def render(settings: Settings, choices: AskRequest) -> None:
    st.title("Дайджест випуску")
    st.caption("Усі новини випуску The Batch: картинка, посилання і стислий переказ українською.")
    digester = _digester(settings.model_dump_json(), choices.backend, choices.model)
    numbers = digester.issues()
    if not numbers:
        st.warning("У бібліотеці ще немає жодного випуску: виконайте `batchrag crawl` або `batchrag demo`.")
        return
    issue = _issue_choice(numbers)
    try:
        with st.spinner("Готую дайджест… (перекази моделлю пишуться один раз і зберігаються)"):
            d = digester.digest(issue)
    except BatchragError as exc:
        st.error(escape_md(str(exc)))
        return
    digester.mark_seen(d.issue)
    st.subheader(heading(d))
    st.markdown(f"[Випуск на сайті]({d.url})")
    if d.model:
        st.caption(f"Перекази написала модель {escape_md(d.model)}.")
    else:
        st.info("Переказів моделлю немає (працює лише демо-модель або жодна): під кожною новиною — її початок "
                "англійською. Запустіть Ollama або `batchrag model pull`, і дайджест буде українською.")
    for note in d.notes:
        if not note.startswith("summaries are"):
            st.caption(escape_md(note))
    c1, c2, c3 = st.columns(3)
    c1.download_button("Завантажити HTML", to_html(d), f"the-batch-{d.issue}.html", "text/html", key="dl_html")
    c2.download_button("Завантажити Markdown", inline_markdown(d), f"the-batch-{d.issue}.md", "text/markdown",
                       key="dl_md")
    c3.download_button("Завантажити JSON", json.dumps(to_jsonable(d), ensure_ascii=False, indent=1),
                       f"the-batch-{d.issue}.json", "application/json", key="dl_json")
    for s in d.stories:
        with st.container(border=True):
            st.subheader(s.title, anchor=f"story-{s.article_id}")
            when = s.date.strftime("%d.%m.%Y") if s.date else ""
            st.caption(" · ".join(x for x in (SECTION_UK.get(s.section, s.section), when) if x))
            if s.picture:
                st.image(s.picture.path or s.picture.url, caption=s.picture.alt or None, width="stretch")
            st.markdown(f"**{summary_label(s)}:** {escape_md(s.summary)}")
            st.markdown(f"[Читати оригінал]({s.url})")
