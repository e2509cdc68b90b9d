"""Answerer: question + retrieved sources → prompt → streamed tokens → checked Answer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

from batchrag.answer.archive_dates import after_archive, archive_end, never_named, span_for_prompt
from batchrag.answer.checked import CheckedWriter, LanguageCheck, Sources, Written
from batchrag.answer.gate import is_refusal
from batchrag.answer.language import detect_language
from batchrag.answer.picture_sources import is_picture, picture_sources
from batchrag.answer.question import AnswerError, Question
from batchrag.answer.refusal import put_refusal_first, refusal
from batchrag.answer.relevance import relevance_note
from batchrag.domain.types import Answer, ArchiveSpan, Hit, ImageHit, Message, SearchResult, Source
from batchrag.llm.base import LLMBackend, LLMError
from batchrag.llm.prompts import build_messages, messages_tokens
from batchrag.llm.registry import get_backend
from batchrag.settings import Settings

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

    def __init__(self, settings: Settings, backend: LLMBackend | None = None, *,
                 make_backend: Callable[[], LLMBackend] | None = None) -> None:
        # make_backend: the reader's chosen backend, built on first use (`auto` checks health: not before it answers).
        self.settings = settings
        self._backend = backend
        self._make_backend = make_backend
        self._writer: CheckedWriter | None = None

    @property
    def backend(self) -> LLMBackend:
        if self._backend is None:
            self._backend = self._make_backend() if self._make_backend else get_backend(self.settings)
        return self._backend

    @property
    def writer(self) -> CheckedWriter:
        """The checked-generation path for this answerer's backend (and its quote-only fallback)."""
        if self._writer is None:
            self._writer = CheckedWriter(self.settings, self.backend)
        return self._writer

    # -- steps ---------------------------------------------------------------
    def _fit(
        self, question: str, hits: list[Hit], images: list[bytes] = (), archive: str = ""
    ) -> tuple[list[Message], list[Hit]]:
        """Shorten sources, then drop the last ones, until the prompt fits the context window.

        `images` belong to the first picture sources (which come first, so they are dropped last)."""
        budget = self.settings.llm.ctx - self.settings.llm.max_tokens
        for chars in (1500, 900, 500):
            msgs = build_messages(question, hits, max_source_chars=chars, images=images, archive=archive)
            if messages_tokens(msgs) <= budget:
                return msgs, hits
        while hits:
            hits = hits[:-1]
            msgs = build_messages(question, hits, max_source_chars=500,
                                  images=images[: sum(map(is_picture, hits))], archive=archive)
            if messages_tokens(msgs) <= budget:
                return msgs, hits
        raise AnswerError(f"the question alone does not fit the model's context ({self.settings.llm.ctx} tokens)")

    def _prompt(
        self, question: str, result: SearchResult, pictures: list[ImageHit], warnings: list[str], archive: str = ""
    ) -> tuple[list[Message], SearchResult]:
        """The prompt: pictures as sources [1]… before the stories, then as many sources as the context holds."""
        backend = self.backend
        images: list[bytes] = []
        if pictures:
            label = f"{backend.name} ({backend.model})" if backend.model else backend.name
            pics = picture_sources(list(pictures), self.settings, backend.sees_images, label)
            warnings += pics.warnings
            images = pics.images
            known = {ih.url for ih in pictures}
            result = replace(result, hits=pics.hits + list(result.hits),
                             image_hits=list(pictures) + [ih for ih in result.image_hits if ih.url not in known])
        msgs, hits = self._fit(question, list(result.hits), images, archive)
        if len(hits) < len(result.hits):
            warnings.append(f"{len(result.hits) - len(hits)} sources dropped to fit the context window")
            result = replace(result, hits=hits)
        return msgs, result

    # -- main ----------------------------------------------------------------
    def sees_pictures(self) -> bool:
        """Whether the answering model can look at the pictures put beside the sources."""
        return self.backend.sees_images

    def stream(
        self, question: Question | str, result: SearchResult, pictures: list[ImageHit] = (),
        span: ArchiveSpan | None = None,
    ) -> Iterator[str | Answer]:
        """Yield text pieces as they come, then the finished Answer last (sources: what retrieval found).

        `question` comes tidied (the assistant's `prepare`); a plain string is asked as it is. `pictures` become
        sources [1]… before the stories: shown to a model that can see (their files, first frame, downscaled), else
        given by their alt text and captions, with a warning that says so. `span`: what time the library covers; a
        question about a time after it is refused with where the archive ends, and a model is told the span."""
        if isinstance(question, str):
            question = Question(question)
        warnings: list[str] = []
        if question.trimmed_from:
            limit = self.settings.answer.max_question_chars
            warnings.append(f"the question was longer than {limit} characters and was trimmed")
        outside = None
        if after_archive(question.text, span, list(result.hits)):
            outside = archive_end(span), "the question asks about a time after the archive's end"
        elif result.unknown:
            outside = never_named(result.unknown, span), f"the archive never names {', '.join(result.unknown)}"
        if outside is not None:
            text = refusal(list(result.hits), outside[0])
            warnings.append(f"{outside[1]}: refused without a model")
            yield text
            yield self.finish(text, result, self.writer.fallback, "uk", True, warnings)
            return
        msgs, result = self._prompt(question.text, result, list(pictures), warnings, span_for_prompt(span))
        hits = list(result.hits)
        backend = self.backend
        if backend.fallback_reason:
            warnings.append(f"auto: answered with {backend.name}; skipped {backend.fallback_reason}")
        # The demo model tends to echo its sources: keep its answers short and stop at an echoed fence.
        max_tokens = self.settings.llm.max_tokens
        if not backend.writes_answers:
            max_tokens = min(max_tokens, DEMO_MAX_TOKENS)
        heard: dict[str, str] = {}
        written = yield from self.writer.write(
            msgs, Sources("\n".join(f"{h.url}\n{h.text}" for h in hits), len(hits)),
            max_tokens=max_tokens, temperature=self.settings.llm.temperature, stop=STOP,
            fallback=lambda: self.writer.quotes(msgs, hits),
            language=self._language_check(question.text, hits, list(msgs[-1].images), max_tokens, warnings, heard),
        )
        text, language, language_ok = yield from self._settle(written, hits, heard, warnings)
        yield self.finish(text, result, written.backend, language, language_ok, warnings)

    def _language_check(self, question, hits, images, max_tokens, warnings, heard) -> LanguageCheck:
        """The answer must be Ukrainian: one retry with the firmer instruction (the retry replaces the drifted
        text), never for the demo model; `heard["language"]` keeps what was detected."""
        backend = self.backend

        def check(text: str):
            language = detect_language(text)
            ukrainian = True
            if not backend.writes_answers and language not in ("uk", "unknown"):
                ukrainian = False  # a retry would not help a 270M model and doubles the wait
                warnings.append(f"the answer is not in Ukrainian (detected: {language}); demo model, not retried")
            elif hits and language not in ("uk", "unknown"):
                retry = build_messages(question, hits, retry=True, max_source_chars=900, images=images)
                try:
                    again = "".join(backend.generate(retry, max_tokens=max_tokens, temperature=0.0, stop=STOP))
                except LLMError as e:
                    again = ""
                    warnings.append(f"language retry failed: {e}")
                if again and detect_language(again) in ("uk", "unknown"):
                    text, language = again, detect_language(again)
                    yield "\n\n[відповідь перекладено українською]\n" + again
                else:
                    ukrainian = False
                    warnings.append(f"the answer is not in Ukrainian (detected: {language})")
            heard["language"] = language
            return text, ukrainian

        return check

    def _settle(self, written: Written, hits: list[Hit], heard: dict[str, str], warnings: list[str]):
        """What the reader gets from what came through the path: (text, language, language_ok); yields what it adds.
        """
        if written.error is not None:
            e = written.error
            warnings.append(f"{self.backend.name} failed: {e}; answered with quotes from the sources instead")
            if e.partial:
                warnings.append("the partial answer was discarded: " + _snippet(e.partial, 200))
        if not written.passed and not written.reasons:  # quotes: they keep their original language by design
            return written.text, detect_language(written.text), True
        if written.reasons:
            warnings.append("gated: the model's answer was not shown (" + "; ".join(dict.fromkeys(written.reasons))
                            + ")")
            language = detect_language(written.raw)  # of what the model wrote: the quotes keep their own language
            return written.text, language, language == "uk"
        text = written.raw  # finish() strips it, and says how much it removed
        shown = put_refusal_first(text, hits)
        if shown != text:  # the model's refusal: its sentence first, then the closest stories
            yield "\n\n" + (shown[len(text) :].lstrip() if shown.startswith(text) else shown)
            text = shown
        # The gate read Ukrainian in the model's own words: a short answer is Ukrainian, not "unknown".
        language = heard["language"]
        return text, ("uk" if language == "unknown" else language), True

    def finish(
        self,
        text: str,
        result: SearchResult,
        backend: LLMBackend,
        language: str,
        language_ok: bool,
        warnings: list[str],
    ) -> Answer:
        done = self.writer.cite(text, len(result.hits))
        if done.stripped:
            warnings.append(f"removed {done.stripped} images, HTML tags or prompt echoes the model wrote")
        if done.removed:
            warnings.append(f"removed {done.removed} citations to sources that were not given")
        if not done.cited:
            warnings.append("the answer cites no source")
        sources = [
            Source(n, h.article_id, h.title, h.url, h.date, h.issue, _snippet(h.text), h.score, cited=n in done.cited,
                   relevance=relevance_note(h.scores, self.settings),
                   picture=h.images[0].url if is_picture(h) and h.images else None)
            for n, h in enumerate(result.hits, 1)
        ]
        return Answer(
            answer=done.text.strip(),
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
            quotes_only=backend.quotes_only,
            writes_answers=backend.writes_answers,
            refused=is_refusal(done.text),
        )

    def answer_whole(self, question: Question | str, result: SearchResult, pictures: list[ImageHit] = ()) -> Answer:
        """The finished Answer, without streaming."""
        return final_answer(self.stream(question, result, pictures))


def final_answer(items: Iterator[str | Answer]) -> Answer:
    """Drain a stream of text pieces and return the Answer that ends it."""
    final = None
    for item in items:
        if isinstance(item, Answer):
            final = item
    return final
