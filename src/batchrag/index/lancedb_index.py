"""LanceDB tables `passages` and `images`, kept in sync with the store by content hash."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from batchrag.errors import BatchragError
from batchrag.index.chunk import RECIPE, chunk_article, lead
from batchrag.index.embedders import TEXT_EMBEDDERS
from batchrag.index.image_embedders import IMAGE_EMBEDDERS, ImageEmbedder
from batchrag.index.vector_cache import VectorCache, embed_cached
from batchrag.settings import Settings
from batchrag.types import JsonMixin, StoredArticle

META_FILE = "index_meta.json"
IMAGE_RECORDS = "alt+title"  # what an image record embeds (see image_text)
log = logging.getLogger(__name__)


class IndexMissingError(BatchragError):
    """The index is missing or unusable (base of the index errors)."""


class IndexMismatchError(IndexMissingError):
    """The index was built with another embedder than the one asked for."""


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


def chunking_of(settings: Settings) -> str:
    if settings.chunk_mode not in ("passages", "article"):
        raise ValueError(f"unknown chunk_mode {settings.chunk_mode!r}; use passages or article")
    # The image-record recipe is part of the signature: changing what a record embeds needs a rebuild too.
    if settings.chunk_mode == "article":
        return f"article:{RECIPE};images:{IMAGE_RECORDS}"
    return f"passages:{settings.chunk_words}/{settings.chunk_overlap_words}:{RECIPE};images:{IMAGE_RECORDS}"


def check_embedder(meta: dict | None, name: str) -> None:
    if meta and meta["embedder"] != name:
        raise IndexMismatchError(
            f"index was built with {meta['embedder']}; run `batchrag index --rebuild --embedder {name}` "
            f"(or search with --embedder {meta['embedder']})"
        )


def check_image_embedder(meta: dict | None, name: str) -> None:
    old = (meta or {}).get("image_embedder", "none")
    if meta and old != name:
        raise IndexMismatchError(
            f"index was built with image embedder {old}, settings ask for {name}; run `batchrag index --rebuild` "
            f"with BATCHRAG_IMAGE_EMBEDDER={name} (or set BATCHRAG_IMAGE_EMBEDDER={old})"
        )


def _schemas(dim: int, pixel_dim: int = 0) -> tuple[pa.Schema, pa.Schema]:
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
    if pixel_dim:
        images = images.append(pa.field("pixel_vector", pa.list_(pa.float32(), pixel_dim)))
        images = images.append(pa.field("has_pixels", pa.bool_()))
    return passages, images


_JUNK_ALT = re.compile(
    r"^(screen ?shot\b|img[_-]?\d|image\s*\d*$|unnamed|untitled|photo\s*\d*$)|\.(png|jpe?g|gif|webp)$", re.I
)


def meaningful_alt(alt: str) -> str:
    """The alt text, or '' when it is a file name or 'Screen Shot …' (it says nothing about the picture)."""
    alt = (alt or "").strip()
    return "" if _JUNK_ALT.search(alt) else alt


def image_text(art: StoredArticle, alt: str, caption: str) -> str:
    """What an image record embeds: its own words, then its story's title; the lead only when it has no words.

    A story lead next to a caption drowns the caption (measured: the right picture fell out of the top 10)."""
    own = ". ".join(x.strip() for x in (meaningful_alt(alt), caption) if x and x.strip())
    return f"{own}\n{art.title}" if own else f"{art.title}\n{lead(art.text, 60)}"


def _rows(arts: list[StoredArticle], settings: Settings) -> tuple[list[dict], list[dict]]:
    prow: list[dict] = []
    irow: list[dict] = []
    for a in arts:
        d = a.date.isoformat() if a.date else ""
        for p in chunk_article(
            a, settings.chunk_words, settings.chunk_overlap_words, whole=settings.chunk_mode == "article"
        ):
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


def _image_file(settings: Settings, local_path: str) -> Path | None:
    if not local_path:
        return None
    root = settings.images_dir.resolve()
    p = (root / local_path).resolve()
    # local_path comes from the store (an imported JSONL may say anything): only files under images_dir count.
    return p if p.is_relative_to(root) and p.is_file() else None


def _files_sig(art: StoredArticle, settings: Settings) -> str:
    """Which of an article's pictures are on disk: a download after indexing must re-embed its pixels."""
    on_disk = sorted(im.local_path for im in art.images if _image_file(settings, im.local_path or ""))
    return hashlib.sha256("\n".join(on_disk).encode()).hexdigest()[:16]


