"""The nugget rules of evaluate/nuggets.py on real answers' wording: what must carry the asked fact and what must not."""

from __future__ import annotations

import json

import pytest

from batchrag.evaluate.nuggets import (
    KINDS,
    NUGGETS_DIR,
    NuggetsError,
    load_nuggets,
    nugget_in,
    nuggets_carried,
    nuggets_path,
    numbers_carried,
)


def number(text):
    return {"text": text, "kind": "number"}


def name(text):
    return {"text": text, "kind": "name"}


def phrase(text):
    return {"text": text, "kind": "phrase"}


@pytest.mark.parametrize(("nugget", "shown"), [
    ("20%", "«Pruning the most-similar 20 percent of examples kept Top-5 accuracy.» [1]"),
    ("3,000%", "Використання зчитувачів номерів зросло на 3 000 відсотків за два роки [1]."),
    ("65.8%", "Глядачі сприйняли згенеровані відео як справжні у 65,8% випадків [1]."),
    ("$92 billion", "«Global private-sector investment in AI declined to $92B in 2022.» [1]"),
    ("$92 billion", "Приватні інвестиції впали до 92 млрд доларів у 2022 році [1]."),
    ("$190M", "«AI Fund has closed $190 million for our new fund.» [1]"),
    ("6,080", "«It currently incorporates 6,080 Nvidia A100s.» [1]"),
    ("2019", "«YouTube’s recommendation engine is primarily responsible …, a 2019 study found.» [1]"),
    ("$0.08", "«Then it costs around $0.08 to generate enough text to keep someone busy for an hour.» [1]"),
    ("$0.08", "Близько 0,08 долара за годину читання [1]."),
    ("405 billion", "«Meta released Llama 3 405B, its largest model.» [1]"),  # a plain space parting two numbers
])
def test_a_number_is_found_whatever_its_separators_unit_word_or_scale(nugget, shown):
    assert nugget_in(number(nugget), shown)


@pytest.mark.parametrize(("nugget", "shown"), [
    # a neighbouring figure of the same story (30% → 89.4% quoted where 20% → 90.8% was asked)
    ("90.8", "«A ResNet missing the most-similar 30 percent of examples achieved 89.4 percent Top-5 accuracy.» [1]"),
    ("$92 billion", "«Investment reached $93 billion in 2021.» [1]"),  # a look-alike from another year
    ("2022", "«Investment reached $93 billion in 2021.» [1]"),  # the wrong year
    ("20%", "«In 2020, accuracy rose by 120 points.» [1]"),  # inside longer numbers
    ("20%", "«Accuracy rose 20.5 percent.» [1]"),
    ("20%", "«The team trained 20 models.» [1]"),  # the number without its percent
    ("$92 billion", "«GPT-3 has 92 billion parameters.» [1]"),  # the number without its dollars
    ("1", "«I spoke on Tuesday at Coursera’s annual conference.» [1]"),  # a citation mark is not shown text
])
def test_a_number_must_be_that_number(nugget, shown):
    assert not nugget_in(number(nugget), shown)


@pytest.mark.parametrize(("nugget", "shown"), [
    ("Jeff Maggioncalda", "«In his keynote, Coursera CEO Jeff Maggioncalda spoke of social justice.» [2]"),
    ("Jeff Maggioncalda", "Гендиректор Coursera Джефф Маджонкальда говорив про соціальну справедливість [2]."),
    ("Andrew Ng", "Ендрю Ин писав, що вища освіта входить у турбулентні часи [1]."),
    ("Ian Goodfellow", "Ієн Гудфеллоу пояснив, що такі приклади в п'ять разів менш цінні [1]."),
    ("Kyle Creasy", "Це Кайл Крісі, тренер шкільної баскетбольної команди [1]."),
    ("SenseTime", "Серед лідерів були SenseTime і NEC [1]."),
    ("OpenAI", "«OpenAI’s ChatGPT answered.» [1]"),
])
def test_a_name_in_latin_or_in_its_ukrainian_spelling(nugget, shown):
    assert nugget_in(name(nugget), shown)


