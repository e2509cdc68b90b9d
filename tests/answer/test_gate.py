"""The answer gate: loops, invented links, too little Ukrainian and missing citations are caught; real answers pass."""

from __future__ import annotations

import pytest

from batchrag.answer.gate import gate, is_refusal, ukrainian_share
from batchrag.llm.prompts import NOT_FOUND_UK

SOURCES = "https://www.deeplearning.ai/the-batch/issue-901/\nZentrix unveiled Pallas, a robot that lifts 40 kg."


@pytest.mark.parametrize(
    "answer",
    [
        "Робот Pallas від Zentrix піднімає до 40 кг [1].",
        "Pallas [1].",  # only a name and a citation: short, but checkable
        NOT_FOUND_UK,  # the prompt's refusal needs no citation
        "Zentrix показала робота Pallas [1]; деталі: https://www.deeplearning.ai/the-batch/issue-901/",
        "Це open-weight модель, яку можна fine-tune локально [1], і вона піднімає 40 кг.",
    ],
)
def test_real_answers_pass(answer):
    assert gate(answer, 3, SOURCES) == []


@pytest.mark.parametrize(
    "answer, reason",
    [
        ("Якісні навчальні заняття:\n" * 17, "repeats itself in a loop"),
        ("так і так " * 12 + "[1]", "repeats itself in a loop"),
        ("Дивіться https://youtube.com/watch?v=abc [1].", "web address(es) found in no source"),
        ("Pallas lifts boxes of up to forty kilograms [1].", "too little of it is in Ukrainian"),
        ("Робот піднімає сорок кілограмів.", "it cites no source"),
        ("   ", "the answer is empty"),
    ],
)
def test_junk_is_caught_with_its_reason(answer, reason):
    assert any(reason in r for r in gate(answer, 3, SOURCES))


def test_citation_to_a_source_not_given_does_not_count():
    assert "it cites no source" in gate("Робот піднімає 40 кг [7].", 3, SOURCES)


def test_names_in_latin_script_do_not_count_against_ukrainian():
    assert ukrainian_share("OpenAI випустила GPT-5 і Sora") == 1.0
    assert ukrainian_share("Google DeepMind") is None
    assert is_refusal("На жаль, у джерелах немає відповіді на це питання.")
