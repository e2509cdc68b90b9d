"""The one question rule: whitespace tidied, empty refused, a long question cut at a word boundary."""

from __future__ import annotations

import pytest

from batchrag.answer import EmptyQuestion, prepare_question
from batchrag.domain.errors import BatchragError


def test_empty_question_is_refused_with_one_line():
    with pytest.raises(EmptyQuestion, match="the question is empty") as ei:
        prepare_question("  \n\t ", 100)
    assert isinstance(ei.value, BatchragError) and "\n" not in str(ei.value)
    with pytest.raises(EmptyQuestion):
        prepare_question(None, 100)


def test_whitespace_is_collapsed_and_short_questions_kept():
    q = prepare_question(" Що\n нового?  ", 100)
    assert q.text == "Що нового?" and q.trimmed_from is None


def test_long_question_is_cut_at_a_word_and_says_how_long_it_was():
    raw = "слово " * 100
    q = prepare_question(raw, 50)
    assert len(q.text) <= 50 and not q.text.endswith(" ") and q.text.split()[-1] == "слово"
    assert q.trimmed_from == len(raw.strip())


def test_one_long_word_is_cut_at_the_limit():
    q = prepare_question("x" * 80, 50)
    assert q.text == "x" * 50 and q.trimmed_from == 80
