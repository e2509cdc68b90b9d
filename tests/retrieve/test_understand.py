"""Query understanding: the framing a reader wraps a question in goes, the topic and the intent stay."""

import pytest

from batchrag.retrieve.understand import ABBREVIATIONS, abbreviation, spellings, understand

# (as a reader asks, what the signals search, picture, letter)
FRAMINGS = [
    ("Що The Batch писав про роботів, які складають одяг?", "роботів, які складають одяг?", False, False),
    ("Що писали про роботів, які складають одяг?", "роботів, які складають одяг?", False, False),
    ("Що The Batch писав про те, як роботи складають одяг?", "як роботи складають одяг?", False, False),
    ("Розкажи, що було в The Batch: роботи складають одяг", "роботи складають одяг", False, False),
    ("Нагадай з The Batch: роботи складають одяг", "роботи складають одяг", False, False),
    ("Нагадай, як Waymo розмножувала лідарні дані", "як Waymo розмножувала лідарні дані", False, False),
    ("Чи писали в The Batch про роботів-запилювачів?", "роботів-запилювачів?", False, False),
    ("Чи було в The Batch щось про DeepNash?", "DeepNash?", False, False),
    ("Я читав у The Batch про одяг, що плутає камери.", "одяг, що плутає камери.", False, False),
    ("Розкажи про роботів, що складають білизну", "роботів, що складають білизну", False, False),
    ("Покажи діаграму результатів MLPerf", "діаграму результатів MLPerf", True, False),
    ("Знайди анімацію до статті про BARF", "анімацію BARF", True, False),
    ("Де була картинка з рядами порівнянь до новини про U-GAT-IT?", "картинка з рядами порівнянь U-GAT-IT?", True,
     False),
    ("Хочу ще раз глянути на графіки MLPerf", "графіки MLPerf", True, False),
    ("What did The Batch write about robots folding clothes?", "robots folding clothes?", False, False),
    ("Did The Batch cover the first US–China talks on AI risks?", "the first US–China talks on AI risks?", False,
     False),
    ("Remind me what Andrew Ng wrote about Covid-19", "what Andrew Ng wrote about Covid-19", False, True),
    ("Show me the chart of MLPerf results", "the chart of MLPerf results", True, False),
    # A model's rewrite that kept the framing is read the same way (search reads the English query through it too)
    ("The Batch wrote about the clothing robots it developed.", "the clothing robots it developed.", False, False),
    ("What The Batch reported on AI chips in 2024", "AI chips in 2024", False, False),
    # The ML term is not the newsletter's name
    ("What did The Batch say about batch size?", "batch size?", False, False),
    ("Що писали про batch normalization у трансформерах?", "batch normalization у трансформерах?", False, False),
    # Nothing to remove: the question stays as written
    ("How does batch size affect training?", "How does batch size affect training?", False, False),
    ("Batch normalization in transformers", "Batch normalization in transformers", False, False),
    ("What is the batch size for GPT-3?", "What is the batch size for GPT-3?", False, False),
    ("Що Ендрю Ин писав про освіту?", "Що Ендрю Ин писав про освіту?", False, True),
    ("What was Andrew Ng's take on Galactica?", "What was Andrew Ng's take on Galactica?", False, True),
    ("Як працює AlphaFold?", "Як працює AlphaFold?", False, False),
    ("Що сталося в листопаді з OpenAI?", "Що сталося в листопаді з OpenAI?", False, False),  # November, no letter
    # Only framing: searched as written rather than as nothing
    ("Що писали в The Batch?", "Що писали в The Batch?", False, False),
    ("", "", False, False),
]


@pytest.mark.parametrize(("asked", "searched", "picture", "letter"), FRAMINGS)
def test_framing_goes_and_intent_stays(asked, searched, picture, letter):
    read = understand(asked)
    assert read.text == searched
    assert (read.picture, read.letter) == (picture, letter)
    assert read.changed == (searched != asked.strip())
    assert bool(read.framing) == read.changed


def test_recency_is_kept_as_intent():
    read = understand("Що The Batch писав останнім часом про агентів?")
    assert read.recent and "агентів" in read.text and "Batch" not in read.text


def test_a_word_that_only_starts_like_a_framing_word_stays():
    # «а» opens a follow-up; «анімацію» is not «а» + «німацію»
    assert understand("Анімація з BARF").text == "Анімація з BARF"
    assert understand("Знайомство з трансформерами").text == "Знайомство з трансформерами"


def test_an_abbreviation_is_the_name_it_stands_for_in_every_spelling():
    assert abbreviation("ЄС") == "EU" and spellings("EU") == ("EU", "European Union")
    assert abbreviation("ШІ") is None and abbreviation("єс") is None  # not a name; lower case is a word
    assert spellings("OpenAI") == ("OpenAI",)
    for short, forms in ABBREVIATIONS.items():  # each is written as an abbreviation, each name spelt in Latin
        assert short.isupper() and all(f.isascii() and f for f in forms)
