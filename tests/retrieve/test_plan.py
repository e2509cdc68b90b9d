"""The fusion plans and score fusion pinned without an index (docs/decisions/0010-fusion-for-rough-rewrites.md)."""

import pytest

from batchrag.retrieve.fusion import rrf, score_fusion
from batchrag.retrieve.query import picture_plan, story_plan, with_question
from batchrag.settings import Settings

UK = "Яку модель Meta випустила для коду?"
EN = "Which model did Meta release for code?"


@pytest.fixture
def s():
    return Settings(_env_file=None)


def test_defaults_of_the_rewrite_fusion(s):
    assert s.retrieve.fusion == "score"
    assert (s.retrieve.rewrite_weight, s.retrieve.rewrite_bm25_weight) == (1.0, 2.5)
    assert s.retrieve.rrf_k == 60 and s.retrieve.bm25_weight_uk == 0.0 and s.retrieve.bm25_weight_en == 1.0


def test_story_plan_with_a_rewrite(s):
    plan = {n: (kind, text, w) for n, kind, text, w in story_plan(UK, "hybrid", EN, s.retrieve)}
    assert plan == {
        "dense": ("dense", UK, 1.0),
        "dense_en": ("dense", EN, s.retrieve.rewrite_weight),
        "dense_mix": ("dense", with_question(UK, EN), s.retrieve.rewrite_weight),
        "bm25_mix": ("bm25", with_question(UK, EN), s.retrieve.rewrite_bm25_weight),
    }
    assert with_question(UK, EN) == f"{UK} {EN}"  # the question's own Latin names ("Meta") reach BM25


def test_story_plan_reads_the_bridge_beside_a_rewrite(s):
    """A Ukrainian question's glossary and lexicon words are read by BM25 beside its rewrite (a rough rewrite drops
    words the glossary reads surely; docs/decisions/0014); never for an English question or without a rewrite."""
    plan = {n: (kind, text, w) for n, kind, text, w in story_plan(UK, "hybrid", EN, s.retrieve, beside="model code")}
    assert plan["bm25_bridge"] == ("bm25", with_question(UK, "model code"), s.retrieve.rewrite_bridge_weight)
    assert 0 < s.retrieve.rewrite_bridge_weight < 1.0  # 1.0 cost a faithfully rewritten dev-hard question
    assert "bm25_bridge" not in {n for n, *_ in story_plan(UK, "hybrid", None, s.retrieve, beside="model code")}
    assert "bm25_bridge" not in {n for n, *_ in story_plan("and its price?", "hybrid", EN, s.retrieve, beside="price")}
    assert "bm25_bridge" not in {n for n, *_ in story_plan(UK, "vector", EN, s.retrieve, beside="model code")}
    off = Settings(_env_file=None, rewrite_bridge_weight=0)
    assert "bm25_bridge" not in {n for n, *_ in story_plan(UK, "hybrid", EN, off.retrieve, beside="model code")}


def test_story_plan_without_a_rewrite_is_unchanged(s):
    assert story_plan(UK, "hybrid", None, s.retrieve) == [("dense", "dense", UK, 1.0)]
    assert story_plan(UK, "hybrid", UK, s.retrieve) == [
        ("dense", "dense", UK, 1.0)
    ]  # a "rewrite" equal to the question
    assert story_plan(EN, "hybrid", None, s.retrieve) == [("dense", "dense", EN, 1.0), ("bm25", "bm25", EN, 1.0)]


def test_story_plan_modes_with_a_rewrite(s):
    assert [n for n, *_ in story_plan(UK, "vector", EN, s.retrieve)] == ["dense", "dense_en", "dense_mix"]
    assert story_plan(UK, "bm25", EN, s.retrieve) == [("bm25_mix", "bm25", with_question(UK, EN), 1.0)]
    # An English question rewritten (a follow-up made standalone) keeps its own BM25 too.
    follow = "and its price?"
    assert [n for n, *_ in story_plan(follow, "hybrid", EN, s.retrieve)] == [
        "dense",
        "dense_en",
        "dense_mix",
        "bm25_mix",
        "bm25",
    ]


