"""The lexical bridge: lexicon lookups (exact, by stem), the English words a question gets, and the shipped lexicon."""

import gzip

import pytest

from batchrag.retrieve.bridge import LEXICON, Lexicon, english_words, lexicon


@pytest.fixture()
def small(tmp_path):
    p = tmp_path / "lex.tsv.gz"
    with gzip.open(p, "wt", encoding="utf-8") as fp:
        # frequency order: "робот" is commoner than "роботизація"
        fp.write("робот\trobot:0.912 robots:0.905 robotic:0.880\n")
        fp.write("білизну\tlaundry:0.870 linen:0.861 underwear:0.850\n")
        fp.write("роботизація\trobotization:0.901 automation:0.870 robotics:0.860\n")
        fp.write("складає\tfolds:0.842 composes:0.840 assembles:0.835\n")
    return Lexicon(p)


def test_exact_forms_and_unknown_inflections_by_their_stem(small):
    assert small.lookup("Робот")[0] == ("robot", 0.912)
    # "робота" is not listed: its longest known stem "робот" is shared by two forms, the commoner one wins.
    assert small.lookup("робота")[0][0] == "robot"
    assert small.lookup("складають")[0][0] == "folds"
    assert small.lookup("кіт") == []  # no stem of 4+ letters in common with anything


def test_a_question_keeps_its_names_and_numbers_and_drops_function_words(small):
    from batchrag.retrieve.glossary import Glossary

    q = "Покажи зображення робота від Google, який складає білизну у 2024 році"
    en = english_words(q, 0.0, small, gloss=Glossary())  # the lexicon alone
    assert en.split()[:2] == ["Google", "2024"]
    assert {"robot", "folds", "laundry"} <= set(en.split())
    assert "покажи" not in en.lower()
    assert english_words(q, 0.88, small, gloss=Glossary()).split() == ["Google", "2024", "robot"]  # only close ones
    assert english_words("Що це таке?", 0.0, small) is None  # nothing maps: no bridge at all
    assert english_words("", 0.0, small) is None


def test_an_unreadable_lexicon_turns_the_bridge_off(tmp_path, caplog):
    broken = tmp_path / "broken.tsv.gz"
    broken.write_bytes(b"not gzip")
    assert lexicon(broken) is None and lexicon(tmp_path / "missing.tsv.gz") is None
    assert "lexical bridge off" in caplog.text


def test_the_shipped_lexicon_maps_common_words():
    lex = lexicon()
    assert LEXICON.is_file() and len(lex.pairs) >= 50_000
    assert lexicon() is lex  # read once per process
    # Word-level neighbours are often right for concrete words and noise for others (docs/decisions/0014).
    assert {w for w, _ in lex.lookup("одяг")[:3]} & {"clothing", "clothes", "garments"}
    assert {w for w, _ in lex.lookup("прикладів")[:3]} & {"examples", "example"}
    assert {w for w, _ in lex.lookup("конференції")[:3]} & {"conference", "conferences"}
    assert all(len(lex.pairs[w]) == 8 for w in ("одяг", "прикладів"))


def test_a_word_takes_the_nearest_neighbour_the_archive_uses(small):
    from batchrag.retrieve.bridge import vocabulary

    vocab = vocabulary(["Robots fold LAUNDRY.", "A robot-arm folds linen"])
    assert {"robots", "fold", "laundry", "robot-arm", "folds", "linen"} <= vocab
    en = english_words("робот складає білизну", 0.0, small, vocab)
    assert en.split() == ["robots", "folds", "laundry"]  # "robot" is not in the archive: its next neighbour is


def test_each_word_can_add_its_nearest_two_that_the_archive_uses(small):
    from batchrag.retrieve.bridge import vocabulary

    vocab = vocabulary(["Robots fold LAUNDRY.", "A robot-arm folds linen", "robotic underwear"])
    en = english_words("робот складає білизну", 0.0, small, vocab, per_word=2)
    # "robot" and "composes" are not in the archive; "складає" has only "folds" left in it; "robotic" shares a passage
    # only with "underwear", which is not one of «білизну»'s two nearest: out of context, it gives way.
    assert en.split() == ["robots", "folds", "laundry", "linen"]
    # Above 0.86 "складає" keeps nothing, and of the rest only "robots" and "laundry" share a passage: "robotic" and
    # "linen" fit no other word of the question and give way to them.
    assert english_words("робот складає білизну", 0.86, small, vocab, per_word=2).split() == ["robots", "laundry"]


def test_a_neighbour_counts_in_the_context_of_the_other_words(tmp_path):
    p = tmp_path / "lex.tsv.gz"
    with gzip.open(p, "wt", encoding="utf-8") as fp:
        fp.write("складають\tfolding:0.900 folds:0.850\n")
        fp.write("білизну\tlaundry:0.870\n")
        fp.write("іспит\texam:0.880\n")
    lex = Lexicon(p)
    from batchrag.retrieve.bridge import vocabulary

    vocab = vocabulary(["Protein folding with AlphaFold", "A robot that folds laundry", "Models pass the bar exam"])
    # Without the archive's context the nearest neighbour wins: protein folding
    assert english_words("складають білизну", 0.0, lex, frozenset(vocab)).split() == ["folding", "laundry"]
    assert english_words("складають білизну", 0.0, lex, vocab).split() == ["folds", "laundry"]
    # No neighbour of «складають» fits «іспит»: the word keeps its nearest rather than nothing
    assert english_words("складають іспит", 0.0, lex, vocab).split() == ["folding", "exam"]
    # A name of the question is context too
    assert english_words("AlphaFold складають", 0.0, lex, vocab).split() == ["AlphaFold", "folding"]


def test_a_loanword_is_read_back_into_the_english_it_was_borrowed_from(small):
    from batchrag.retrieve.bridge import loanwords, vocabulary

    vocab = vocabulary(["Prompts beat a prompt", "Prompting works", "The Replika app", "A start", "Two datasets",
                        "A robot folds laundry"])
    assert loanwords("промптів", vocab) == ["prompt", "prompts"]  # the stem's own form first
    assert loanwords("промптингом", vocab) == ["prompting"] and loanwords("датасети", vocab) == ["datasets"]
    assert loanwords("реплік", vocab) == []  # "replika" is a longer word, not an inflection of "replik"
    assert loanwords("старті", vocab) == []  # a five-letter stem starts too many words to trust
    assert loanwords("білизну", vocab) == []
    # The lexicon does not know «промптів»: its loanword is searched; «робот» keeps the lexicon's own neighbours.
    assert english_words("робот і промпти", 0.0, small, vocab).split() == ["robot", "prompt"]


def test_a_glossary_word_is_read_as_written_and_the_rest_by_the_lexicon(small):
    from batchrag.retrieve.bridge import vocabulary
    from batchrag.retrieve.glossary import Glossary

    vocab = vocabulary(["Language models fold laundry", "robots and language"])
    plain = english_words("мовні моделі складає білизну", 0.0, small, vocab, per_word=2, gloss=Glossary())
    assert plain.split() == ["laundry"]  # the small lexicon knows neither «мовні» nor «моделі», «складає»'s "folds" is
    # not in the archive
    g = Glossary(stems={"мовн": ["language"], "модел": ["models", "model"]})
    en = english_words("мовні моделі складає білизну", 0.0, small, vocab, per_word=2, gloss=g)
    # the glossary's words come as written (only those the archive uses), the others' by the lexicon
    assert en.split() == ["language", "models", "laundry"]
