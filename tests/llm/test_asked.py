"""What a question asks for, in either language (llm/asked.py)."""

from __future__ import annotations

import pytest

from batchrag.llm.asked import asked_for


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Скільки Amazon збирається витратити на капітальні інвестиції?", "number"),
        ("На скільки відсотків зросла точність?", "number"),
        ("Наскільки швидше працює нова модель?", "number"),
        ("Яку частку запитів модель відхилила?", "number"),
        ("What share of sensitive prompts did it refuse?", "number"),
        ("How did GPT-4.5 do on the PersonQA test?", "number"),
        ("Хто очолив новий підрозділ?", "name"),
        ("Яка компанія купила стартап?", "name"),
        ("Which company released the model?", "name"),
        ("Чому суддя відмовив у добросовісному використанні?", "reason"),
        ("Why should regulators protect open weights?", "reason"),
        ("Коли вийшла перша версія?", "date"),
        ("Як метод дає моделі змогу міркувати векторами?", "method"),
        ("Розкажи про роботів-гуманоїдів", ""),
    ],
)
def test_what_kind_of_answer_is_asked_for(question, kind):
    assert asked_for(question).kind == kind


def test_the_years_a_question_names():
    assert asked_for("Скільки інвестицій було у 2022 році порівняно з 2021?").years == (2022, 2021)
    assert asked_for("Скільки параметрів у моделі?").years == ()
