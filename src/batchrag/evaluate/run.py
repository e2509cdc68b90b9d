"""Run a questions file through the retriever and report the metrics object of docs/contracts.md#eval---json."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from batchrag.domain.errors import BatchragError
from batchrag.domain.site import LETTER
from batchrag.evaluate.scoring import aggregate, is_relevant, norm_title, percentile, score_ranking
from batchrag.retrieve.rewrite.standalone import needs_rewrite
from batchrag.retrieve.search import Retriever
from batchrag.retrieve.understand import understand
from batchrag.settings import Settings

TOP_SHOWN = 5  # hits written per question by --per-question
SECTIONS = (LETTER, "story")  # always in by_section, with n 0 when no question has that section


class EvalError(BatchragError, ValueError):
    """The questions or rewrites file is unusable."""


def load_questions(path: Path) -> list[dict]:
    qs = []
    with Path(path).open(encoding="utf-8") as fp:
        for n, line in enumerate(fp, 1):
            if not line.strip():
                continue
            try:
                q = json.loads(line)
            except json.JSONDecodeError as e:
                raise EvalError(f"{path}:{n}: not JSON ({e.msg})") from e
            if not isinstance(q, dict) or not q.get("question") or "relevant" not in q:
                raise EvalError(f"{path}:{n}: a question needs 'question' and 'relevant'")
            q.setdefault("lang", "en")
            q.setdefault("kind", "text" if q["relevant"] else "unanswerable")
            qs.append(q)
    return qs


def load_rewrites(path: Path) -> dict[str, str]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise EvalError(f"cannot read rewrites {path}: {e}") from e
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise EvalError(f"{path}: rewrites must be a JSON object {{question: english query}}")
    return data


@dataclass
class _Tally:
    """What run_eval gathers per question: ranking metrics and latencies, by (kind, lang) and by section."""

    rows: dict[tuple[str, str], list] = field(default_factory=dict)
    lat: dict[tuple[str, str], list] = field(default_factory=dict)
    by_sec: dict[tuple[str, str, str], list] = field(default_factory=dict)
    sec_lat: dict[tuple[str, str, str], list] = field(default_factory=dict)
    n_unans: int = 0
    n_rw: int = 0
    rw_ms: list[float] = field(default_factory=list)  # model calls only: a cached rewrite costs no model time
    rw_cached: int = 0
    rw_failed: int = 0

    def add(self, key: tuple[str, str], section: str, m: dict, ms: float) -> None:
        self.rows.setdefault(key, []).append(m)
        self.lat.setdefault(key, []).append(ms)
        self.by_sec.setdefault((*key, section), []).append(m)
        self.sec_lat.setdefault((*key, section), []).append(ms)

    def block(self, kind: str) -> dict:
        out = {}
        for lang in ("uk", "en"):
            out[lang] = aggregate(self.rows.get((kind, lang), []), self.lat.get((kind, lang), []))
        every = [x for (kd, _), v in self.rows.items() if kd == kind for x in v]
        every_lat = [x for (kd, _), v in self.lat.items() if kd == kind for x in v]
        out["all"] = aggregate(every, every_lat)
        return out

    def sections(self, kind: str) -> dict:
        names = list(SECTIONS) + sorted({sec for (kd, _, sec) in self.by_sec if kd == kind} - set(SECTIONS))
        out = {}
        for lang in ("uk", "en", "all"):
            langs = ("uk", "en", "other") if lang == "all" else (lang,)
            out[lang] = {
                sec: aggregate(
                    [x for lg in langs for x in self.by_sec.get((kind, lg, sec), [])],
                    [x for lg in langs for x in self.sec_lat.get((kind, lg, sec), [])],
                )
                for sec in names
            }
        return out


def run_eval(
    questions: list[dict],
    settings: Settings,
    *,
    k: int = 10,
    mode: str | None = None,
    rewrites: dict[str, str] | None = None,
    rewriter=None,
    rewriter_name: str = "none",
    on_question: Callable[[dict], None] | None = None,
) -> dict:
    """Metrics per kind (text/image) and language, and per section of the relevant article; latency per question,
    after a warm-up. `on_question` gets each answerable question's row (`question_row`: its rank and top hits)."""
    r = Retriever.of(settings)
    depth = max(k, 10)
    mode = mode or settings.retrieve.search_mode
    arts = r.article
    tally = _Tally()
    if questions:  # warm-up: model weights, FTS index and caches
        r.search(questions[0]["question"], k=depth, mode=mode)
        r.search_images(questions[0]["question"], k=depth)
        r._qcache.clear()
    for q in questions:
        if not q["relevant"] or q["kind"] == "unanswerable":
            tally.n_unans += 1
            continue
        en = _english_query(q["question"], rewrites, rewriter, tally)
        tally.n_rw += en is not None
        kind = "image" if q["kind"] == "image" else "text"
        t = time.perf_counter()
        found, flags, n_rel = _search_one(r, q, kind, depth, mode, en)
        ms = (time.perf_counter() - t) * 1000
        section = question_section(q["relevant"], arts)
        if on_question is not None:  # after the timing: the signal ranks are the diagnosis, not the search
            on_question(question_row(q, kind, section, en, found, flags, r, mode))
        r._qcache.clear()  # every question pays its own embedding, as a user's would
        key = (kind, q["lang"] if q["lang"] in ("uk", "en") else "other")
        tally.add(key, section, score_ranking(flags, n_rel), ms)
    return {
        "config": _config(r, settings, mode, k),
        "text": tally.block("text"),
        "image": tally.block("image"),
        "unanswerable": {"n": tally.n_unans},
        "by_section": {"text": tally.sections("text"), "image": tally.sections("image")},
        "rewrites": {
            "source": "file" if rewrites is not None else rewriter_name,
            "count": tally.n_rw,
            "model": getattr(rewriter, "model", None) or None,
            "p50_ms": _ms(percentile(tally.rw_ms, 0.5)),
            "p95_ms": _ms(percentile(tally.rw_ms, 0.95)),
            "cached": tally.rw_cached,
            "failed": tally.rw_failed,
        },
    }


