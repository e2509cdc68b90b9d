"""Answerer: question → standalone query → retrieval → prompt → streamed tokens → checked Answer."""

from __future__ import annotations

from collections.abc import Iterator

from batchrag.answer.citations import filter_citations, strip_markup
from batchrag.answer.language import detect_language
from batchrag.llm.base import LLMBackend, LLMError, get_backend, make_backend
from batchrag.llm.extractive import QUOTES_HEAD, SUPPLEMENT_HEAD
from batchrag.llm.prompts import build_messages, messages_tokens
from batchrag.settings import Settings, get_settings
from batchrag.types import Answer, Hit, ImageHit, Message, SearchResult, Source

DEMO_MAX_TOKENS = 160
STOP = ["<<<"]  # a model starting a fence marker is echoing its sources, never answering


class AnswerError(ValueError):
    """Bad input to the answer stage (one line, user-facing)."""


def _snippet(text: str, n: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n].rsplit(" ", 1)[0] + "…"


def _images(result: SearchResult, sources: list[Source]) -> list[ImageHit]:
    """Pictures of cited articles first, then direct image hits, without duplicates."""
    out: list[ImageHit] = []
    seen: set[str] = set()
    by_id = {h.article_id: h for h in result.hits}
    for s in sources:
        if not s.cited or s.article_id not in by_id:
            continue
        h = by_id[s.article_id]
        for im in h.images:
            if im.url not in seen:
                seen.add(im.url)
                out.append(ImageHit(im.url, im.alt, im.caption, h.article_id, h.url, h.title, h.score, im.local_path))
    for ih in result.image_hits:
        if ih.url not in seen:
            seen.add(ih.url)
            out.append(ih)
    return out


