"""The page's cached heavy objects (retriever, assistant, updater, conversations) and cached lookups, shared by
its parts."""

from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st

from batchrag.service import Assistant, Library, LibraryUpdater, host_answers
from batchrag.service.assistant import load_retriever
from batchrag.service.conversations import Conversations
from batchrag.service.llm_status import model_status as check_models
from batchrag.service.welcome import overview as library_overview
from batchrag.settings import Settings


@st.cache_resource(show_spinner=False, max_entries=2)
def retriever(settings_json: str):
    return load_retriever(Settings.model_validate_json(settings_json))


@st.cache_resource(show_spinner=False, max_entries=4)
def assistant(settings_json: str) -> Assistant:
    settings = Settings.model_validate_json(settings_json)
    return Assistant(settings, retriever=retriever(_retrieval_key(settings)))


@st.cache_resource(show_spinner=False)
def updater(settings_json: str) -> LibraryUpdater:
    return LibraryUpdater(Settings.model_validate_json(settings_json))


@st.cache_resource(show_spinner=False, max_entries=2)
def conversations(settings_json: str) -> Conversations:
    # One per library: it opens its store once, for every session of the page.
    return Conversations(Settings.model_validate_json(settings_json))


@st.cache_data(ttl=10, show_spinner=False)
def model_status(settings_json: str):
    # One round of health checks feeds both the status panel and the notice at the top.
    return check_models(Settings.model_validate_json(settings_json))


def models_changed() -> None:
    """A model arrived: the next status check and the next answer must see it."""
    model_status.clear()
    assistant.clear()


@st.cache_data(ttl=30, show_spinner=False)
def _host_answers(origin: str) -> bool:
    return host_answers(origin)


def url_loads(url: str) -> bool:
    # One probe per host, remembered a little while: a gallery of nine pictures costs one connect, not nine.
    parts = urlsplit(url)
    return _host_answers(f"{parts.scheme}://{parts.netloc}")


@st.cache_data(ttl=60, show_spinner=False)
def overview(settings_json: str, articles: int):
    return library_overview(Settings.model_validate_json(settings_json))


@st.cache_data(ttl=60, show_spinner=False)
def known_tags(settings_json: str, articles: int) -> list[str]:
    return Library(Settings.model_validate_json(settings_json)).tags()


def _retrieval_key(s: Settings) -> str:
    """The parts the retriever depends on: the store, the index, and the search's own part (its reranker, depth and
    passages per story included: a reader's choice among them must reach the search). The number of sources and the
    search mode are passed with each question, so changing them, or the model, keeps the loaded retriever."""
    return Settings.model_validate({"store": s.store.model_dump(), "index": s.index.model_dump(),
                                    "retrieve": s.retrieve.model_dump(exclude={"top_k", "search_mode"})}
                                   ).model_dump_json()
