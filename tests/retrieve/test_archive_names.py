"""What the archive never names: newer versions, later editions, unknown names (retrieve/archive_names.py)."""

from __future__ import annotations

import pytest

from batchrag.retrieve.archive_names import ArchiveNames, transliterate, words

TEXTS = [
    "Apple brought its assistant to the iPhone 15 Pro and iPhone 16, with GPT-4o behind Siri.",
    "xAI released Grok 3 and Grok 2 earlier; RoboCup 2023 showed humanoid robots playing football.",
    "OpenAI and Google DeepMind both entered coding contests. Claude 3.5 Sonnet led the chart.",
    "Dia, a text-to-speech model, speaks two voices. Qwen2.5-Omni talks back.",
]


@pytest.fixture(scope="module")
def names():
    return ArchiveNames(TEXTS, last_year=2025)


def test_words_and_the_official_transliteration():
    assert words("GPT-4o, Qwen2.5-Omni!") == " gpt 4o qwen2 5 omni "
    assert transliterate("Дія") == "diia" and transliterate("Київстар") == "kyivstar"
    assert transliterate("Юрій") == "yurii"


@pytest.mark.parametrize(
    ("question", "unknown"),
    [
        ("Які ШІ-функції з'явилися в iPhone 17?", ["iPhone 17"]),  # newer than every iPhone the archive names
        ("Що вміє Grok 4 від xAI?", ["Grok 4"]),
        ("Хто переміг на RoboCup 2025?", ["RoboCup 2025"]),  # an edition from the archive's last year
        ("Як OpenAI і Google DeepMind виступили на ICPC 2025?", ["ICPC 2025"]),  # an unknown event's edition
        ("Як ШІ використовують у застосунку «Дія»?", ["«Дія»"]),  # Diia: nowhere (Dia is another word)
        ("Що писали про Zorblax?", ["Zorblax"]),
        # Known, or a known version, or older than one the archive names: nothing to refuse.
        ("Що нового в iPhone 15?", []),
        ("Як Grok 2 порівнювали з іншими?", []),
        ("Що показали на RoboCup 2023?", []),
        ("Як працює Claude 3.5 Sonnet і GPT-4o?", []),
        ("Що вміє Qwen2.5-Omni?", []),
        # One misspelt name among known ones is still a question about them.
        ("Як OpenAI і DeepMnd змагалися?", []),
        # A sentence's first word, a Roman numeral, a year with no name: not names.
        ("What did Apple say about Siri?", []),
        ("Why should an RL agent run the lights?", []),  # a first English word, an acronym: never names
        ("Яку теорію XIX століття наводять?", []),
        ("Що сталося у 2026 році?", []),
    ],
)
def test_what_the_archive_never_names(names, question, unknown):
    assert names.unknown(question) == unknown


def test_what_is_read_of_a_ukrainian_question_keeps_its_language(names):
    # «Що The Batch писав про Zorblax?» is searched as «Zorblax?»: a Latin first word, but not an English sentence's.
    assert names.unknown("Zorblax?", english=False) == ["Zorblax"]
    assert names.unknown("Zorblax?", english=True) == []


def test_a_later_archive_knows_its_own_year(names):
    older = ArchiveNames(TEXTS, last_year=2026)
    assert older.unknown("Хто переміг на RoboCup 2025?") == []  # before the archive's last year: not claimed
    assert names.mentions("Google DeepMind") and not names.mentions("DeepMind Google")
