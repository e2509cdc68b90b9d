"""The one checked-generation path: generate → strip → gate → fallback to quotes → citations, for every model text."""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field

from batchrag.answer.citations import filter_citations, strip_markup
from batchrag.answer.gate import gate
from batchrag.answer.refusal import below_floor, put_refusal_first, refusal
from batchrag.domain.types import Hit, Message
from batchrag.index.embedders.registry import TEXT_EMBEDDERS
from batchrag.llm.base import LLMBackend, LLMError
from batchrag.llm.extractive import GATED_HEAD, QUOTES_HEAD
from batchrag.llm.registry import create_backend
from batchrag.settings import Settings

# Checks the language of the model's text, may retry and stream the retry; returns (text, whether it is Ukrainian).
LanguageCheck = Callable[[str], Generator[str, None, tuple[str, bool]]]


def stripped(text: str) -> str:
    """The model's text as a reader would see it: its own images, HTML and prompt echoes removed."""
    return strip_markup(text)[0]


@dataclass(frozen=True)
class Sources:
    """What a model's text is gated against: the sources' text (web addresses must come from it) and their count."""

    text: str
    count: int
    need_citation: bool = True  # a summary of one story cites nothing


@dataclass
class Written:
    """What came through the path: the text the reader gets, and how it came to be that text."""

    text: str  # the model's text when it passed; else the fallback's ("" without a fallback)
    backend: LLMBackend  # who wrote `text`: the model, or the quote-only fallback when the model failed
    raw: str = ""  # the model's text as it streamed (after a language retry), before `tidy`
    reasons: list[str] = field(default_factory=list)  # why the gate refused the model's text; [] when it passed
    error: LLMError | None = None  # the model failed

    @property
    def passed(self) -> bool:
        """The reader gets the model's own words."""
        return self.error is None and not self.reasons and not self.backend.quotes_only


@dataclass(frozen=True)
class Cited:
    """The finished text: markup stripped, citations to sources not given removed."""

    text: str
    stripped: int  # how many images, HTML tags or prompt echoes were removed
    cited: list[int]  # valid [n] in order of first appearance
    removed: int  # how many [n] pointed to no source


class CheckedWriter:
    """Model text → text a reader may see, for one backend; the quote-only `fallback` is created here, once."""

    def __init__(self, settings: Settings, backend: LLMBackend) -> None:
        self.settings = settings
        self.backend = backend
        self._fallback: LLMBackend | None = None

    @property
    def fallback(self) -> LLMBackend:
        """The quote-only backend: what answers when the model fails or its text does not pass the gate."""
        if self._fallback is None:
            self._fallback = create_backend("extractive", self.settings)
        return self._fallback

    def _embedder(self):
        """The index's text embedder (the registry's cached one, loaded for retrieval): the quotes are chosen by
        its meaning; None when it cannot load here (then by shared words)."""
        try:
            return TEXT_EMBEDDERS.create(self.settings.index.embedder, self.settings.index)
        except Exception:  # noqa: BLE001  (a missing extra or model: the quotes still come, by words)
            return None

    def quotes(self, msgs: list[Message], hits: list[Hit]) -> str:
        """The quote-only answer: the sources' sentences, or the refusal when even the best is below the floor."""
        if below_floor(hits, self.settings):
            return refusal(hits)
        quote = getattr(self.fallback, "quote_from", None)  # can it quote the sources whole, not as the prompt cut them?
        if quote is not None:
            # A source's every retrieved passage: the prompt keeps only its first 1,500 characters, and the sentence
            # that answers is often further on (docs/decisions/0016).
            quotes = quote(msgs, [(n, h.text) for n, h in enumerate(hits, 1)], self._embedder())
        else:
            quotes = "".join(self.fallback.generate(msgs))
        return put_refusal_first(quotes, hits)  # no sentence to quote: a refusal, with the closest stories

    def write(
        self,
        msgs: list[Message],
        sources: Sources,
        *,
        max_tokens: int,
        temperature: float,
        stop: list[str] | None = None,
        tidy: Callable[[str], str] = stripped,
        fallback: Callable[[], str] | None = None,
        language: LanguageCheck | None = None,
    ) -> Generator[str, None, Written]:
        """Stream the model's reply to `msgs`, then (as the generator's value) what passed, or the fallback.

        `tidy` turns the reply into the text the gate judges (and the reader gets); `fallback` gives the quotes
        shown instead of a failed or gated reply (None: nothing is shown); `language` may retry a drifted reply."""
        backend = self.backend
        if backend.quotes_only:  # quotes keep their original language by design: nothing to gate
            text = fallback() if fallback else ""
            yield text
            return Written(text, backend)
        raw = ""
        try:
            for piece in backend.generate(msgs, max_tokens=max_tokens, temperature=temperature, stop=stop):
                raw += piece
                yield piece
        except LLMError as e:
            if fallback is None:
                return Written("", backend, raw, error=e)
            text = fallback()
            yield "\n\n" + text
            return Written(text, self.fallback, raw, error=e)
        ukrainian = True
        if language is not None:
            raw, ukrainian = yield from language(raw)
        text = tidy(raw)
        reasons = gate(text, sources.count, sources.text, need_citation=sources.need_citation)
        if not ukrainian and not any("Ukrainian" in r for r in reasons):
            reasons.append("it is not in Ukrainian")
        if not reasons:
            return Written(text, backend, raw)
        text = ""
        if fallback is not None:  # the sources' own words, headed honestly: the model's answer was not shown
            text = fallback().replace(QUOTES_HEAD, GATED_HEAD, 1)
            yield "\n\n" + text
        return Written(text, backend, raw, reasons=reasons)

    def write_all(self, msgs: list[Message], sources: Sources, **how) -> Written:
        """`write`, its pieces drained: for a caller that shows the text only when it is whole."""
        return drain(self.write(msgs, sources, **how))

    @staticmethod
    def cite(text: str, n_sources: int) -> Cited:
        """The last step: strip what the model must not show, and drop citations to sources not given."""
        text, n_markup = strip_markup(text)
        text, cited, removed = filter_citations(text, n_sources)
        return Cited(text, n_markup, cited, removed)


def drain(pieces: Generator[str, None, Written]) -> Written:
    """Run a `write` to its end and return what it returned."""
    while True:
        try:
            next(pieces)
        except StopIteration as done:
            return done.value