def _file_sha(p: Path) -> str:
    with p.open("rb") as fp:
        return hashlib.file_digest(fp, "sha256").hexdigest()


def _add_pixels(
    rows: list[dict], img: ImageEmbedder, settings: Settings, cache: VectorCache, progress: bool
) -> tuple[int, list[str]]:
    """Give each image row its picture's vector, cached by file sha; rows without a readable file get zeros."""
    key = f"pixels:{img.name}"
    files = [_image_file(settings, r["local_path"]) for r in rows]
    missing = sum(1 for r, f in zip(rows, files, strict=True) if r["local_path"] and f is None)
    if missing:
        log.warning("%d pictures have a local_path but no file under %s", missing, settings.images_dir)
    shas = [_file_sha(f) if f else None for f in files]
    # A model folder replaced in place keeps its name: vectors of another size are stale.
    have = {k: v for k, v in cache.get(key, sorted({x for x in shas if x})).items() if v.shape[0] == img.dim}
    todo = list({x: f for x, f in zip(shas, files, strict=True) if x and x not in have}.items())
    failures: list[str] = []
    bs = max(1, settings.image_batch_size)
    batches = [todo[i : i + bs] for i in range(0, len(todo), bs)]
    if progress:
        from rich.progress import track

        batches = track(batches, description=f"embedding {len(todo)} pictures ({img.name})", transient=True)
    for b in batches:
        vecs = img.embed_images([f for _, f in b])
        new = {}
        for (x, f), v in zip(b, vecs, strict=True):
            if np.any(v):
                new[x] = v
            else:  # unreadable: no vector, the row keeps its text signal; retried when its article changes
                failures.append(f"{f.name}: {img.failures.get(str(f), 'no vector')}")
        cache.put(key, new)
        have.update(new)
    zero = np.zeros(img.dim, np.float32)
    for r, x in zip(rows, shas, strict=True):
        v = have.get(x) if x else None
        r["pixel_vector"] = zero if v is None else v
        r["has_pixels"] = v is not None
    return len(todo) - len(failures), failures


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
    emb = TEXT_EMBEDDERS.create(settings.embedder, settings)
    meta = read_meta(settings)
    chunking = chunking_of(settings)
    if not rebuild:
        check_embedder(meta, emb.name)
        check_image_embedder(meta, settings.image_embedder or "none")
        if meta and meta.get("chunking") != chunking:
            raise IndexMismatchError(
                f"index was built with chunking {meta.get('chunking') or 'of an older version'}, settings ask for {chunking}; "
                "run `batchrag index --rebuild`"
            )
    db = connect(settings)
    existing = set(db.list_tables().tables) if hasattr(db, "list_tables") else set(db.table_names())
    fresh = rebuild or meta is None or not {meta["passages_table"], meta["images_table"]} <= existing
    img = IMAGE_EMBEDDERS.create(settings.image_embedder, settings)
    hashes = {str(k): v for k, v in store.article_hashes().items()}
    every = None
    if img is not None:
        # Downloading a picture changes no article hash: which files are on disk is part of an article's state.
        every = list(store.iter_articles())
        hashes = {str(a.id): f"{hashes.get(str(a.id), '')}+{_files_sig(a, settings)}" for a in every}
    old = {} if fresh else meta["hashes"]
    changed = {k for k, h in hashes.items() if old.get(k) != h}
    removed = set(old) - set(hashes)
    arts = [a for a in (every if every is not None else store.iter_articles()) if str(a.id) in changed]
    prow, irow = _rows(arts, settings)
    n_pixels, failures = 0, []
    cache = VectorCache(settings.cache_dir / "vectors.sqlite")
    try:
        texts = [r["text"] for r in prow] + [r["text"] for r in irow]
        vecs, n_embedded = embed_cached(emb, texts, cache, settings.embed_batch_size, progress)
        if img is not None:
            n_pixels, failures = _add_pixels(irow, img, settings, cache, progress)
    finally:
        cache.close()
    for r, v in zip(prow + irow, vecs, strict=True):
        r["vector"] = v
    ps, ims = _schemas(emb.dim, img.dim if img is not None else 0)
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
        "chunking": chunking,
        "dim": emb.dim,
        "image_embedder": img.name if img is not None else "none",
        "pixel_dim": img.dim if img is not None else 0,
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
        image_embedder=img.name if img is not None else "none",
        pixels=it.count_rows("has_pixels = true") if img is not None else 0,
        pixels_embedded=n_pixels,
        pixel_failures=failures,
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
