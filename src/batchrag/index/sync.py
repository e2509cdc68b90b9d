"""Keep the index in line with the store by content hash: embed new and changed articles only, drop removed ones."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pyarrow as pa

from batchrag.domain.types import JsonMixin, StoredArticle
from batchrag.index import tables
from batchrag.index.embedders.registry import TEXT_EMBEDDERS
from batchrag.index.image_embedders.base import ImageEmbedder
from batchrag.index.image_embedders.registry import IMAGE_EMBEDDERS
from batchrag.index.pixels import add_pixels, files_sig
from batchrag.index.records import captions_sig, chunking_of, rows
from batchrag.index.vector_cache import VectorCache, embed_cached
from batchrag.settings import Settings


@dataclass
class IndexSummary(JsonMixin):
    """What one sync did."""

    embedder: str
    dim: int
    articles: int
    passages: int
    images: int
    added: int = 0
    updated: int = 0
    removed: int = 0
    embedded: int = 0  # texts actually run through the model (the rest came from the cache)
    rebuilt: bool = False
    seconds: float = 0.0
    tables: dict[str, str] = field(default_factory=dict)
    image_embedder: str = "none"
    pixels: int = 0  # image rows with a picture vector (image embedder on)
    pixels_embedded: int = 0  # pictures newly embedded (the rest came from the cache)
    pixel_failures: list[str] = field(default_factory=list)  # "file: reason" of unreadable pictures



@dataclass
class _Embedded:
    """The rows of the changed articles, with their vectors, as Arrow tables."""

    passages: pa.Table
    images: pa.Table
    texts_embedded: int
    pixels_embedded: int
    pixel_failures: list[str]


def _article_state(
    store, settings: Settings, img: ImageEmbedder | None, captions: dict[str, str]
) -> tuple[dict[str, str], list | None]:
    """(article id -> state hash, every article when they had to be read for it)."""
    hashes = {str(k): v for k, v in store.article_hashes().items()}
    if img is None and not captions:
        return hashes, None
    # Downloading a picture, or a vision model captioning one, changes no article hash: both are part of an
    # article's state (docs/captions.md).
    every = list(store.iter_articles())
    state = {}
    for a in every:
        h = hashes.get(str(a.id), "")
        if img is not None:
            h += f"+{files_sig(a, settings)}"
        if captions and (sig := captions_sig(a, captions)):
            h += f"+cap:{sig}"
        state[str(a.id)] = h
    return state, every


def _embed(
    arts: list[StoredArticle], emb, img: ImageEmbedder | None, settings: Settings, progress: bool, captions=None
) -> _Embedded:
    """Rows of the articles with their text vectors (and picture vectors), from the content-hash cache when there."""
    prow, irow = rows(arts, settings, captions)
    n_pixels, failures = 0, []
    cache = VectorCache(settings.store.cache_dir / "vectors.sqlite")
    try:
        texts = [r["text"] for r in prow] + [r["text"] for r in irow]
        vecs, n_embedded = embed_cached(emb, texts, cache, settings.index.embed_batch_size, progress)
        if img is not None:
            n_pixels, failures = add_pixels(irow, img, settings, cache, progress)
    finally:
        cache.close()
    for r, v in zip(prow + irow, vecs, strict=True):
        r["vector"] = v
    ps, ims = tables.schemas(emb.dim, img.dim if img is not None else 0)
    return _Embedded(
        pa.Table.from_pylist(prow, schema=ps), pa.Table.from_pylist(irow, schema=ims), n_embedded, n_pixels, failures
    )


def _check_compatible(meta: dict | None, settings: Settings, embedder: str) -> None:
    """An update in place needs the index built by the embedders the settings ask for; otherwise it is a rebuild."""
    tables.check_embedder(meta, embedder)
    tables.check_image_embedder(meta, settings.index.image_embedder or "none")


def _write_tables(db, meta: dict | None, fresh: bool, new: _Embedded, touched: list[int]):
    """(names, passages table, images table) holding the new rows: a new pair, or the published pair updated."""
    if fresh:
        return tables.create_tables(db, new.passages, new.images)
    names = {"passages_table": meta["passages_table"], "images_table": meta["images_table"]}
    pt, it = db.open_table(names["passages_table"]), db.open_table(names["images_table"])
    if touched:
        tables.replace_articles(pt, new.passages, touched)
        tables.replace_articles(it, new.images, touched)
    return names, pt, it


def _drop_replaced(db, meta: dict | None, existing: set[str]) -> None:
    """After a rebuild is published the pair it replaced goes: nobody is sent to it any more."""
    if not meta:
        return
    for t in (meta.get("passages_table"), meta.get("images_table")):
        if t in existing:
            db.drop_table(t)


def _needs_rebuild(db, meta: dict | None, existing: set[str], chunking: str, rebuild: bool) -> bool:
    """Whether the index must be written whole rather than updated in place."""
    fresh = rebuild or meta is None or not {meta["passages_table"], meta["images_table"]} <= existing
    # Another way of cutting passages (a new version's recipe, or the user's chunk settings) re-cuts every story:
    # a rebuild, not an error; the vector cache keeps the cost to the passages that are new.
    fresh = fresh or meta.get("chunking") != chunking
    # An index from before picture captions lacks their column: rewrite it whole (its vectors come from the cache).
    return fresh or "machine_caption" not in db.open_table(meta["images_table"]).schema.names


def sync(store, settings: Settings, rebuild: bool = False, progress: bool = False) -> IndexSummary:
    """Bring the index in line with the store: embed new/changed articles only, drop removed ones."""
    t0 = time.perf_counter()
    emb = TEXT_EMBEDDERS.create(settings.index.embedder, settings.index)
    meta = tables.read_meta(settings.store)
    chunking = chunking_of(settings)
    if not rebuild:
        _check_compatible(meta, settings, emb.name)
    db = tables.connect(settings.store)
    existing = tables.table_names(db)
    fresh = _needs_rebuild(db, meta, existing, chunking, rebuild)
    img = IMAGE_EMBEDDERS.create(settings.index.image_embedder, settings.index)
    captions = store.captions()
    hashes, every = _article_state(store, settings, img, captions)
    old = {} if fresh else meta["hashes"]
    changed = {k for k, h in hashes.items() if old.get(k) != h}
    removed = set(old) - set(hashes)
    arts = [a for a in (every if every is not None else store.iter_articles()) if str(a.id) in changed]
    new = _embed(arts, emb, img, settings, progress, captions)
    names, pt, it = _write_tables(db, meta, fresh, new, sorted(int(x) for x in changed | removed))
    image_embedder = img.name if img is not None else "none"
    tables.publish(
        settings.store,
        {
            "embedder": emb.name,
            "chunking": chunking,
            "dim": emb.dim,
            "image_embedder": image_embedder,
            "pixel_dim": img.dim if img is not None else 0,
            **names,
            "hashes": hashes,
            "built_at": time.time(),
            "passages_version": pt.version,
            "images_version": it.version,
        },
    )
    if fresh:
        _drop_replaced(db, meta, existing)
    return IndexSummary(
        embedder=emb.name,
        dim=emb.dim,
        articles=len(hashes),
        passages=pt.count_rows(),
        images=it.count_rows(),
        added=len(changed - set(old)),
        updated=len(changed & set(old)),
        removed=len(removed),
        embedded=new.texts_embedded,
        rebuilt=fresh,
        seconds=round(time.perf_counter() - t0, 3),
        tables=names,
        image_embedder=image_embedder,
        pixels=it.count_rows("has_pixels = true") if img is not None else 0,
        pixels_embedded=new.pixels_embedded,
        pixel_failures=new.pixel_failures,
    )
