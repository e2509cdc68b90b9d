"""The top-of-page notice when no capable model answers, with one button per model that would fix it."""

from __future__ import annotations

import streamlit as st

from batchrag.service.model_setup import ModelPuller, Offer, offers
from batchrag.settings import Settings
from batchrag.ui.login import is_admin
from batchrag.ui.render import escape_md

ROLE_GAIN = {"rewrite": "кращий пошук за українськими запитаннями", "answer": "відповіді українською"}


@st.cache_resource(show_spinner=False)
def _puller(data_dir: str, _settings: Settings) -> ModelPuller:
    # One puller per library (keyed by data_dir only: `_settings` is not hashed), so a rerun, another sidebar
    # choice or a second tab sees the same download and never starts a second one.
    return ModelPuller(_settings)


@st.cache_data(ttl=10, show_spinner=False)
def _offers(settings_json: str) -> list[Offer]:
    return offers(Settings.model_validate_json(settings_json))


def offer_label(o: Offer) -> str:
    size = f" ({o.size_label.replace('GB', 'ГБ')})" if o.size_label else ""
    way = " через Ollama" if o.via == "ollama" else ""
    return f"Завантажити {o.title}{size}{way}: {ROLE_GAIN.get(o.role, o.role)}"


def model_notice(ms, settings: Settings, on_ready) -> None:
    """Say at the top when no model can write answers, and offer the downloads that get one.

    `on_ready` is called once after a download finishes (the page drops its cached backends and reruns).
    """
    puller = _puller(str(settings.store.data_dir), settings)
    state = puller.state()
    if ms.capable and not state.running:
        return
    if not ms.capable:
        now = ("Мовної моделі, що пише відповіді, немає: на запитання відповідають дослівні цитати з джерел, одразу. "
               if ms.quotes_only else
               "Зараз працює лише демо-модель (Gemma 3 270M): справжніх відповідей вона не пише, тож ви побачите "
               "дослівні цитати з джерел. ")
        st.info(
            now +
            ("Завантажте модель кнопкою нижче (один раз; далі все працює без мережі), або в терміналі: "
             "`batchrag model pull`. Також підійдуть Ollama, GGUF-файл у `BATCHRAG_GGUF_PATH` або сервер "
             "OpenAI-сумісного API у `BATCHRAG_OPENAI_BASE_URL`." if is_admin() else
             "Модель може завантажити адміністратор сервера.")
        )
    if not state.running and is_admin():
        for o in _offers(settings.model_dump_json()):
            if st.button(offer_label(o), key=f"pull_{o.name}"):
                puller.start(o.name, o.via)  # type: ignore[arg-type]
                st.rerun()
    pull_progress(puller, on_ready)


@st.fragment(run_every=1)
def pull_progress(puller: ModelPuller, on_ready) -> None:
    s = puller.state()
    if not s.started_at:
        return
    if s.running:
        got = f"{s.done / 1e9:.2f} з {s.total / 1e9:.2f} ГБ" if s.total else escape_md(s.status)
        st.progress(s.fraction, text=f"Завантаження {escape_md(s.name)}: {got}")
        return
    if s.error:
        st.error(f"Модель не завантажено: {escape_md(s.error)}")
        return
    r = s.result
    st.success(f"Модель {escape_md(r.name)} завантажено ({r.seconds:.0f} с)."
               + (f" {escape_md(r.hint)}" if r.hint else ""))
    if st.session_state.get("_pull_seen") != s.finished_at:
        st.session_state["_pull_seen"] = s.finished_at
        _offers.clear()
        on_ready()
        st.rerun()
