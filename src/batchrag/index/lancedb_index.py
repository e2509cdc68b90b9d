"""LanceDB tables `passages` and `images`, kept in sync with the store by content hash."""

from __future__ import annotations

import json
import os
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow as pa

from batchrag.index.chunk import chunk_article, lead
from batchrag.index.embedders import VectorCache, embed_cached, get_embedder
from batchrag.settings import Settings
from batchrag.types import StoredArticle

META_FILE = "index_meta.json"


class IndexMissingError(RuntimeError):
    """The index is missing or unusable (base of the index errors)."""


class IndexMismatchError(IndexMissingError):
    """The index was built with another embedder than the one asked for."""


@dataclass
class IndexSummary:
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

    def to_json(self) -> dict:
        return asdict(self)


def read_meta(settings: Settings) -> dict | None:
    p = settings.lancedb_dir / META_FILE
    if not p.exists():
        return None
    return json.loads(p.read_text(encoding="utf-8"))


def _write_meta(settings: Settings, meta: dict) -> None:
    # Readers follow this file: replacing it atomically is what publishes a new index.
    p = settings.lancedb_dir / META_FILE
    tmp = p.with_suffix(".tmp")
    tmp.write_text(json.dumps(meta), encoding="utf-8")
    os.replace(tmp, p)


def check_embedder(meta: dict | None, name: str) -> None:
    if meta and meta["embedder"] != name:
        raise IndexMismatchError(
            f"index was built with {meta['embedder']}; run `batchrag index --rebuild --embedder {name}` "
            f"(or search with --embedder {meta['embedder']})"
        )


def _schemas(dim: int) -> tuple[pa.Schema, pa.Schema]:
    vec = pa.list_(pa.float32(), dim)
    passages = pa.schema(
        [
            ("id", pa.string()),
            ("article_id", pa.int64()),
            ("position", pa.int32()),
            ("text", pa.string()),
            ("title", pa.string()),
            ("url", pa.string()),
            ("date", pa.string()),
            ("issue", pa.int32()),
            ("section", pa.string()),
            ("tags", pa.list_(pa.string())),
            ("vector", vec),
        ]
    )
    images = pa.schema(
        [
            ("id", pa.string()),
            ("article_id", pa.int64()),
            ("url", pa.string()),
            ("alt", pa.string()),
            ("caption", pa.string()),
            ("local_path", pa.string()),
            ("article_url", pa.string()),
            ("article_title", pa.string()),
            ("issue", pa.int32()),
            ("date", pa.string()),
            ("text", pa.string()),
            ("vector", vec),
        ]
    )
    return passages, images


def image_text(art: StoredArticle, alt: str, caption: str) -> str:
    """What an image record embeds: its own words first, then its story's title and lead for context."""
    own = ". ".join(x.strip() for x in (alt, caption) if x and x.strip())
    return f"{own}\n{art.title}\n{lead(art.text, 60)}".strip()


def _rows(arts: list[StoredArticle], settings: Settings) -> tuple[list[dict], list[dict]]:
    prow: list[dict] = []
    irow: list[dict] = []
    for a in arts:
        d = a.date.isoformat() if a.date else ""
        for p in chunk_article(a, settings.chunk_words, settings.chunk_overlap_words):
            prow.append(
                {
                    "id": p.id,
                    "article_id": a.id,
                    "position": p.position,
                    "text": p.text,
                    "title": a.title,
                    "url": a.url,
                    "date": d,
                    "issue": a.issue,
                    "section": a.section,
                    "tags": list(a.tags),
                }
            )
        seen: set[str] = set()
        for i, im in enumerate(a.images):
            if not im.url or im.url in seen:
                continue
            seen.add(im.url)
            irow.append(
                {
                    "id": f"{a.id}:{i}",
                    "article_id": a.id,
                    "url": im.url,
                    "alt": im.alt or "",
                    "caption": im.caption or "",
                    "local_path": im.local_path or "",
                    "article_url": a.url,
                    "article_title": a.title,
                    "issue": a.issue,
                    "date": d,
                    "text": image_text(a, im.alt, im.caption),
                }
            )
    return prow, irow


def _fts(tbl) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tbl.create_fts_index("text", replace=True)


