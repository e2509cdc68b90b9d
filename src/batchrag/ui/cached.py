"""The page's cached heavy objects (the door for questions, updater, conversations) and cached lookups, shared by
its parts. Each is keyed by what it depends on: the library's settings, and for the status panel the reader's backend
and model; a reader's other choices travel in each AskRequest and never key a cache."""

from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st

from batchrag.service import Library, LibraryUpdater, Questions, host_answers
from batchrag.service.conversations import Conversations
from batchrag.service.llm_status import model_status as check_models
from batchrag.service.welcome import overview as library_overview
from batchrag.settings import Settings


@st.cache_resource(show_spinner=False, max_entries=2)
def questions(settings_json: str) -> Questions:
    # One door per library, for every session of the page: its retrievers (one per reranker) and backends (one per
    # backend and model) are built when a reader first chooses them.
    return Questions(Settings.model_validate_json(settings_json), conversations=conversations(settings_json))


@st.cache_resource(show_spinner=False)
def updater(settings_json: str) -> LibraryUpdater:
    return LibraryUpdater(Settings.model_validate_json(settings_json))


@st.cache_resource(show_spinner=False, max_entries=2)
def conversations(settings_json: str) -> Conversations:
    # One per library: it opens its store once, for every session of the page.
    return Conversations(Settings.model_validate_json(settings_json))


@st.cache_data(ttl=10, show_spinner=False)
def model_status(settings_json: str, backend: str | None, model: str | None):
    # One round of health checks feeds both the status panel and the notice at the top.
    return check_models(Settings.model_validate_json(settings_json), backend, model)


def models_changed(settings_json: str) -> None:
    """A model arrived (or Ollama started): the next status check and the next answer must see it."""
    model_status.clear()
    questions(settings_json).forget_backends()


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
