"""The one question path: rewrite → search → pictures → answer, for the CLI, the app and the API alike."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from batchrag.answer import Answerer, Question, prepare_question
from batchrag.answer.answerer import final_answer
from batchrag.llm.base import LLMBackend
from batchrag.retrieve.rewrite import rewrite_question, standalone_question
from batchrag.settings import Settings, get_settings
from batchrag.types import Answer, ImageHit, Message, SearchResult

log = logging.getLogger(__name__)


@dataclass
class Filters:
    """What the reader narrowed the search to."""

    date_from: date | None = None
    date_to: date | None = None
    tags: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.date_from or self.date_to or self.tags)


def load_retriever(settings: Settings):
    """The retriever over settings' index: loads the embedder and the index (seconds), so callers keep it."""
    from batchrag.retrieve import Retriever

    return Retriever(settings)


class Assistant:
    """Answers a reader's questions over the library: one retriever (loaded once) and one LLM backend."""

    def __init__(self, settings: Settings | None = None, *, retriever=None, backend: LLMBackend | None = None):
        self.settings = settings or get_settings()
        self._retriever = retriever
        self.answerer = Answerer(self.settings, backend=backend)

    @property
    def retriever(self):
        if self._retriever is None:
            self._retriever = load_retriever(self.settings)
        return self._retriever

    @property
    def backend(self) -> LLMBackend:
        return self.answerer.backend

    def prepare(self, question: str | None) -> Question:
        """The question as it will be asked (raises EmptyQuestion); `trimmed_from` when it was cut."""
        return prepare_question(question, self.settings.max_question_chars)

    def search(
        self,
        question: str,
        history: list[Message] = (),
        *,
        k: int | None = None,
        mode: str | None = None,
        filters: Filters | None = None,
        pictures: int = 3,
        english: str | None = None,
        rewrite: bool = True,
    ) -> SearchResult:
        """Stories (and up to `pictures` pictures) for a question in its conversation.

        The question is rewritten into English when a model can (`rewrite`), unless `english` gives the rewrite.
        """
        history = list(history)
        filters = filters or Filters()
        if english:
            status = "given"
        elif rewrite:
            rw = rewrite_question(question, history, self.settings)
            english, status = rw.query, rw.status
        else:
            status = "none"
        query = question if english else standalone_question(question, history)
        result = self.retriever.search(
            query, k or self.settings.top_k, mode=mode, date_from=filters.date_from, date_to=filters.date_to,
            tags=filters.tags or None, english_query=english,
        )
        result.searched_query = english or query
        result.rewrite = status
        result.image_hits = self._pictures(query, english, pictures, result if filters else None)
        return result

    def search_images(self, question: str, *, k: int = 5, english: str | None = None) -> list[ImageHit]:
        """Pictures alone, ranked for the question (no rewrite: `english` gives one)."""
        return self.retriever.search_images(question, k=k, english_query=english)

    def _pictures(self, query: str, english: str | None, k: int, filtered: SearchResult | None) -> list[ImageHit]:
        if k <= 0:
            return []
        try:
            pics = self.retriever.search_images(query, k=k, english_query=english)
        except Exception as exc:  # pictures are a bonus: a broken picture table must not cost the answer
            log.warning("picture search failed: %s", exc)
            return []
        if filtered is not None:
            # Picture search has no filters: keep only pictures of articles that passed them.
            allowed = {h.article_id for h in filtered.hits}
            pics = [p for p in pics if p.article_id in allowed]
        return pics

    def answer(self, question: str, result: SearchResult) -> Iterator[str | Answer]:
        """Stream the answer to `question` over `result`: text pieces, then the finished Answer."""
        return self.answerer.stream(question, result)

    def stream(self, question: str, history: list[Message] = (), **search: object) -> Iterator[str | Answer]:
        """prepare → search → answer: text pieces, then the finished Answer last."""
        q = self.prepare(question)
        yield from self.answer(question, self.search(q.text, history, **search))

    def ask(self, question: str, history: list[Message] = (), **search: object) -> Answer:
        """The finished answer, without streaming."""
        return final_answer(self.stream(question, history, **search))
