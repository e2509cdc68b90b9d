"""Embedded LLM benchmark: load time, time to first token, tokens/s and prompt size for a typical 5-source prompt.

Run: python bench/llm_bench.py [--max-tokens 64] [--gguf PATH]   (prints one JSON object)
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from datetime import date

from batchrag.domain.types import Hit
from batchrag.llm.embedded import EmbeddedBackend
from batchrag.llm.prompts import build_messages, messages_tokens
from batchrag.settings import Settings

# Invented ~180-word passages, the size retrieval hands to the answer stage.
_PARA = (
    "Researchers at a fictional lab trained a compact language model on curated instruction data and reported that "
    "it matched larger systems on reasoning benchmarks while running on a single laptop GPU. The team released the "
    "weights under an open licence, described the data filtering in detail, and warned that the model still makes "
    "factual errors on long documents. Independent testers found it fast but brittle on multilingual prompts. "
)
HITS = [
    Hit(i, f"https://example.test/the-batch/issue-{900 + i}/", f"Invented story {i}", date(2030, 1, i), 900 + i,
        "story", _PARA * 2, 1.0 / i)
    for i in range(1, 6)
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--gguf", default=None)
    args = ap.parse_args()
    s = Settings(gguf_path=args.gguf, llm_ctx=4096)
    b = EmbeddedBackend(s.llm)
    t0 = time.perf_counter()
    b.llama()
    load_s = time.perf_counter() - t0
    msgs = build_messages("Що нового в компактних мовних моделях?", HITS)
    prompt_tokens = len(b.llama().tokenize("\n".join(m.content for m in msgs).encode()))
    t0 = time.perf_counter()
    first = None
    n = 0
    for _ in b.generate(msgs, max_tokens=args.max_tokens, temperature=0.0):
        n += 1  # llama.cpp streams one token a chunk
        if first is None:
            first = time.perf_counter() - t0
    total = time.perf_counter() - t0
    gen_s = total - (first or 0)
    print(json.dumps({
        "model": b.model,
        "load_s": round(load_s, 2),
        "prompt_tokens": prompt_tokens,
        "prompt_tokens_estimate": messages_tokens(msgs),
        "first_token_s": round(first or 0, 2),
        "generated_tokens": n,
        "tokens_per_s": round((n - 1) / gen_s, 1) if n > 1 and gen_s > 0 else None,
        "total_s": round(total, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))


if __name__ == "__main__":
    main()
