"""The one question path: rewrite → search → pictures → answer, for the CLI, the app and the API alike; and a
question about one picture (the picture itself beside its story, for a model that can see)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from batchrag.answer import Answerer, Question, prepare_question
from batchrag.answer.answerer import final_answer
from batchrag.answer.picture_sources import MAX_REQUEST_PICTURES, picture_file
from batchrag.domain.errors import BatchragError
from batchrag.domain.types import Answer, ArchiveSpan, Hit, ImageHit, Message, SearchResult
from batchrag.llm.base import LLMBackend
from batchrag.llm.prompts import picture_question
from batchrag.retrieve import Retriever
from batchrag.retrieve.query import is_picture_request
from batchrag.retrieve.rewrite.standalone import rewrite_question, standalone_question
from batchrag.settings import Settings
from batchrag.store import open_store

PICTURE_QUESTION_UK = "Що показує це зображення?"  # what a picture card's button asks
SPAN_TTL_S = 60.0  # how long the archive's span is reused before the store is asked again


class PictureNotFound(BatchragError):
    """The picture a question is about is not in the library."""

log = logging.getLogger(__name__)


@dataclass
class Filters:
    """What the reader narrowed the search to."""

    date_from: date | None = None
    date_to: date | None = None
    tags: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.date_from or self.date_to or self.tags)


def load_retriever(settings: Settings, reranker: str | None = None):
    """The retriever over settings' index, reranking with `reranker` (default: the settings'): loads the embedder
    and the index (seconds), so callers keep it."""
    return Retriever.of(settings, reranker=reranker)


class Assistant:
    """Answers a reader's questions over the library: one retriever (loaded once) and one LLM backend."""

    def __init__(self, settings: Settings, *, retriever=None, backend: LLMBackend | None = None,
                 make_retriever: Callable[[], object] | None = None,
                 make_backend: Callable[[], LLMBackend] | None = None):
        # make_*: shared parts (service/asking.py keeps one per choice), built when first needed, not here.
        self.settings = settings
        self._retriever = retriever
        self._make_retriever = make_retriever
        self.answerer = Answerer(self.settings, backend=backend, make_backend=make_backend)
        self._span: tuple[float, ArchiveSpan | None] | None = None

    @property
    def retriever(self):
        if self._retriever is None:
            self._retriever = self._make_retriever() if self._make_retriever else load_retriever(self.settings)
        return self._retriever

    @property
    def backend(self) -> LLMBackend:
        return self.answerer.backend

    def prepare(self, question: str | None) -> Question:
        """The question as it will be asked (raises EmptyQuestion); `trimmed_from` when it was cut."""
        return prepare_question(question, self.settings.answer.max_question_chars)

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
            query, k or self.settings.retrieve.top_k, mode=mode, date_from=filters.date_from, date_to=filters.date_to,
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

    def answer(
        self, question: str | Question, result: SearchResult, pictures: list[ImageHit] | None = None
    ) -> Iterator[str | Answer]:
        """Stream the answer to `question` over `result`: text pieces, then the finished Answer.

        The question is tidied here, once (`prepare`), unless it comes prepared. `pictures` go beside the sources
        as sources themselves; by default, a picture request shows a model that can see its top pictures
        (request_pictures)."""
        q = question if isinstance(question, Question) else self.prepare(question)
        if pictures is None:
            pictures = self.request_pictures(q.text, result)
        return self.answerer.stream(q, result, pictures, self.archive_span())

    def archive_span(self) -> ArchiveSpan | None:
        """What time the library covers, read from the store at most once a minute (a sync may add an issue)."""
        now = time.monotonic()
        if self._span is None or now - self._span[0] > SPAN_TTL_S:
            self._span = (now, self._read_span())
        return self._span[1]

    def _read_span(self) -> ArchiveSpan | None:
        try:
            st = open_store(self.settings).stats()
        except Exception as exc:  # the span only sharpens refusals: an unreadable store must not cost the answer
            log.warning("archive span unavailable: %s", exc)
            return None

        def day(key: str) -> date | None:
            return date.fromisoformat(st[key]) if st.get(key) else None

        return ArchiveSpan(st.get("first_issue"), day("first_issue_date"), st.get("newest_issue"),
                           day("newest_issue_date"), day("newest_date"))

    @property
    def writes_answers(self) -> bool:
        """Whether the answering backend's text is worth showing as an answer (not quotes, not the demo model)."""
        return self.backend.writes_answers

    @property
    def quotes_only(self) -> bool:
        """Whether the answering backend only quotes the sources (no model runs)."""
        return self.backend.quotes_only

    @staticmethod
    def wants_pictures(question: str) -> bool:
        """Whether the question asks for a picture: the page shows its pictures first, above the answer."""
        return is_picture_request(question)

    def request_pictures(self, question: str, result: SearchResult) -> list[ImageHit]:
        """For a picture request, its top pictures with files, when the answering model can look at them."""
        if not result.image_hits or not is_picture_request(question):
            return []
        on_disk = [p for p in result.image_hits if picture_file(p, self.settings)][:MAX_REQUEST_PICTURES]
        return on_disk if on_disk and self.answerer.sees_pictures() else []

    # -- a question about one picture -----------------------------------------------------
    def find_picture(self, ref: str) -> ImageHit:
        """The stored picture `ref` names: its URL, or its downloaded file (a path, or the name under images/)."""
        ref = (ref or "").strip()
        sha = "" if urlsplit(ref).scheme in ("http", "https") else Path(ref).name.split(".")[0]
        store = open_store(self.settings)
        for a in store.iter_articles():
            for im in a.images:
                if im.url == ref or (sha and im.local_path and Path(im.local_path).name.split(".")[0] == sha):
                    return ImageHit(im.url, im.alt, im.caption, a.id, a.url, a.title, 1.0, im.local_path)
        raise PictureNotFound(f"no picture {ref!r} in the library: give its URL (`batchrag search --images … --json`) "
                              f"or its file under {self.settings.store.images_dir}")

    def picture_stream(
        self, picture: ImageHit | str, question: str | None = None
    ) -> Iterator[str | Answer]:
        """A question about one picture (default «Що показує це зображення?»): the picture is source [1] — shown to
        a model that can see, else given by its alt text and captions, with a warning — and its story is [2]."""
        pic = self.find_picture(picture) if isinstance(picture, str) else picture
        asked = self.prepare(question or PICTURE_QUESTION_UK)
        q = asked.text
        store = open_store(self.settings)
        if not pic.machine_caption and pic.local_path:
            caption = store.captions().get(Path(pic.local_path).name.split(".")[0], "")
            pic = replace(pic, machine_caption=caption)
        a = store.get_article(pic.article_id)
        story = [Hit(a.id, a.url, a.title, a.date, a.issue, a.section, a.text, 1.0, images=a.images,
                     tags=a.tags)] if a else []
        result = SearchResult(story, [], searched_query=q, rewrite="none")
        yield from self.answerer.stream(Question(picture_question(q, 1), asked.trimmed_from), result, [pic])

    def ask_about_picture(self, picture: ImageHit | str, question: str | None = None) -> Answer:
        """The finished answer about one picture, without streaming."""
        return final_answer(self.picture_stream(picture, question))
