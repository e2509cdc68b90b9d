"""The LanceDB tables `passages` and `images`: their schemas, the meta file that publishes them, how they are opened."""

from __future__ import annotations

import json
import os
import time
import warnings

import pyarrow as pa

from batchrag.domain.errors import BatchragError
from batchrag.settings import StoreSettings

META_FILE = "index_meta.json"


class IndexMissingError(BatchragError):
    """The index is missing or unusable (base of the index errors)."""


class IndexMismatchError(IndexMissingError):
    """The index was built with another embedder than the one asked for."""


def read_meta(store: StoreSettings) -> dict | None:
    p = store.lancedb_dir / META_FILE
    if not p.exists():
        return None
    return json.loads(p.read_text(encoding="utf-8"))


def publish(store: StoreSettings, meta: dict) -> None:
    """Write the meta file. Readers follow it: replacing it atomically is what publishes a new index."""
    p = store.lancedb_dir / META_FILE
    tmp = p.with_suffix(".tmp")
    tmp.write_text(json.dumps(meta), encoding="utf-8")
    os.replace(tmp, p)


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


def schemas(dim: int, pixel_dim: int = 0) -> tuple[pa.Schema, pa.Schema]:
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
            ("machine_caption", pa.string()),
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


def connect(store: StoreSettings):
    # Imported here: lancedb costs CLI start-up: only where the index is opened.
    import lancedb

    store.lancedb_dir.mkdir(parents=True, exist_ok=True)
    return lancedb.connect(str(store.lancedb_dir))


def table_names(db) -> set[str]:
    return set(db.list_tables().tables) if hasattr(db, "list_tables") else set(db.table_names())


def build_fts(tbl) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tbl.create_fts_index("text", replace=True)


def create_tables(db, ptab: pa.Table, itab: pa.Table) -> tuple[dict[str, str], object, object]:
    """A new pair of tables (names, passages, images), unpublished: readers never see half an index."""
    stamp = time.strftime("%Y%m%d%H%M%S") + f"{time.time_ns() % 1_000_000:06d}"
    names = {"passages_table": f"passages_{stamp}", "images_table": f"images_{stamp}"}
    pt = db.create_table(names["passages_table"], data=ptab, schema=ptab.schema)
    it = db.create_table(names["images_table"], data=itab, schema=itab.schema)
    build_fts(pt)
    if itab.num_rows:
        build_fts(it)
    return names, pt, it


def replace_articles(tbl, new: pa.Table, article_ids: list[int]) -> None:
    """The rows of these articles become `new`, in one commit: the new rows and the removal of stale ones together."""
    cond = f"article_id IN ({', '.join(map(str, article_ids))})"
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
        build_fts(tbl)


def open_tables(store: StoreSettings, embedder: str):
    """(meta, passages table, images table) of the published index; clear errors when absent or mismatched."""
    meta = read_meta(store)
    if meta is None:
        raise IndexMissingError(f"no index in {store.lancedb_dir}; run `batchrag index` first")
    check_embedder(meta, embedder)
    db = connect(store)
    return meta, db.open_table(meta["passages_table"]), db.open_table(meta["images_table"])
