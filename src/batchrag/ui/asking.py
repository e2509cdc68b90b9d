"""Asking: stream an answer (to a question, or about a picture) into a turn; errors explained in words."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from batchrag.domain.errors import BatchragError
from batchrag.domain.types import Answer, ImageHit, Message
from batchrag.service import AskRequest, ChatTurn, EmptyQuestion, IndexMissingError
from batchrag.service.conversations import passages_of
from batchrag.settings import Settings
from batchrag.ui import cached
from batchrag.ui.render import escape_md
from batchrag.ui.turns import PageTurn


def llm_failure_note(a: Answer, settings: Settings) -> str | None:
    """A Ukrainian line when a model was asked and failed (its English reason is under «Подробиці»). With no model
    at all the quotes answer by design: the banner at the top offers the download, once, not under every answer."""
    if a.quotes_only and any(" failed: " in w for w in a.warnings):
        return ("Мовна модель не відповіла (причина — у «Подробицях»). Нижче — дослівні цитати знайдених джерел. "
                "Перевірте, чи запущено Ollama (`ollama serve`), або виберіть іншу модель на бічній панелі.")
    return None


def ask_into_turn(turn: PageTurn, idx: int, settings: Settings, choices: AskRequest, history: list[Message], keep=None) -> None:
    """Stream one answer into the page, through the one door (service.Questions) with the sidebar's choices, then
    store the finished turn (and `keep` it: history.Keeper)."""
    t0 = time.perf_counter()
    placeholder = st.empty()
    request = choices.model_copy(update={"question": turn.question,
                                         "history": [ChatTurn(role=m.role, content=m.content) for m in history]})
    result = None
    with _answering(turn, placeholder, t0):
        try:
            with st.spinner("Шукаю в архіві…"):
                asked = cached.questions(settings.model_dump_json()).ask(request)
        except EmptyQuestion:
            turn.error = "Порожнє запитання: напишіть, що ви хочете дізнатися."
            return
        question, result = asked.question.text, asked.result
        if asked.question.trimmed_from:
            turn.notice = (f"Запитання задовге ({asked.question.trimmed_from} символів): використано перші "
                           f"{len(question)}.")
        turn.pictures_first = asked.assistant.wants_pictures(question) and bool(result.image_hits)
        if not result.hits:
            turn.error = ("Нічого не знайдено. Спробуйте інакше сформулювати запитання або зняти фільтри "
                          "дат і тем на бічній панелі.")
            return
        # The page keeps its own turns (history.Keeper: a conversation deleted in another tab is answered, not kept).
        items = keep.wrap(question, asked, result, asked.timings_ms) if keep else asked
        _stream_into(turn, placeholder, "_Думаю…_", items)
    if keep:
        keep.done(turn)
    if turn.answer is not None:
        turn.more = asked.followups  # computed under the cards and pictures (render_answer): they delay nothing
        # The whole passage each source gave (the card marks what the answer used in it), not the cut snippet.
        turn.passages = {p["n"]: p["text"] for p in passages_of(turn.answer, result)}
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
            wanted = {i.url for i in result.image_hits}
            turn.images = list(result.image_hits) + [i for i in turn.images if i.url not in wanted]


@contextmanager
def _answering(turn: PageTurn, placeholder, t0: float) -> Iterator[None]:
    """Around the work of one answer: an error is shown to the reader in words (the page stays usable); the
    placeholder goes and the turn keeps its time either way."""
    try:
        yield
    except Exception as exc:
        turn.error = explain_error(exc)
    finally:
        placeholder.empty()
        turn.seconds = time.perf_counter() - t0


def _stream_into(turn: PageTurn, placeholder, waiting: str, items) -> None:
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


def ask_picture(turn: PageTurn, settings: Settings, choices: AskRequest, keep=None) -> None:
    """Stream the answer about turn.picture (shown to a model that can see, else told by its words), by the
    reader's chosen backend."""
    t0 = time.perf_counter()
    placeholder = st.empty()
    with _answering(turn, placeholder, t0):
        assistant = cached.questions(settings.model_dump_json()).assistant_for(choices)
        items = assistant.picture_stream(turn.picture, turn.question)
        _stream_into(turn, placeholder, "_Дивлюся на зображення…_", keep.wrap(turn.question, items) if keep else items)
    if keep:
        keep.done(turn)
    if turn.answer is not None:
        turn.llm_note = llm_failure_note(turn.answer, settings)
        turn.images = list(turn.answer.images)


def explain_error(exc: Exception) -> str:
    msg = str(exc)
    if isinstance(exc, IndexMissingError):
        return f"Пошуковий індекс ще не побудовано: виконайте `batchrag index` (або `batchrag demo`). ({escape_md(msg)})"
    if not isinstance(exc, BatchragError):  # a bug, not a state of the library: name it so it can be reported
        msg = f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__
    return f"Не вдалося відповісти: {escape_md(msg)}"


def history_of(turns: list[PageTurn]) -> list[Message]:
    msgs: list[Message] = []
    for t in turns:
        if t.answer is not None:
            msgs += [Message("user", t.question), Message("assistant", t.answer.answer)]
    return msgs
