"""Language check: Ukrainian vs English, Russian and mixed text."""

from __future__ import annotations

import pytest

from batchrag.answer.language import detect_language, is_ukrainian


@pytest.mark.parametrize(
    "text, lang",
    [
        ("Компанія OpenAI випустила модель GPT-4o, яка розуміє голос і зображення [1].", "uk"),
        ("Meta навчила Llama 3 на 15 трильйонах токенів [2].", "uk"),
        ("Їхня нова система ґрунтується на трансформерах [1].", "uk"),
        ("Meta trained Llama 3 on 15 trillion tokens, the company said [2].", "en"),
        ("Компания выпустила новую модель, которая быстрее предыдущей [1].", "ru"),
        ("Ок [1].", "unknown"),
        ("Die Firma hat ein neues Modell veröffentlicht, das schneller ist.", "en"),
        ("OpenAI, Google DeepMind, Anthropic і Meta змагаються за кращі моделі [1][2][3].", "uk"),
    ],
)
def test_detect(text, lang):
    assert detect_language(text) == lang


def test_citations_and_urls_do_not_count():
    assert detect_language("Модель працює швидше [1][2][3][4] https://example.org/english/words/here") == "uk"


def test_is_ukrainian():
    assert is_ukrainian("Модель працює швидше, ніж попередня [1].")
    assert not is_ukrainian("The model runs faster than the previous one [1].")


def test_names_and_numbers_do_not_make_a_ukrainian_answer_english():
    # Real answers about benchmarks are mostly names and figures; the words around them are what is Ukrainian.
    assert is_ukrainian("На AIME24 QwQ-32B мав 79,5% (o1-mini — 63,6%, DeepSeek-R1 — 79,8%) [1].")
    assert detect_language("Gemini 2.5 Pro Experimental мав 1437 Elo, випередивши GPT-4o (1406) [1].") == "uk"
    assert detect_language("QwQ-32B scored 79.5% on AIME24, beating o1-mini and trailing DeepSeek-R1.") == "en"


def test_a_long_ukrainian_sentence_without_i_yi_ye_is_still_ukrainian():
    assert detect_language("STEGO отримав 28,2 % mIoU проти 14,4 % у найближчого неконтрольованого конкурента.") == "uk"
    assert detect_language("Модель получила хорошую оценку, потому что она работала быстро и точно.") == "ru"
