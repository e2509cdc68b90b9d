"""Citation parsing and filtering, markdown-image and HTML stripping."""

from __future__ import annotations

import pytest

from batchrag.answer.citations import filter_citations, parse_citations, strip_markup


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Acme shipped Foo [1].", [1]),
        ("A [2] and B [1].", [2, 1]),
        ("Both [1, 2].", [1, 2]),
        ("Both [1,2;3].", [1, 2, 3]),
        ("Chained [1][3] then [1].", [1, 3]),
        ("Spaces [ 4 ] ok.", [4]),
        ("No markers here.", []),
        ("A link [text](http://x) and [a] are not citations.", []),
        ("Year [2024] is a number too.", []),  # four digits are not a plausible source number
        ("Ukrainian: модель GPT-4 [5].", [5]),
    ],
)
def test_parse(text, expected):
    assert parse_citations(text) == expected


@pytest.mark.parametrize(
    "text, n, out, cited, removed",
    [
        ("A [1]. B [2].", 2, "A [1]. B [2].", [1, 2], 0),
        ("A [1]. B [7].", 2, "A [1]. B.", [1], 1),
        ("A [1, 9, 2].", 3, "A [1, 2].", [1, 2], 1),
        ("A [0][1].", 3, "A [1].", [1], 1),
        ("A [4][5].", 3, "A.", [], 2),
        ("Nothing.", 3, "Nothing.", [], 0),
        ("A [1].", 0, "A.", [], 1),
    ],
)
def test_filter(text, n, out, cited, removed):
    assert filter_citations(text, n) == (out, cited, removed)


@pytest.mark.parametrize(
    "text, out, n",
    [
        ("Текст ![лого](https://x/y.png) далі [1].", "Текст  далі [1].", 1),
        ("<b>жирний</b> текст", "жирний текст", 2),
        ('Ось <img src="x.png" alt="a"/> картинка', "Ось  картинка", 1),
        ("<script>alert(1)</script>ok", "alert(1)ok", 2),
        ("a <!-- hidden --> b", "a  b", 1),
        ("Порівняння 3 < 5 і 7 > 2 лишається", "Порівняння 3 < 5 і 7 > 2 лишається", 0),
        ("Посилання [текст](https://a.b) лишається", "Посилання [текст](https://a.b) лишається", 0),
    ],
)
def test_strip_markup(text, out, n):
    assert strip_markup(text) == (out, n)


def test_echoed_prompt_scaffolding_is_stripped():
    from batchrag.answer.citations import strip_markup
    from batchrag.llm.prompts import ANSWER_CUE, SOURCES_HEADER

    text, n = strip_markup(f"{SOURCES_HEADER}\nПитання: Що нового?\nМодель X вийшла [1].\n{ANSWER_CUE}")
    assert text == "Модель X вийшла [1]." and n == 3
