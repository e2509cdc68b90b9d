"""Extractive fallback: quotes the best sentences verbatim, each with its [n]."""

from __future__ import annotations

from batchrag.domain.types import Hit
from batchrag.llm.extractive import ExtractiveBackend, extract_answer, split_sentences
from batchrag.llm.prompts import build_messages

TEXT1 = (
    "Zentrix Robotics unveiled a warehouse robot named Pallas. The robot lifts boxes of up to 40 kilograms. "
    "The company plans to sell Pallas to retailers in Europe next year."
)
TEXT2 = "Quorra AI raised 200 million dollars. Its chatbot answers questions about tax law in three languages."


def test_split_sentences():
    assert split_sentences(TEXT1) == [
        "Zentrix Robotics unveiled a warehouse robot named Pallas.",
        "The robot lifts boxes of up to 40 kilograms.",
        "The company plans to sell Pallas to retailers in Europe next year.",
    ]


def test_picks_overlapping_sentence_and_cites():
    out = extract_answer("How many kilograms can the robot lift?", [(1, TEXT1), (2, TEXT2)])
    assert "— «The robot lifts boxes of up to 40 kilograms.» [1]" in out
    assert "[2]" in out and "цитати" in out and "без мовної моделі" in out


def test_backend_reads_fenced_sources_from_prompt():
    hits = [Hit(7, "u1", "Pallas", None, 1, "story", TEXT1, 1.0), Hit(8, "u2", "Quorra", None, 2, "story", TEXT2, 0.5)]
    msgs = build_messages("Скільки грошей залучила Quorra AI?", hits)
    out = "".join(ExtractiveBackend().generate(msgs))
    assert "— «Quorra AI raised 200 million dollars.» [2]" in out


def test_title_line_is_not_quoted():
    hits = [Hit(7, "u1", "Zentrix Unveils a Warehouse Robot", None, 1, "story",
                "Zentrix Unveils a Warehouse Robot\n" + TEXT1, 1.0)]
    out = "".join(ExtractiveBackend().generate(build_messages("Що це за робот?", hits)))
    assert "— «Zentrix Robotics unveiled a warehouse robot named Pallas.» [1]" in out
    assert "«Zentrix Unveils" not in out


def test_no_sources():
    assert extract_answer("q", []) == "У джерелах немає відповіді на це питання."