class Answerer:
    """Answers Ukrainian questions over retrieved sources with a local LLM (or quotes, when none runs)."""

    def __init__(self, settings: Settings | None = None, retriever=None, backend: LLMBackend | None = None) -> None:
        self.settings = settings or get_settings()
        self._retriever = retriever
        self._backend = backend

    @property
    def retriever(self):
        if self._retriever is None:
            from batchrag.retrieve import Retriever

            self._retriever = Retriever(self.settings)
        return self._retriever

    @property
    def backend(self) -> LLMBackend:
        if self._backend is None:
            self._backend = get_backend(self.settings)
        return self._backend

    # -- steps ---------------------------------------------------------------
    def validate(self, question: str) -> tuple[str, list[str]]:
        q = " ".join((question or "").split())
        if not q:
            raise AnswerError("the question is empty — ask something, e.g. «Що нового в Llama 3?»")
        limit = self.settings.max_question_chars
        if len(q) > limit:
            return q[:limit], [f"the question was longer than {limit} characters and was trimmed"]
        return q, []

    def retrieve(self, question: str, history: list[Message], k: int | None = None) -> SearchResult:
        from batchrag.retrieve.rewrite import rewrite_query, standalone_question

        english, status = rewrite_query(question, history, self.settings)
        query = question if english else standalone_question(question, history)
        result = self.retriever.search(query, k=k or self.settings.top_k, english_query=english)
        if not result.image_hits and hasattr(self.retriever, "search_images"):
            result.image_hits = self.retriever.search_images(query, k=3, english_query=english)
        result.searched_query = english or query
        result.rewrite = status
        return result

    def _fit(self, question: str, hits: list[Hit]) -> tuple[list[Message], list[Hit]]:
        """Shorten sources, then drop the last ones, until the prompt fits the context window."""
        budget = self.settings.llm_ctx - self.settings.llm_max_tokens
        for chars in (1500, 900, 500):
            msgs = build_messages(question, hits, max_source_chars=chars)
            if messages_tokens(msgs) <= budget:
                return msgs, hits
        while hits:
            hits = hits[:-1]
            msgs = build_messages(question, hits, max_source_chars=500)
            if messages_tokens(msgs) <= budget:
                return msgs, hits
        raise AnswerError(f"the question alone does not fit the model's context ({self.settings.llm_ctx} tokens)")

    # -- main ----------------------------------------------------------------
    def stream(
        self, question: str, history: list[Message] = (), *, result: SearchResult | None = None, k: int | None = None
    ) -> Iterator[str | Answer]:
        """Yield text pieces as they come, then the finished Answer last."""
        history = list(history)
        question, warnings = self.validate(question)
        if result is None:
            result = self.retrieve(question, history, k)
        msgs, hits = self._fit(question, list(result.hits))
        if len(hits) < len(result.hits):
            warnings.append(f"{len(result.hits) - len(hits)} sources dropped to fit the context window")
            result = SearchResult(hits, result.image_hits, result.searched_query, result.rewrite, result.timings_ms)

        backend = self.backend
        if backend.fallback_reason:
            warnings.append(f"auto: answered with {backend.name}; skipped {backend.fallback_reason}")
        demo = getattr(backend, "is_demo_model", False)
        # The demo model tends to echo its sources: keep its answers short and stop at an echoed fence.
        max_tokens = min(self.settings.llm_max_tokens, DEMO_MAX_TOKENS) if demo else self.settings.llm_max_tokens
        text = ""
        try:
            for piece in backend.generate(
                msgs, max_tokens=max_tokens, temperature=self.settings.llm_temperature, stop=STOP
            ):
                text += piece
                yield piece
        except LLMError as e:
            warnings.append(f"{backend.name} failed: {e}; answered with quotes from the sources instead")
            if e.partial:
                warnings.append("the partial answer was discarded: " + _snippet(e.partial, 200))
            backend = make_backend("extractive", self.settings)
            text = "".join(backend.generate(msgs))
            yield "\n\n" + text

        quotes = ""
        if demo and backend.name != "extractive" and hits and not filter_citations(text, len(hits))[1]:
            # The 270M demo model rarely cites: keep what it wrote (it did answer) and add cited quotes to check it by.
            warnings.append("the demo model's answer cited no source; quotes from the sources were added")
            quotes = "".join(make_backend("extractive", self.settings).generate(msgs))
            quotes = quotes.replace(QUOTES_HEAD, SUPPLEMENT_HEAD, 1)  # a model did answer: not "without a model"
            yield "\n\n" + quotes

        language = detect_language(text)
        language_ok = True
        if backend.name == "extractive":
            pass  # quotes keep their original language by design
        elif demo and language not in ("uk", "unknown"):
            language_ok = False  # a retry would not help a 270M model and doubles the wait
            warnings.append(f"the answer is not in Ukrainian (detected: {language}); demo model, not retried")
        elif hits and language not in ("uk", "unknown"):
            # One retry with the firmer instruction; the retried text replaces the drifted one.
            retry = build_messages(question, hits, retry=True, max_source_chars=900)
            try:
                again = "".join(
                    backend.generate(retry, max_tokens=max_tokens, temperature=0.0, stop=STOP)
                )
            except LLMError as e:
                again = ""
                warnings.append(f"language retry failed: {e}")
            if again and detect_language(again) in ("uk", "unknown"):
                text, language = again, detect_language(again)
                yield "\n\n[відповідь перекладено українською]\n" + again
            else:
                language_ok = False
                warnings.append(f"the answer is not in Ukrainian (detected: {language})")

        if quotes:  # added after the language check: quotes keep their original language by design
            text = text.rstrip() + "\n\n" + quotes
        yield self.finish(text, result, backend, language, language_ok, warnings)

    def finish(
        self,
        text: str,
        result: SearchResult,
        backend: LLMBackend,
        language: str,
        language_ok: bool,
        warnings: list[str],
    ) -> Answer:
        text, n_markup = strip_markup(text)
        if n_markup:
            warnings.append(f"removed {n_markup} images, HTML tags or prompt echoes the model wrote")
        text, cited, removed = filter_citations(text, len(result.hits))
        if removed:
            warnings.append(f"removed {removed} citations to sources that were not given")
        if not cited:
            warnings.append("the answer cites no source")
        sources = [
            Source(n, h.article_id, h.title, h.url, h.date, h.issue, _snippet(h.text), h.score, cited=n in cited)
            for n, h in enumerate(result.hits, 1)
        ]
        return Answer(
            answer=text.strip(),
            sources=sources,
            images=_images(result, sources),
            backend=backend.name,
            model=backend.model,
            language=language,
            language_ok=language_ok,
            searched_query=result.searched_query,
            rewrite=result.rewrite,
            warnings=warnings,
        )

    def ask(self, question: str, history: list[Message] = (), **kw) -> Answer:
        final = None
        for item in self.stream(question, history, **kw):
            if isinstance(item, Answer):
                final = item
        return final


def answer_to_json(a: Answer) -> dict:
    """SPEC §3's object, exactly."""
    return {
        "answer": a.answer,
        "sources": [
            {
                "n": s.n,
                "title": s.title,
                "url": s.url,
                "date": s.date.isoformat() if s.date else None,
                "issue": s.issue,
                "cited": s.cited,
            }
            for s in a.sources
        ],
        "images": [
            {"url": i.url, "path": i.local_path, "alt": i.alt, "article_url": i.article_url} for i in a.images
        ],
        "backend": a.backend,
        "model": a.model,
        "language": a.language,
        "language_ok": a.language_ok,
        "searched_query": a.searched_query,
        "rewrite": a.rewrite,
        "warnings": list(a.warnings),
    }


__all__ = ["AnswerError", "Answerer", "answer_to_json"]