def _english_query(question: str, rewrites: dict[str, str] | None, rewriter, tally: _Tally) -> str | None:
    """The English rewrite of a question: from the rewrites file, else from the rewriter (its cost tallied)."""
    en = None
    if rewrites is not None:
        en = rewrites.get(question)
    elif rewriter is not None and needs_rewrite(question):
        en = rewriter.rewrite(question)
        if en is None:
            tally.rw_failed += 1
        elif rewriter.last_cached:
            tally.rw_cached += 1
        else:
            tally.rw_ms.append(rewriter.last_elapsed_s * 1000)
    return en


def _search_one(r, q: dict, kind: str, depth: int, mode: str, en: str | None) -> tuple[list, list[bool], int]:
    """One question's hits, whether each is relevant, and how many relevant items the corpus holds."""
    arts = r.article
    if kind == "text":
        found = r.search(q["question"], k=depth, mode=mode, english_query=en).hits
        flags = [is_relevant(h.issue, h.title, h.section, q["relevant"]) for h in found]
        n_rel = sum(
            is_relevant(a["issue"], a["title"], a["section"], q["relevant"]) for a in arts.values()
        )
    else:
        found = r.search_images(q["question"], k=depth, english_query=en)
        flags = [
            is_relevant(
                arts[i.article_id]["issue"], i.article_title, arts[i.article_id]["section"], q["relevant"]
            )
            for i in found
        ]
        n_rel = sum(
            is_relevant(
                arts[im["article_id"]]["issue"],
                im["article_title"],
                arts[im["article_id"]]["section"],
                q["relevant"],
            )
            for im in r.images
            if im["article_id"] in arts
        )
    return found, flags, n_rel


def _config(r, settings: Settings, mode: str, k: int) -> dict:
    """The run's configuration, reported with its metrics."""
    return {
        "embedder": r.embedder.name,
        "mode": mode,
        "reranker": settings.retrieve.reranker,
        "rerank_depth": settings.retrieve.rerank_depth if settings.retrieve.reranker != "none" else None,
        "k": k,
        "data_dir": str(settings.store.data_dir),
        "corpus_articles": r.n_articles,
        "passages": len(r.p_id),
        "images": len(r.images),
        "weights": {
            "fusion": settings.retrieve.fusion,
            "rrf_k": settings.retrieve.rrf_k,
            "bm25_weight_uk": settings.retrieve.bm25_weight_uk,
            "bm25_weight_en": settings.retrieve.bm25_weight_en,
            "rewrite_weight": settings.retrieve.rewrite_weight,
            "rewrite_bm25_weight": settings.retrieve.rewrite_bm25_weight,
            "rewrite_image_weight": settings.retrieve.rewrite_image_weight,
            "rewrite_image_bm25_weight": settings.retrieve.rewrite_image_bm25_weight,
            "image_story_weight": settings.retrieve.image_story_weight,
        },
    }


