"""Answerer: question + retrieved sources → prompt → streamed tokens → checked Answer."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from batchrag.answer.citations import filter_citations, strip_markup
from batchrag.answer.gate import gate
from batchrag.answer.language import detect_language
from batchrag.answer.pictures import is_picture, picture_sources
from batchrag.answer.question import AnswerError, prepare_question
from batchrag.answer.refusal import below_floor, put_refusal_first, refusal
from batchrag.answer.relevance import relevance_note
from batchrag.llm.base import LLMBackend, LLMError
from batchrag.llm.extractive import GATED_HEAD, QUOTES_HEAD
from batchrag.llm.prompts import build_messages, messages_tokens
from batchrag.llm.registry import BACKENDS, get_backend
from batchrag.settings import Settings, get_settings
from batchrag.types import Answer, Hit, ImageHit, Message, SearchResult, Source

DEMO_MAX_TOKENS = 160
STOP = ["<<<"]  # a model starting a fence marker is echoing its sources, never answering


def _snippet(text: str, n: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n].rsplit(" ", 1)[0] + "…"


def _images(result: SearchResult, sources: list[Source]) -> list[ImageHit]:
    """The pictures that were sources first, then pictures of cited articles, then direct image hits, once each."""
    out: list[ImageHit] = []
    seen: set[str] = set()
    given = {ih.url: ih for ih in result.image_hits}
    for h, s in zip(result.hits, sources, strict=True):
        if s.picture and s.picture not in seen:
            seen.add(s.picture)
            im = h.images[0]
            out.append(given.get(s.picture) or ImageHit(im.url, im.alt, im.caption, h.article_id, h.url,
                                                        h.title, h.score, im.local_path))
    for h, s in zip(result.hits, sources, strict=True):
        if not s.cited or s.picture:
            continue
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

    def __init__(self, settings: Settings | None = None, backend: LLMBackend | None = None) -> None:
        self.settings = settings or get_settings()
        self._backend = backend

    @property
    def backend(self) -> LLMBackend:
        if self._backend is None:
            self._backend = get_backend(self.settings)
        return self._backend

    # -- steps ---------------------------------------------------------------
    def validate(self, question: str) -> tuple[str, list[str]]:
        q = prepare_question(question, self.settings.max_question_chars)
        if q.trimmed_from:
            limit = self.settings.max_question_chars
            return q.text, [f"the question was longer than {limit} characters and was trimmed"]
        return q.text, []

    def _fit(self, question: str, hits: list[Hit], images: list[bytes] = ()) -> tuple[list[Message], list[Hit]]:
        """Shorten sources, then drop the last ones, until the prompt fits the context window.

        `images` belong to the first picture sources (which come first, so they are dropped last)."""
        budget = self.settings.llm_ctx - self.settings.llm_max_tokens
        for chars in (1500, 900, 500):
            msgs = build_messages(question, hits, max_source_chars=chars, images=images)
            if messages_tokens(msgs) <= budget:
                return msgs, hits
        while hits:
            hits = hits[:-1]
            msgs = build_messages(question, hits, max_source_chars=500,
                                  images=images[: sum(map(is_picture, hits))])
            if messages_tokens(msgs) <= budget:
                return msgs, hits
        raise AnswerError(f"the question alone does not fit the model's context ({self.settings.llm_ctx} tokens)")

    # -- main ----------------------------------------------------------------
    def sees_pictures(self) -> bool:
        """Whether the answering model can look at the pictures put beside the sources."""
        return self.backend.can_see()

    def stream(
        self, question: str, result: SearchResult, pictures: list[ImageHit] = ()
    ) -> Iterator[str | Answer]:
        """Yield text pieces as they come, then the finished Answer last (sources: what retrieval found).

        `pictures` become sources [1]… before the stories: shown to a model that can see (their files, first frame,
        downscaled), else given by their alt text and captions, with a warning that says so."""
        question, warnings = self.validate(question)
        backend = self.backend
        images: list[bytes] = []
        if pictures:
            label = f"{backend.name} ({backend.model})" if backend.model else backend.name
            pics = picture_sources(list(pictures), self.settings, backend.can_see(), label)
            warnings += pics.warnings
            images = pics.images
            known = {ih.url for ih in pictures}
            result = replace(result, hits=pics.hits + list(result.hits),
                             image_hits=list(pictures) + [ih for ih in result.image_hits if ih.url not in known])
        msgs, hits = self._fit(question, list(result.hits), images)
        images = list(msgs[-1].images)
        if len(hits) < len(result.hits):
            warnings.append(f"{len(result.hits) - len(hits)} sources dropped to fit the context window")
            result = replace(result, hits=hits)

        if backend.fallback_reason:
            warnings.append(f"auto: answered with {backend.name}; skipped {backend.fallback_reason}")
        demo = getattr(backend, "is_demo_model", False)
        # The demo model tends to echo its sources: keep its answers short and stop at an echoed fence.
        max_tokens = min(self.settings.llm_max_tokens, DEMO_MAX_TOKENS) if demo else self.settings.llm_max_tokens
        text = ""
        try:
            if backend.name == "extractive":
                text = self._quotes(msgs, hits)
                yield text
            else:
                for piece in backend.generate(
                    msgs, max_tokens=max_tokens, temperature=self.settings.llm_temperature, stop=STOP
                ):
                    text += piece
                    yield piece
        except LLMError as e:
            warnings.append(f"{backend.name} failed: {e}; answered with quotes from the sources instead")
            if e.partial:
                warnings.append("the partial answer was discarded: " + _snippet(e.partial, 200))
            backend = BACKENDS.create("extractive", self.settings)
            text = self._quotes(msgs, hits)
            yield "\n\n" + text

        language = detect_language(text)
        language_ok = True
        if backend.name == "extractive":
            pass  # quotes keep their original language by design
        elif demo and language not in ("uk", "unknown"):
            language_ok = False  # a retry would not help a 270M model and doubles the wait
            warnings.append(f"the answer is not in Ukrainian (detected: {language}); demo model, not retried")
        elif hits and language not in ("uk", "unknown"):
            # One retry with the firmer instruction; the retried text replaces the drifted one.
            retry = build_messages(question, hits, retry=True, max_source_chars=900, images=images)
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

        if backend.name != "extractive":
            text, language, language_ok = yield from self._gate(text, msgs, hits, language, language_ok, warnings)
        yield self.finish(text, result, backend, language, language_ok, warnings)

    def _gate(self, text, msgs, hits, language, language_ok, warnings):
        """Show the model's answer only when it passes the gate; else the sources' own words, headed honestly.

        Yields the replacement as it is shown; returns (text, language, language_ok) of what the reader gets.
        """
        # Judged as it would be shown: finish() strips the images and HTML a model writes before anything else.
        reasons = gate(strip_markup(text)[0], len(hits), "\n".join(f"{h.url}\n{h.text}" for h in hits))
        if not language_ok and not any("Ukrainian" in r for r in reasons):
            reasons.append("it is not in Ukrainian")
        if not reasons:
            shown = put_refusal_first(text, hits)
            if shown != text:  # the model's refusal: its sentence first, then the closest stories
                yield "\n\n" + (shown[len(text) :].lstrip() if shown.startswith(text) else shown)
                text = shown
            # The gate read Ukrainian in the model's own words: a short answer is Ukrainian, not "unknown".
            return text, ("uk" if language == "unknown" else language), True
        warnings.append("gated: the model's answer was not shown (" + "; ".join(dict.fromkeys(reasons)) + ")")
        quotes = self._quotes(msgs, hits).replace(QUOTES_HEAD, GATED_HEAD, 1)
        yield "\n\n" + quotes
        language = detect_language(text)  # of what the model wrote: the quotes keep their own language
        return quotes, language, language == "uk"

    def _quotes(self, msgs: list[Message], hits: list[Hit]) -> str:
        """The quote-only answer: the sources' sentences, or the refusal when even the best is below the floor."""
        if below_floor(hits, self.settings):
            return refusal(hits)
        quotes = "".join(BACKENDS.create("extractive", self.settings).generate(msgs))
        return put_refusal_first(quotes, hits)  # no sentence to quote: a refusal, with the closest stories

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
            Source(n, h.article_id, h.title, h.url, h.date, h.issue, _snippet(h.text), h.score, cited=n in cited,
                   relevance=relevance_note(h.scores, self.settings),
                   picture=h.images[0].url if is_picture(h) and h.images else None)
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
            bridge=result.bridge,
        )

    def ask(self, question: str, result: SearchResult, pictures: list[ImageHit] = ()) -> Answer:
        """The finished Answer, without streaming."""
        return final_answer(self.stream(question, result, pictures))


def final_answer(items: Iterator[str | Answer]) -> Answer:
    """Drain a stream of text pieces and return the Answer that ends it."""
    final = None
    for item in items:
        if isinstance(item, Answer):
            final = item
    return final