def test_picture_plan_weights_with_a_rewrite(s):
    plan = {n: (text, w) for n, text, w in picture_plan(UK, EN, s.retrieve, has_pixels=False)}
    assert plan == {
        "dense": (UK, 1.0),
        "dense_en": (EN, s.retrieve.rewrite_image_weight),
        "bm25_mix": (with_question(UK, EN), s.retrieve.rewrite_image_bm25_weight),
        "story": (UK, s.retrieve.image_story_weight),  # the story search takes the rewrite itself
    }
    # The question's own record and its story lead: 1.5 / 2.5 let a rough rewrite take dev-reader's pictures from
    # 0.93 to 0.53 (docs/decisions/0015)
    assert s.retrieve.rewrite_image_weight + s.retrieve.rewrite_image_bm25_weight < 1.0
    with_pixels = {n: (text, w) for n, text, w in picture_plan(UK, EN, s.retrieve, has_pixels=True)}
    assert with_pixels["pixels"] == (EN, s.retrieve.image_pixel_weight)  # CLIP reads the English rewrite only


def test_picture_plan_without_a_rewrite(s):
    story = ("story", UK, s.retrieve.image_story_weight)
    assert picture_plan(UK, None, s.retrieve, has_pixels=False) == [("dense", UK, 1.0), story]
    assert picture_plan(EN, None, s.retrieve, has_pixels=False) == [
        ("dense", EN, 1.0), ("bm25", EN, s.retrieve.bm25_weight_en), ("story", EN, s.retrieve.image_story_weight)
    ]
    assert 0 < s.retrieve.image_story_weight < 1  # the story decides less than the picture's own record


def test_picture_plan_follows_the_settings():
    s = Settings(_env_file=None, rewrite_image_weight=0.5, rewrite_image_bm25_weight=3.0, image_story_weight=0)
    plan = {n: w for n, _, w in picture_plan(UK, EN, s.retrieve, has_pixels=False)}
    assert plan == {"dense": 1.0, "dense_en": 0.5, "bm25_mix": 3.0}


def test_score_fusion_keeps_a_confident_lead():
    # BM25 is sure of "a" (far ahead); two dense lists mildly prefer "b". RRF lets "b" win, score fusion keeps "a".
    bm25 = [("a", 30.0), ("b", 5.0), ("c", 4.0)]
    dense1 = [("b", 0.90), ("a", 0.89), ("c", 0.80)]
    dense2 = [("b", 0.88), ("a", 0.87), ("c", 0.80)]
    fused = score_fusion([(bm25, 1.0), (dense1, 1.0), (dense2, 1.0)])
    assert max(fused, key=fused.get) == "a"
    by_rank = rrf([([k for k, _ in r], 1.0) for r in (bm25, dense1, dense2)], 60)
    assert max(by_rank, key=by_rank.get) == "b"


def test_score_fusion_normalises_each_signal():
    fused = score_fusion([([("x", 10.0), ("y", 5.0), ("z", 0.0)], 2.0), ([], 1.0), ([("y", 0.3)], 1.0)])
    assert fused == {
        "x": 2.0,
        "y": 2.0,
        "z": 0.0,
    }  # y: 2 × 0.5 + a lone hit's full 1.0; an empty signal abstains
    assert list(fused) == ["x", "y", "z"]


def test_a_complete_bm25_list_is_normalised_from_zero():
    # Two articles match one rare word almost equally: min-max would give 1 and 0 and let the weaker dense hit win.
    dense = [("chip", 0.83), ("letter", 0.76), ("birds", 0.70)]
    bm25 = [("letter", 2.64), ("chip", 2.61)]
    by_minmax = score_fusion([(dense, 1.0), (bm25, 1.0)])
    assert max(by_minmax, key=by_minmax.get) == "letter"
    from_zero = score_fusion([(dense, 1.0), (bm25, 1.0, 0.0)])
    assert max(from_zero, key=from_zero.get) == "chip"
    assert from_zero["chip"] == pytest.approx(1.0 + 2.61 / 2.64)
