"""Timeline quality on named topics of the archive: precision and recall of the timeline's stories (JSON).

usage: python bench/timeline_bench.py [DATA_DIR]   (default: $BATCHRAG_DATA_DIR)
Truth for a topic is every stored story whose title or text names its entity (a case-sensitive pattern, computed
from the store). Each topic is asked by its English name, by its Ukrainian name as the machine finds it (a rewriter
when one runs), and by its Ukrainian name with the English name given as the rewrite (what a rewriting model writes).
Ukrainian topics that name nothing in Latin script (UK_TOPICS, and UK_TOPICS_CHECK that no constant was chosen on)
are asked as written and reported apart.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from pathlib import Path

from batchrag.service import Assistant, Library
from batchrag.service.timeline import build_timeline
from batchrag.settings import Settings

# (English name, Ukrainian name, truth: every pattern must match the story's title + text)
TOPICS = [
    ("AlphaFold", "модель AlphaFold", [r"AlphaFold"]),
    ("ChatGPT", "чат-бот ChatGPT", [r"ChatGPT"]),
    ("Tesla Autopilot", "автопілот Tesla", [r"Autopilot", r"Tesla"]),
    ("EU AI Act", "Закон ЄС про штучний інтелект", [r"\bAI Act\b"]),
    ("Stable Diffusion", "генератор зображень Stable Diffusion", [r"Stable Diffusion"]),
    ("Midjourney", "Midjourney", [r"Midjourney"]),
    ("AlphaGo", "програма AlphaGo", [r"AlphaGo"]),
    ("Waymo", "безпілотні таксі Waymo", [r"Waymo"]),
    ("DeepSeek", "китайська компанія DeepSeek", [r"DeepSeek"]),
    ("DALL·E", "генератор DALL·E", [r"DALL[·\-•]E"]),
]

# Ukrainian topics that name nothing in Latin script: the timeline must find the English term itself
# (truth as above: every pattern must match the story's title + text).
UK_TOPICS = [
    ("самокеровані автомобілі", [r"(?i)self-driving|driverless|autonomous (?:car|vehicle)|robotaxi"]),
    ("закон ЄС про штучний інтелект", [r"\bAI Act\b"]),
    ("розпізнавання облич", [r"(?i)face recognition|facial recognition"]),
    ("роботи-гуманоїди", [r"(?i)humanoid"]),
]
# More of them, not used to choose retrieve/topic_terms.py's constants: a check on topics it was not tuned on.
UK_TOPICS_CHECK = [
    ("дипфейки", [r"(?i)deepfake"]),
    ("розпізнавання мовлення", [r"(?i)speech recognition"]),
    ("авторське право", [r"(?i)copyright"]),
    ("безпілотники", [r"(?i)\bdrones?\b"]),
    ("дифузійні моделі", [r"(?i)diffusion model"]),
    ("навчання з підкріпленням", [r"(?i)reinforcement learning"]),
    ("квантові комп'ютери", [r"(?i)quantum comput"]),
    ("шахи", [r"(?i)\bchess\b"]),
    ("виявлення раку", [r"(?i)\bcancer"]),
]


def pr(found: set[int], truth: set[int]) -> dict:
    tp = len(found & truth)
    return {"n": len(found), "truth": len(truth), "precision": round(tp / len(found), 3) if found else 0.0,
            "recall": round(tp / len(truth), 3) if truth else 0.0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data_dir", type=Path, nargs="?")
    a = ap.parse_args()
    settings = Settings(data_dir=a.data_dir) if a.data_dir else Settings()
    texts = {art.id: f"{art.title}\n{art.text}" for art in Library(settings).store.iter_articles()}
    assistant = Assistant(settings)
    rows, seconds = [], []
    for en, uk, patterns in TOPICS:
        truth = {i for i, t in texts.items() if all(re.search(p, t) for p in patterns)}
        row = {"topic": en, "uk": uk}
        for variant, topic, given in (("en", en, None), ("uk", uk, None), ("uk+rewrite", uk, en)):
            t0 = time.perf_counter()
            tl = build_timeline(assistant, topic, explain=False, english=given)
            seconds.append(time.perf_counter() - t0)
            row[variant] = pr({s.article_id for s in tl.stories()}, truth) | {"rule": tl.rule, "names": tl.names,
                                                                               "rewrite": tl.rewrite}
        rows.append(row)
    unnamed = {"uk_unnamed": unnamed_rows(assistant, texts, UK_TOPICS, seconds),
               "uk_unnamed_check": unnamed_rows(assistant, texts, UK_TOPICS_CHECK, seconds)}
    summary = {}
    for variant in ("en", "uk", "uk+rewrite"):
        summary[variant] = {m: round(statistics.mean(r[variant][m] for r in rows), 3) for m in ("precision", "recall")}
    for group, uk_rows in unnamed.items():
        summary[group] = {m: round(statistics.mean(r[m] for r in uk_rows), 3) for m in ("precision", "recall")}
    print(json.dumps({"data_dir": str(settings.store.data_dir), "articles": len(texts), "topics": len(rows),
                      "mean": summary, "seconds_per_timeline_p50": round(statistics.median(seconds), 2),
                      "seconds_per_timeline_max": round(max(seconds), 2), "per_topic": rows} | unnamed,
                     ensure_ascii=False, indent=1))


def unnamed_rows(assistant, texts: dict[int, str], topics, seconds: list[float]) -> list[dict]:
    """Each Ukrainian topic without a Latin name asked as written: precision, recall, and how it was cut."""
    out = []
    for uk, patterns in topics:
        truth = {i for i, t in texts.items() if all(re.search(p, t) for p in patterns)}
        t0 = time.perf_counter()
        tl = build_timeline(assistant, uk, explain=False)
        seconds.append(time.perf_counter() - t0)
        out.append({"uk": uk} | pr({s.article_id for s in tl.stories()}, truth)
                   | {"rule": tl.rule, "terms": tl.terms, "rewrite": tl.rewrite})
    return out


if __name__ == "__main__":
    main()