@pytest.mark.parametrize(("nugget", "shown"), [
    ("Jeff Maggioncalda", "Гендиректор Coursera Джефф Безос говорив про справедливість [2]."),  # one token missing
    ("Kyle Creasy", "«High school basketball coach Kyle Smith teaches CS.» [1]"),
    ("Big Bird", "«Performer dominated character-level text classification.» [1]"),
])
def test_a_name_needs_every_token(nugget, shown):
    assert not nugget_in(name(nugget), shown)


def test_a_phrase_needs_its_content_words_in_one_sentence_as_prefixes():
    letter = "«Higher education is in for turbulent times.» [2] «The momentum could drive a new golden age.» [2]"
    assert nugget_in(phrase("higher education turbulent times"), letter)
    assert nugget_in(phrase("golden age"), letter)
    assert not nugget_in(phrase("golden age of learning"), letter)  # "learning" is nowhere
    # each word in some sentence, but not together
    assert not nugget_in(phrase("turbulent golden times"), letter)
    # five letters of a word meet another form of it; a shorter word must be whole
    assert nugget_in(phrase("translates languages"), "«The model learned translation among 1,000 languages.»")
    assert not nugget_in(phrase("word error rate"), "«The word errors rated high.»")


def test_every_nugget_must_be_carried():
    nuggets = [number("97.1%"), number("84%")]
    both = "«DeepNash won 97.1 percent of 800 games. It beat Gravon’s human experts 84 percent of the time.» [1]"
    assert nuggets_carried(nuggets, both) and numbers_carried(nuggets, both)
    one = "«DeepNash won 97.1 percent of 800 games.» [1]"
    assert not nuggets_carried(nuggets, one) and not numbers_carried(nuggets, one)
    assert numbers_carried([name("DeepNash")], both) is None  # nothing numeric was asked
    assert not nuggets_carried([], both)


def test_the_shipped_nugget_files_load_and_the_set_is_found_by_its_stem(tmp_path):
    files = sorted(NUGGETS_DIR.glob("questions-*.jsonl"))
    assert {f.name for f in files} >= {"questions-dev-reader.jsonl", "questions-dev-short.jsonl"}
    for f in files:
        entries = load_nuggets(f)
        lines = [line for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
        assert len(entries) == len(lines), f"{f.name}: an id twice"
        for e in entries.values():
            assert 1 <= len(e["nuggets"]) <= 3 and isinstance(e["letter"], bool)
            assert all(n["kind"] in KINDS for n in e["nuggets"])
    assert nuggets_path(tmp_path / "questions-dev-reader.jsonl") == NUGGETS_DIR / "questions-dev-reader.jsonl"
    assert nuggets_path(tmp_path / "questions-nobody-wrote.jsonl") is None
    assert nuggets_path(tmp_path / "questions-dev-reader.jsonl", tmp_path / "mine.jsonl") == tmp_path / "mine.jsonl"


@pytest.mark.parametrize("line", [
    "not json",
    json.dumps({"id": "q1", "nuggets": []}),
    json.dumps({"id": "q1", "nuggets": [{"text": "20%", "kind": "figure"}]}),
    json.dumps({"id": "q1", "nuggets": [{"text": "a few", "kind": "number"}]}),
])
def test_a_bad_nugget_file_is_one_line(tmp_path, line):
    f = tmp_path / "n.jsonl"
    f.write_text(json.dumps({"id": "q0", "nuggets": [{"text": "20%", "kind": "number"}]}) + "\n" + line + "\n")
    with pytest.raises(NuggetsError, match=r"n\.jsonl:2: each entry needs"):
        load_nuggets(f)
    with pytest.raises(NuggetsError, match="no such nuggets file"):
        load_nuggets(tmp_path / "missing.jsonl")
