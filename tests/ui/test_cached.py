"""The page's retriever is keyed by the parts it depends on: a reader's reranker, depth and passages per story reach
it (they silently did not, when the key kept the old flat names), while the number of sources, the search mode and the
model keep the loaded one."""

from __future__ import annotations

from batchrag.settings import Settings
from batchrag.ui.cached import _retrieval_key


def test_the_readers_search_choices_reach_the_pages_retriever(tmp_path):
    base = Settings(data_dir=tmp_path / "lib", embedder="use-m3")
    chosen = base.with_changes(reranker="e5", rerank_depth=7, max_passages_per_article=1)
    built = Settings.model_validate_json(_retrieval_key(chosen))
    assert built.retrieve.reranker == "e5" and built.retrieve.rerank_depth == 7
    assert built.retrieve.max_passages_per_article == 1
    assert built.store.data_dir == tmp_path / "lib" and built.index.embedder == "use-m3"
    assert _retrieval_key(chosen) != _retrieval_key(base)


def test_per_question_choices_and_the_model_keep_the_loaded_retriever(tmp_path):
    base = Settings(data_dir=tmp_path / "lib")
    for change in ({"top_k": 9}, {"search_mode": "vector"}, {"llm_backend": "extractive"}, {"ollama_model": "x:1b"}):
        assert _retrieval_key(base.with_changes(**change)) == _retrieval_key(base), change
