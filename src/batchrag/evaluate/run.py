"""Run a questions file through the retriever and report the metrics object of docs/contracts.md#eval---json."""

from __future__ import annotations

import json
import time
from pathlib import Path

from batchrag.errors import BatchragError
from batchrag.evaluate.metrics import aggregate, is_relevant, percentile, score_ranking
from batchrag.settings import Settings, get_settings


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


def run_eval(
    questions: list[dict],
    settings: Settings | None = None,
    *,
    k: int = 10,
    mode: str | None = None,
    rewrites: dict[str, str] | None = None,
    rewriter=None,
    rewriter_name: str = "none",
) -> dict:
    """Metrics per kind (text/image) and language; latency per question, after a warm-up."""
    from batchrag.retrieve.rewrite import needs_rewrite
    from batchrag.retrieve.search import Retriever

    settings = settings or get_settings()
    r = Retriever(settings)
    depth = max(k, 10)
    mode = mode or settings.search_mode
    arts = r.article
    rows: dict[tuple[str, str], list] = {}
    lat: dict[tuple[str, str], list] = {}
    n_unans = 0
    n_rw = 0
    rw_ms: list[float] = []  # model calls only: a cached rewrite costs no model time
    rw_cached = rw_failed = 0
    if questions:  # warm-up: model weights, FTS index and caches
        r.search(questions[0]["question"], k=depth, mode=mode)
        r.search_images(questions[0]["question"], k=depth)
        r._qcache.clear()
    for q in questions:
        if not q["relevant"] or q["kind"] == "unanswerable":
            n_unans += 1
            continue
        en = None
        if rewrites is not None:
            en = rewrites.get(q["question"])
        elif rewriter is not None and needs_rewrite(q["question"]):
            en = rewriter.rewrite(q["question"])
            if en is None:
                rw_failed += 1
            elif rewriter.last_cached:
                rw_cached += 1
            else:
                rw_ms.append(rewriter.last_elapsed_s * 1000)
        n_rw += en is not None
        kind = "image" if q["kind"] == "image" else "text"
        t = time.perf_counter()
        if kind == "text":
            hits = r.search(q["question"], k=depth, mode=mode, english_query=en).hits
            flags = [is_relevant(h.issue, h.title, h.section, q["relevant"]) for h in hits]
            n_rel = sum(
                is_relevant(a["issue"], a["title"], a["section"], q["relevant"]) for a in arts.values()
            )
        else:
            imgs = r.search_images(q["question"], k=depth, english_query=en)
            flags = [
                is_relevant(
                    arts[i.article_id]["issue"], i.article_title, arts[i.article_id]["section"], q["relevant"]
                )
                for i in imgs
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
        ms = (time.perf_counter() - t) * 1000
        r._qcache.clear()  # every question pays its own embedding, as a user's would
        key = (kind, q["lang"] if q["lang"] in ("uk", "en") else "other")
        rows.setdefault(key, []).append(score_ranking(flags, n_rel))
        lat.setdefault(key, []).append(ms)

    def block(kind: str) -> dict:
        out = {}
        for lang in ("uk", "en"):
            out[lang] = aggregate(rows.get((kind, lang), []), lat.get((kind, lang), []))
        every = [x for (kd, _), v in rows.items() if kd == kind for x in v]
        every_lat = [x for (kd, _), v in lat.items() if kd == kind for x in v]
        out["all"] = aggregate(every, every_lat)
        return out

    return {
        "config": {
            "embedder": r.embedder.name,
            "mode": mode,
            "reranker": settings.reranker,
            "rerank_depth": settings.rerank_depth if settings.reranker != "none" else None,
            "k": k,
            "data_dir": str(settings.data_dir),
            "corpus_articles": r.n_articles,
            "passages": len(r.p_id),
            "images": len(r.images),
            "weights": {
                "fusion": settings.fusion,
                "rrf_k": settings.rrf_k,
                "bm25_weight_uk": settings.bm25_weight_uk,
                "bm25_weight_en": settings.bm25_weight_en,
                "rewrite_weight": settings.rewrite_weight,
                "rewrite_bm25_weight": settings.rewrite_bm25_weight,
                "rewrite_image_weight": settings.rewrite_image_weight,
                "image_story_weight": settings.image_story_weight,
            },
        },
        "text": block("text"),
        "image": block("image"),
        "unanswerable": {"n": n_unans},
        "rewrites": {
            "source": "file" if rewrites is not None else rewriter_name,
            "count": n_rw,
            "model": getattr(rewriter, "model", None) or None,
            "p50_ms": _ms(percentile(rw_ms, 0.5)),
            "p95_ms": _ms(percentile(rw_ms, 0.95)),
            "cached": rw_cached,
            "failed": rw_failed,
        },
    }


def _ms(v: float | None) -> float | None:
    return None if v is None else round(v, 1)


def format_table(res: dict) -> str:
    """A human-readable table of the metrics object."""
    c = res["config"]
    lines = [
        f"embedder={c['embedder']} mode={c['mode']} reranker={c.get('reranker', 'none')} k={c['k']} "
        f"articles={c['corpus_articles']} "
        f"rewrites={res['rewrites']['source']}({res['rewrites']['count']}) unanswerable={res['unanswerable']['n']}",
        f"{'set':<12}{'n':>5}{'R@1':>7}{'R@5':>7}{'R@10':>7}{'MRR':>7}{'nDCG':>7}{'p50ms':>8}{'p95ms':>8}",
    ]

    def f(v):
        return "-" if v is None else f"{v:.2f}"

    for kind in ("text", "image"):
        for lang in ("uk", "en", "all"):
            m = res[kind][lang]
            lines.append(
                f"{kind + '/' + lang:<12}{m['n']:>5}{f(m['recall@1']):>7}{f(m['recall@5']):>7}{f(m['recall@10']):>7}"
                f"{f(m['mrr@10']):>7}{f(m['ndcg@10']):>7}{f(m['p50_ms']):>8}{f(m['p95_ms']):>8}"
            )
    return "\n".join(lines)