def connect(settings: Settings):
    import lancedb

    settings.lancedb_dir.mkdir(parents=True, exist_ok=True)
    return lancedb.connect(str(settings.lancedb_dir))


def sync(store, settings: Settings, rebuild: bool = False, progress: bool = False) -> IndexSummary:
    """Bring the index in line with the store: embed new/changed articles only, drop removed ones."""
    t0 = time.perf_counter()
    emb = get_embedder(settings.embedder)
    meta = read_meta(settings)
    if not rebuild:
        check_embedder(meta, emb.name)
    db = connect(settings)
    existing = set(db.list_tables().tables) if hasattr(db, "list_tables") else set(db.table_names())
    fresh = rebuild or meta is None or not {meta["passages_table"], meta["images_table"]} <= existing
    hashes = {str(k): v for k, v in store.article_hashes().items()}
    old = {} if fresh else meta["hashes"]
    changed = {k for k, h in hashes.items() if old.get(k) != h}
    removed = set(old) - set(hashes)
    arts = [a for a in store.iter_articles() if str(a.id) in changed]
    prow, irow = _rows(arts, settings)
    cache = VectorCache(settings.cache_dir / "vectors.sqlite")
    try:
        texts = [r["text"] for r in prow] + [r["text"] for r in irow]
        vecs, n_embedded = embed_cached(emb, texts, cache, settings.embed_batch_size, progress)
    finally:
        cache.close()
    for r, v in zip(prow + irow, vecs, strict=True):
        r["vector"] = v
    ps, ims = _schemas(emb.dim)
    ptab = pa.Table.from_pylist(prow, schema=ps)
    itab = pa.Table.from_pylist(irow, schema=ims)
    if fresh:
        # A new pair of tables, published by the meta file only once complete: readers never see half an index.
        stamp = time.strftime("%Y%m%d%H%M%S") + f"{time.time_ns() % 1_000_000:06d}"
        names = {"passages_table": f"passages_{stamp}", "images_table": f"images_{stamp}"}
        pt = db.create_table(names["passages_table"], data=ptab, schema=ps)
        it = db.create_table(names["images_table"], data=itab, schema=ims)
        _fts(pt)
        if itab.num_rows:
            _fts(it)
    else:
        names = {"passages_table": meta["passages_table"], "images_table": meta["images_table"]}
        pt, it = db.open_table(names["passages_table"]), db.open_table(names["images_table"])
        touched = sorted(int(x) for x in changed | removed)
        if touched:
            cond = f"article_id IN ({', '.join(map(str, touched))})"
            for tbl, new in ((pt, ptab), (it, itab)):
                # One commit per table: the new rows and the removal of stale ones appear together.
                if new.num_rows:
                    (
                        tbl.merge_insert("id")
                        .when_matched_update_all()
                        .when_not_matched_insert_all()
                        .when_not_matched_by_source_delete(cond)
                        .execute(new)
                    )
                else:
                    tbl.delete(cond)
                if tbl.count_rows():
                    _fts(tbl)
    new_meta = {
        "embedder": emb.name,
        "dim": emb.dim,
        **names,
        "hashes": hashes,
        "built_at": time.time(),
        "passages_version": pt.version,
        "images_version": it.version,
    }
    _write_meta(settings, new_meta)
    if fresh and meta:
        for t in (meta.get("passages_table"), meta.get("images_table")):
            if t in existing:
                db.drop_table(t)
    return IndexSummary(
        embedder=emb.name,
        dim=emb.dim,
        articles=len(hashes),
        passages=pt.count_rows(),
        images=it.count_rows(),
        added=len(changed - set(old)),
        updated=len(changed & set(old)),
        removed=len(removed),
        embedded=n_embedded,
        rebuilt=fresh,
        seconds=round(time.perf_counter() - t0, 3),
        tables=names,
    )


def open_tables(settings: Settings, embedder: str | None = None):
    """(meta, passages table, images table) of the published index; clear errors when absent or mismatched."""
    meta = read_meta(settings)
    if meta is None:
        raise IndexMissingError(f"no index in {settings.lancedb_dir}; run `batchrag index` first")
    check_embedder(meta, embedder or settings.embedder)
    db = connect(settings)
    return meta, db.open_table(meta["passages_table"]), db.open_table(meta["images_table"])


def index_path(settings: Settings) -> Path:
    return settings.lancedb_dir
