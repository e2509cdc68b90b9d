"""Hybrid article and picture search: numpy dense scoring over cached vectors + LanceDB full-text BM25."""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from datetime import date

import numpy as np

from batchrag.index.embedders import TEXT_EMBEDDERS
from batchrag.index.image_embedders import IMAGE_EMBEDDERS
from batchrag.index.tables import META_FILE, check_image_embedder, open_tables
from batchrag.retrieve.rerank import RERANKERS, Reranker
from batchrag.settings import Settings, get_settings
from batchrag.types import Hit, ImageHit, ImageRef, SearchResult

MODES = ("vector", "bm25", "hybrid")
DEPTH = 100  # articles taken from each signal before fusion
_RECENT = re.compile(r"\b(latest|recent|recently|newest|this week)\b|останн|найнов|нещодавн|свіж", re.I)
_CYR = re.compile(r"[\u0400-\u04FF]")
_LAT = re.compile(r"[A-Za-z]")


def question_language(q: str) -> str:
    """'uk' when the question is mostly Cyrillic (names in Latin script do not count against it), else 'en'."""
    cyr, lat = len(_CYR.findall(q)), len(_LAT.findall(q))
    return "uk" if cyr and cyr >= 0.3 * (cyr + lat) else "en"


def wants_recent(q: str) -> bool:
    return bool(_RECENT.search(q))


def _fts_query(q: str) -> str:
    # The full-text parser chokes on quotes, colons, brackets: hand it plain words only.
    return " ".join(re.findall(r"\w+", q))


def _column(tbl, name: str) -> list:
    return tbl.column(name).to_pylist()


def _vectors(tbl, dim: int) -> np.ndarray:
    if tbl.num_rows == 0:
        return np.zeros((0, dim), np.float32)
    flat = tbl.column("vector").combine_chunks().flatten().to_numpy(zero_copy_only=False)
    return np.ascontiguousarray(flat.reshape(-1, dim), dtype=np.float32)


