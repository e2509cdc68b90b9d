"""The one checked-generation path (answer/checked.py) with real backends: a scripted Ollama server on 127.0.0.1."""

from __future__ import annotations

from datetime import date

import pytest

from batchrag.answer.checked import CheckedWriter, Sources, drain
from batchrag.domain.types import Hit
from batchrag.llm.extractive import GATED_HEAD, QUOTES_HEAD, ExtractiveBackend
from batchrag.llm.ollama import OllamaBackend
from batchrag.llm.prompts import build_messages
from batchrag.settings import Settings
from tests.support.ollama_wire import Reply

HITS = [
    Hit(11, "https://www.deeplearning.ai/the-batch/issue-901/#pallas", "Zentrix Unveils Pallas", date(2031, 1, 8), 901,
        "story", "Zentrix Robotics unveiled a warehouse robot named Pallas. It lifts boxes of up to 40 kilograms.", 0.9),
    Hit(12, "https://www.deeplearning.ai/the-batch/issue-902/#quorra", "Quorra Raises Funds", date(2031, 1, 15), 902,
        "story", "Quorra AI raised 200 million dollars for its tax-law chatbot to answer questions on tax law.", 0.7),
]

SOURCES = Sources("\n".join(f"{h.url}\n{h.text}" for h in HITS), len(HITS))


@pytest.fixture
def writer(ollama) -> CheckedWriter:
    s = Settings()
    return CheckedWriter(s, OllamaBackend(s.llm))


def _write(writer: CheckedWriter, **how):
    msgs = build_messages("Скільки піднімає Pallas?", HITS)
    gen = writer.write(msgs, SOURCES, max_tokens=64, temperature=0.0, **how)
    pieces = []
    try:
        while True:
            pieces.append(next(gen))
    except StopIteration as done:
        return pieces, done.value


def test_a_reply_that_passes_streams_and_comes_back_as_the_models(writer, ollama):
    ollama.replies.append(Reply(["Робот Pallas ", "піднімає до 40 кг [1]."]))
    pieces, w = _write(writer)
    assert pieces == ["Робот Pallas ", "піднімає до 40 кг [1]."]
    assert w.passed and w.text == w.raw == "Робот Pallas піднімає до 40 кг [1]." and w.backend is writer.backend


def test_the_gate_strips_what_the_model_wrote_before_judging(writer, ollama):
    ollama.replies.append(Reply(['Робот Pallas <img src="x.png"> піднімає до 40 кг [1].']))
    pieces, w = _write(writer)
    assert w.passed and "<img" in w.raw and "<img" not in w.text


def test_a_gated_reply_falls_back_to_quotes_headed_honestly(writer, ollama):
    msgs = build_messages("Скільки піднімає Pallas?", HITS)
    ollama.replies.append(Reply(["Pallas lifts forty kilograms, see https://invented.example/x"]))
    pieces, w = _write(writer, fallback=lambda: writer.quotes(msgs, HITS))
    assert not w.passed and w.text.startswith(GATED_HEAD) and pieces[-1] == "\n\n" + w.text
    assert any("web address" in r for r in w.reasons) and any("Ukrainian" in r for r in w.reasons)


def test_without_a_fallback_a_gated_reply_is_nothing(writer, ollama):
    ollama.replies.append(Reply(["English only, and no citation at all."]))
    _, w = _write(writer)
    assert w.text == "" and w.reasons and w.error is None


def test_a_failing_model_falls_back_to_the_quote_only_backend(writer, ollama):
    msgs = build_messages("Скільки піднімає Pallas?", HITS)
    ollama.replies.append(Reply([], status=500, error="out of memory"))
    pieces, w = _write(writer, fallback=lambda: writer.quotes(msgs, HITS))
    assert w.error is not None and "out of memory" in str(w.error)
    assert w.backend is writer.fallback and w.backend.quotes_only and w.text.startswith(QUOTES_HEAD)
    assert pieces[-1] == "\n\n" + w.text


def test_a_failing_model_without_a_fallback_gives_the_error_alone(writer, ollama):
    ollama.replies.append(Reply([], status=500, error="out of memory"))
    w = drain(writer.write(build_messages("Що?", HITS), SOURCES, max_tokens=8, temperature=0.0))
    assert w.text == "" and w.error is not None and not w.passed


def test_a_language_check_may_replace_the_reply_and_refuse_it(writer, ollama):
    ollama.replies.append(Reply(["Робот Pallas піднімає до 40 кг [1]."]))

    def check(text):
        yield "retried"
        return text, False

    pieces, w = _write(writer, language=check)
    assert pieces[-1] == "retried" and w.reasons == ["it is not in Ukrainian"]


def test_the_quote_only_backend_never_asks_a_model(ollama):
    s = Settings()
    writer = CheckedWriter(s, ExtractiveBackend(s.llm, quotes=s.answer.quotes))
    msgs = build_messages("Скільки піднімає Pallas?", HITS)
    pieces, w = _write(writer, fallback=lambda: writer.quotes(msgs, HITS))
    assert ollama.chat_requests() == [] and pieces == [w.text] and w.text.startswith(QUOTES_HEAD)
    assert not w.passed and not w.reasons and w.backend.quotes_only


def test_cite_strips_markup_and_drops_citations_to_no_source():
    done = CheckedWriter.cite("Так [1][7]. ![x](y.png)", 3)
    assert (done.text.strip(), done.stripped, done.cited, done.removed) == ("Так [1].", 1, [1], 1)


def test_backends_declare_their_capabilities(ollama):
    s = Settings()
    quotes, model = ExtractiveBackend(s.llm, quotes=s.answer.quotes), OllamaBackend(s.llm)
    assert quotes.quotes_only and not quotes.writes_answers and not quotes.sees_images
    assert not model.quotes_only and model.writes_answers


def test_the_digest_and_the_timeline_write_through_the_one_path():
    import batchrag.service.digest as digest
    import batchrag.service.timeline as timeline

    for module in (digest, timeline):
        assert module.CheckedWriter is CheckedWriter
        assert not hasattr(module, "gate") and not hasattr(module, "LLMError")  # no checks of their own