def question_section(relevant: list[dict], arts: dict[int, dict]) -> str:
    """The section of a question: its first relevant entry's `section`, else that of the article its issue and
    title name in the index (a titled entry is a story unless the index says otherwise)."""
    first = relevant[0]
    if first.get("section"):
        return first["section"]
    want = norm_title(first.get("title"))
    for a in arts.values():
        if a["issue"] == first.get("issue") and norm_title(a["title"]) == want:
            return a["section"]
    return "story"


def signal_ranks(r, question: str, mode: str, english_query: str | None) -> dict[str, dict[int, int]]:
    """Each story signal's 1-based article ranks for the question (the signals the search fused; an article past
    a signal's depth has no rank there). The question is read as search() reads it, its framing off."""
    return {
        name: {st.article: n for n, st in enumerate(ranked, 1)}
        for name, ranked, _w in r.signals(understand(question).text, mode, english_query)
    }


def question_row(q: dict, kind: str, section: str, english: str | None, found: list, flags: list[bool], r,
                 mode: str) -> dict:
    """One `--per-question` row: the question, the rank of its first relevant hit (None: not in the list) and its
    top hits with their signals (stories: each signal's score and rank; pictures: the picture and its story)."""
    rank = next((n for n, f in enumerate(flags, 1) if f), None)
    row = {"id": q.get("id"), "lang": q["lang"], "kind": kind, "section": section, "question": q["question"],
           "english_query": english, "rank": rank, "n_ranked": len(flags)}
    if kind == "text":
        ranks = signal_ranks(r, q["question"], mode, english)
        row["top"] = [
            {"rank": n, "article_id": h.article_id, "issue": h.issue, "title": h.title, "section": h.section,
             "relevant": f, "score": h.score, "scores": dict(h.scores),
             "ranks": {name: rk.get(h.article_id) for name, rk in ranks.items()}}
            for n, (h, f) in enumerate(zip(found[:TOP_SHOWN], flags, strict=False), 1)
        ]
        if rank is not None and rank > TOP_SHOWN:  # the miss: where the relevant article did land, signal by signal
            h = found[rank - 1]
            row["first_relevant"] = {"article_id": h.article_id, "title": h.title, "score": h.score,
                                     "scores": dict(h.scores),
                                     "ranks": {name: rk.get(h.article_id) for name, rk in ranks.items()}}
    else:
        row["top"] = [
            {"rank": n, "url": i.url, "article_id": i.article_id, "article_title": i.article_title,
             "relevant": f, "score": i.score}
            for n, (i, f) in enumerate(zip(found[:TOP_SHOWN], flags, strict=False), 1)
        ]
    return row


def _ms(v: float | None) -> float | None:
    return None if v is None else round(v, 1)


def format_table(res: dict) -> str:
    """A human-readable table of the metrics object."""
    c = res["config"]
    lines = [
        f"embedder={c['embedder']} mode={c['mode']} reranker={c.get('reranker', 'none')} k={c['k']} "
        f"articles={c['corpus_articles']} "
        f"rewrites={res['rewrites']['source']}({res['rewrites']['count']}) unanswerable={res['unanswerable']['n']}",
        f"{'set':<18}{'n':>5}{'R@1':>7}{'R@5':>7}{'R@10':>7}{'MRR':>7}{'nDCG':>7}{'p50ms':>8}{'p95ms':>8}",
    ]

    def f(v):
        return "-" if v is None else f"{v:.2f}"

    for kind in ("text", "image"):
        for lang in ("uk", "en", "all"):
            m = res[kind][lang]
            lines.append(
                f"{kind + '/' + lang:<18}{m['n']:>5}{f(m['recall@1']):>7}{f(m['recall@5']):>7}{f(m['recall@10']):>7}"
                f"{f(m['mrr@10']):>7}{f(m['ndcg@10']):>7}{f(m['p50_ms']):>8}{f(m['p95_ms']):>8}"
            )
    for kind, langs in res.get("by_section", {}).items():
        for lang in ("uk", "en"):
            for sec, m in langs.get(lang, {}).items():
                if not m["n"]:
                    continue
                lines.append(
                    f"{'  ' + kind + '/' + lang + '/' + sec:<18}{m['n']:>5}{f(m['recall@1']):>7}{f(m['recall@5']):>7}"
                    f"{f(m['recall@10']):>7}{f(m['mrr@10']):>7}{f(m['ndcg@10']):>7}{f(m['p50_ms']):>8}"
                    f"{f(m['p95_ms']):>8}"
                )
    return "\n".join(lines)