class Retriever:
    """Loads the published index once (and again when it changes) and answers searches from memory + FTS."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or get_settings()
        self.embedder = TEXT_EMBEDDERS.create(self.settings.embedder, self.settings)
        self._qcache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._stamp: float | None = None
        self._load()
        # Built up front so a reranker that cannot load, or cannot add anything to this index, fails at once.
        self.reranker: Reranker | None = RERANKERS.create(
            self.settings.reranker, self.settings, index_embedder=self.meta["embedder"]
        )

    # --- loading -------------------------------------------------------------------
    def _load(self) -> None:
        meta, pt, it = open_tables(self.settings, self.embedder.name)
        self.meta, self._pt, self._it = meta, pt, it
        self._stamp = (self.settings.lancedb_dir / META_FILE).stat().st_mtime_ns
        dim = meta["dim"]
        p = pt.to_arrow()
        self.p_id = _column(p, "id")
        self.p_article = np.array(_column(p, "article_id"), dtype=np.int64)
        self.p_text = _column(p, "text")
        self.p_date = np.array([d or "" for d in _column(p, "date")])
        self.p_tags = [{t.lower() for t in (ts or [])} for ts in _column(p, "tags")]
        self.P = _vectors(p, dim)
        self.row_of = {pid: i for i, pid in enumerate(self.p_id)}
        self.article: dict[int, dict] = {}
        for i, (aid, title, url, d, iss, sec, tags) in enumerate(
            zip(
                self.p_article.tolist(),
                _column(p, "title"),
                _column(p, "url"),
                _column(p, "date"),
                _column(p, "issue"),
                _column(p, "section"),
                _column(p, "tags"),
                strict=True,
            )
        ):
            if aid not in self.article:
                self.article[aid] = {
                    "title": title,
                    "url": url,
                    "date": date.fromisoformat(d) if d else None,
                    "issue": iss,
                    "section": sec,
                    "tags": list(tags or []),
                    "images": [],
                    "row": i,
                }
        im = it.to_arrow()
        self.images = im.select([c for c in im.column_names if c not in ("vector", "pixel_vector")]).to_pylist()
        self.I = _vectors(im, dim)
        self.image_row = {r["id"]: i for i, r in enumerate(self.images)}
        for r in self.images:
            a = self.article.get(r["article_id"])
            if a is not None:
                a["images"].append(
                    ImageRef(
                        url=r["url"], alt=r["alt"], caption=r["caption"], local_path=r["local_path"] or None
                    )
                )
        dates = sorted({a["date"] for a in self.article.values() if a["date"]})
        self._dmin = dates[0].toordinal() if dates else 0
        self._dspan = max(1, (dates[-1].toordinal() - self._dmin) if dates else 1)

    def _maybe_reload(self) -> None:
        p = self.settings.lancedb_dir / META_FILE
        if p.exists() and p.stat().st_mtime_ns != self._stamp:
            self._load()

    @property
    def n_articles(self) -> int:
        return len(self.article)

    # --- signals ---------------------------------------------------------------------
    def _qvec(self, text: str) -> np.ndarray:
        v = self._qcache.get(text)
        if v is None:
            v = self.embedder.embed([text], kind="query")[0]
            self._qcache[text] = v
            if len(self._qcache) > 256:
                self._qcache.popitem(last=False)
        return v

    def _mask(self, date_from, date_to, tags) -> np.ndarray | None:
        if not (date_from or date_to or tags):
            return None
        m = np.ones(len(self.p_id), dtype=bool)
        if date_from:
            m &= (self.p_date != "") & (self.p_date >= str(date_from))
        if date_to:
            m &= (self.p_date != "") & (self.p_date <= str(date_to))
        if tags:
            want = {t.lower() for t in tags}
            m &= np.array([bool(ts & want) for ts in self.p_tags], dtype=bool)
        return m

    def _group(self, rows, scores) -> list[tuple[int, list[int], float]]:
        """Passages in score order -> distinct articles (best score, their top passages), DEPTH at most."""
        out: dict[int, tuple[list[int], float]] = {}
        cap = self.settings.max_passages_per_article
        for r, s in zip(rows, scores, strict=True):
            aid = int(self.p_article[r])
            if aid in out:
                if len(out[aid][0]) < cap:
                    out[aid][0].append(int(r))
                continue
            if len(out) >= DEPTH:
                continue
            out[aid] = ([int(r)], float(s))
        return [(a, rs, s) for a, (rs, s) in out.items()]

    def _dense(self, text: str, mask) -> list[tuple[int, list[int], float]]:
        if not len(self.P):
            return []
        s = self.P @ self._qvec(text)
        if mask is not None:
            s = np.where(mask, s, -np.inf)
        n = min(len(s), DEPTH * 4)
        top = np.argpartition(-s, n - 1)[:n]
        top = top[np.argsort(-s[top])]
        top = top[np.isfinite(s[top])]
        return self._group(top, s[top])

    def _bm25(self, text: str, mask) -> list[tuple[int, list[int], float]]:
        q = _fts_query(text)
        if not q or not self.p_id:
            return []
        try:
            res = self._pt.search(q, query_type="fts").limit(DEPTH * 4).select(["id", "_score"]).to_arrow()
        except Exception:  # an empty or odd query must not break search: BM25 just abstains
            return []
        rows, scores = [], []
        for pid, sc in zip(res.column("id").to_pylist(), res.column("_score").to_pylist(), strict=True):
            r = self.row_of.get(pid)
            if r is not None and (mask is None or mask[r]):
                rows.append(r)
                scores.append(sc)
        return self._group(rows, scores)

    def _bm25_images(self, text: str) -> list[int]:
        q = _fts_query(text)
        if not q:
            return []
        try:
            res = self._it.search(q, query_type="fts").limit(DEPTH).select(["id", "_score"]).to_arrow()
        except Exception:  # no FTS index (no images) or an odd query: BM25 abstains
            return []
        return [self.image_row[i] for i in res.column("id").to_pylist() if i in self.image_row]

    # --- search ---------------------------------------------------------------------
    def plan(self, question: str, mode: str, english_query: str | None) -> list[tuple[str, str, str, float]]:
        """The signals a question gets: (name, kind, text, weight); routing by language, see MODELS.md."""
        s = self.settings
        lang = question_language(question)
        en = english_query.strip() if english_query and english_query.strip() != question.strip() else None
        sig: list[tuple[str, str, str, float]] = []
        if mode in ("vector", "hybrid"):
            sig.append(("dense", "dense", question, 1.0))
            if en:
                sig.append(("dense_en", "dense", en, s.rewrite_weight))
        if mode in ("bm25", "hybrid"):
            if en:
                sig.append(("bm25_en", "bm25", en, s.rewrite_weight if mode == "hybrid" else 1.0))
            if mode == "bm25" and not en:
                sig.append(("bm25", "bm25", question, 1.0))
            elif mode == "hybrid" and not (en and lang == "uk"):
                w = s.bm25_weight_uk if lang == "uk" else s.bm25_weight_en
                if w > 0:
                    sig.append(("bm25", "bm25", question, w))
        return sig

    def _rank(self, question, mode, date_from, date_to, tags, english_query, recent, timings):
        mode = mode or self.settings.search_mode
        if mode not in MODES:
            raise ValueError(f"unknown search mode {mode!r}; use one of {', '.join(MODES)}")
        mask = self._mask(date_from, date_to, tags)
        fused: dict[int, float] = {}
        best: dict[int, tuple[int, list[int]]] = {}  # article -> (best rank in any signal, its passages)
        raw: dict[int, dict[str, float]] = {}
        for name, kind, text, w in self.plan(question, mode, english_query):
            t = time.perf_counter()
            ranked = self._dense(text, mask) if kind == "dense" else self._bm25(text, mask)
            timings[name] = round((time.perf_counter() - t) * 1000, 2)
            for rank, (aid, rows, sc) in enumerate(ranked):
                fused[aid] = fused.get(aid, 0.0) + w / (self.settings.rrf_k + rank + 1)
                raw.setdefault(aid, {})[name] = round(sc, 4)
                if aid not in best or rank < best[aid][0]:
                    best[aid] = (rank, rows)
        if recent or wants_recent(question):
            for aid in fused:
                d = self.article[aid]["date"]
                r = (d.toordinal() - self._dmin) / self._dspan if d else 0.0
                fused[aid] *= 1 + self.settings.recency_weight * r
        order = sorted(fused, key=lambda a: -fused[a])
        return order, fused, best, raw

    def _rerank(self, question, order, best, k, recent) -> tuple[list[int], dict[int, float]]:
        """Rescore the top articles' kept passages with the reranker; an article takes its best passage's score."""
        head = order[: max(self.settings.rerank_depth, k)]
        pairs = [(aid, r) for aid in head for r in best[aid][1]]
        scores = self.reranker.rerank(question, [self.p_text[r] for _, r in pairs])
        by_row = {r: s for (_, r), s in zip(pairs, scores, strict=True)}
        score = {aid: max(by_row[r] for r in best[aid][1]) for aid in head}
        for aid in head:  # Hit.passage_id names the reranker's best passage
            best[aid] = (best[aid][0], sorted(best[aid][1], key=lambda r: -by_row[r]))
        if recent or wants_recent(question):
            # Reranker scores may be negative logits, so the recency boost is additive: up to recency_weight of
            # the candidates' score spread for the newest article.
            spread = (max(score.values()) - min(score.values())) or 1.0
            for aid in head:
                d = self.article[aid]["date"]
                r = (d.toordinal() - self._dmin) / self._dspan if d else 0.0
                score[aid] += self.settings.recency_weight * r * spread
        head = sorted(head, key=lambda a: -score[a])
        return head + order[len(head) :], score

    def search(
        self,
        question: str,
        k: int = 5,
        *,
        mode: str | None = None,
        date_from: date | str | None = None,
        date_to: date | str | None = None,
        tags: list[str] | None = None,
        english_query: str | None = None,
        recent: bool = False,
    ) -> SearchResult:
        """The k most relevant distinct articles (an article scores by its best passage)."""
        t0 = time.perf_counter()
        self._maybe_reload()
        timings: dict[str, float] = {}
        order, fused, best, raw = self._rank(
            question, mode, date_from, date_to, tags, english_query, recent, timings
        )
        final = fused
        if self.reranker is not None and order:
            t = time.perf_counter()
            order, final = self._rerank(question, order, best, k, recent)
            timings["rerank"] = round((time.perf_counter() - t) * 1000, 2)
            for aid in order[:k]:
                raw[aid] = raw[aid] | {"fused": round(fused[aid], 6), "rerank": round(final[aid], 6)}
        hits = []
        for aid in order[:k]:
            a = self.article[aid]
            rows = sorted(best[aid][1], key=lambda r: int(self.p_id[r].rsplit(":", 1)[1]))
            hits.append(
                Hit(
                    article_id=aid,
                    url=a["url"],
                    title=a["title"],
                    date=a["date"],
                    issue=a["issue"],
                    section=a["section"],
                    text="\n…\n".join(self.p_text[r] for r in rows),
                    score=round(final[aid], 6),
                    passage_id=self.p_id[best[aid][1][0]],
                    images=list(a["images"]),
                    tags=list(a["tags"]),
                    scores=raw[aid],
                )
            )
        timings["total"] = round((time.perf_counter() - t0) * 1000, 2)
        return SearchResult(
            hits=hits,
            searched_query=english_query or question,
            rewrite="file" if english_query else "none",
            timings_ms=timings,
        )

    # --- pictures -------------------------------------------------------------------
    _pix: tuple | None = None  # (index stamp, image embedder, picture vectors, has-a-file mask)
    _pcache: OrderedDict | None = None  # image-embedder text vectors of recent queries

    def _pixels(self):
        """(image embedder, picture vectors, has-a-file mask) of an index built with one, else None.

        Settings saying image_embedder=none keep the pixel signal off (no torch at search time); another
        image embedder than the index's is the same mismatch error as at index time."""
        if self.meta.get("image_embedder", "none") == "none" or self.settings.image_embedder == "none":
            return None
        check_image_embedder(self.meta, self.settings.image_embedder)
        if self._pix is None or self._pix[0] != self._stamp:
            img = IMAGE_EMBEDDERS.create(self.meta["image_embedder"], self.settings)
            t = self._it.to_arrow().select(["id", "pixel_vector", "has_pixels"])
            dim = t.schema.field("pixel_vector").type.list_size
            P = np.zeros((len(self.images), dim), np.float32)
            has = np.zeros(len(self.images), dtype=bool)
            if t.num_rows:
                flat = t.column("pixel_vector").combine_chunks().flatten().to_numpy(zero_copy_only=False)
                flat = flat.reshape(-1, dim)
                # Matched by id: the table may be a newer version than the rows loaded with the index.
                for j, (iid, h) in enumerate(zip(_column(t, "id"), _column(t, "has_pixels"), strict=True)):
                    i = self.image_row.get(iid)
                    if i is not None and h:
                        P[i], has[i] = flat[j], True
            for r in self.images:  # the loaded records carry the vectors as Python lists: free them
                r.pop("pixel_vector", None)
            self._pix = (self._stamp, img, P, has)
            self._pcache = OrderedDict()
        return self._pix[1:]

    def _pixel_order(self, text: str) -> np.ndarray:
        """Rows of the pictures that have a vector, best match to `text` first (CLIP text-to-image)."""
        img, P, has = self._pixels()
        q = self._pcache.get(text)
        if q is None:
            q = self._pcache[text] = img.embed_texts([text])[0]
            if len(self._pcache) > 256:
                self._pcache.popitem(last=False)
        rows = np.flatnonzero(has)
        return rows[np.argsort(-(P[rows] @ q), kind="stable")]

    def image_plan(self, question: str, english_query: str | None = None) -> list[tuple[str, str, float]]:
        """The signals a picture search fuses: (name, text, weight)."""
        s = self.settings
        en = english_query if english_query and english_query.strip() != question.strip() else None
        sig = [("dense", question, 1.0)]
        if en:
            sig.append(("dense_en", en, s.rewrite_weight))
        # Alt texts are English: BM25 on them helps English wording (a question or its rewrite), not Cyrillic.
        if en:
            sig.append(("bm25_en", en, s.rewrite_weight))
        elif question_language(question) == "en":
            sig.append(("bm25", question, s.bm25_weight_en))
        if s.image_pixel_weight > 0 and self._pixels() is not None:
            # CLIP-family text encoders read English only: the rewrite when there is one.
            sig.append(("pixels", en or question, s.image_pixel_weight))
        if s.image_story_weight > 0:
            sig.append(("story", question, s.image_story_weight))
        return sig

    def search_images(self, question: str, k: int = 5, english_query: str | None = None) -> list[ImageHit]:
        """Pictures ranked by their own record (caption + story context) and, over an index built with an image
        embedder, by their pixels, fused with their story's rank."""
        self._maybe_reload()
        if not self.images:
            return []
        s = self.settings
        fused = np.zeros(len(self.images))
        for name, text, w in self.image_plan(question, english_query):
            if name in ("dense", "dense_en"):
                order = np.argsort(-(self.I @ self._qvec(text)))
                fused[order] += w / (s.rrf_k + np.arange(1, len(order) + 1))
            elif name in ("bm25", "bm25_en"):
                for rank, i in enumerate(self._bm25_images(text)):
                    fused[i] += w / (s.rrf_k + rank + 1)
            elif name == "pixels":
                order = self._pixel_order(text)
                fused[order] += w / (s.rrf_k + np.arange(1, len(order) + 1))
            else:
                story_order, *_ = self._rank(question, None, None, None, None, english_query, False, {})
                story_rank = {aid: r for r, aid in enumerate(story_order[:DEPTH])}
                for i, r in enumerate(self.images):
                    sr = story_rank.get(r["article_id"])
                    if sr is not None:
                        fused[i] += w / (s.rrf_k + sr + 1)
        out: list[ImageHit] = []
        seen: set[str] = set()
        for i in np.argsort(-fused):
            r = self.images[int(i)]
            if r["url"] in seen:
                continue
            seen.add(r["url"])
            out.append(
                ImageHit(
                    url=r["url"],
                    alt=r["alt"],
                    caption=r["caption"],
                    article_id=r["article_id"],
                    article_url=r["article_url"],
                    article_title=r["article_title"],
                    score=round(float(fused[i]), 6),
                    local_path=r["local_path"] or None,
                )
            )
            if len(out) >= k:
                break
        return out
