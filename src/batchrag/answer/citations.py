"""Citation markers [n] / [1, 2] / [1][2]: parse, drop those to sources not given; strip images and HTML."""

from __future__ import annotations

import re

from batchrag.llm.prompts import ECHO_LINES

_CITE_RE = re.compile(r"\[\s*(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\s*\]")
_MD_IMAGE_RE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_HTML_RE = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?>|<!--.*?-->", re.S)


def citation_spans(text: str) -> list[tuple[int, int, list[int]]]:
    """Every citation marker in the text: (start, end, its numbers as written), in order."""
    return [(m.start(), m.end(), [int(p) for p in re.split(r"[,;]", m.group(1))]) for m in _CITE_RE.finditer(text)]


def parse_citations(text: str) -> list[int]:
    """Cited numbers in order of first appearance."""
    seen: list[int] = []
    for _, _, nums in citation_spans(text):
        for n in nums:
            if n not in seen:
                seen.append(n)
    return seen


def filter_citations(text: str, n_sources: int) -> tuple[str, list[int], int]:
    """Remove numbers outside 1..n_sources; returns (text, valid cited numbers, how many were removed)."""
    removed = 0

    def fix(m: re.Match) -> str:
        nonlocal removed
        nums = [int(p) for p in re.split(r"[,;]", m.group(1))]
        keep = [n for n in nums if 1 <= n <= n_sources]
        removed += len(nums) - len(keep)
        return f"[{', '.join(map(str, keep))}]" if keep else ""

    out = _CITE_RE.sub(fix, text)
    out = re.sub(r"[ \t]+([.,;:!?])", r"\1", out)  # the space left before punctuation by a dropped marker
    out = re.sub(r"[ \t]{2,}", " ", out)
    return out, parse_citations(out), removed


def strip_markup(text: str) -> tuple[str, int]:
    """Remove model-written markdown images, raw HTML tags and echoed prompt scaffolding; returns (text, count)."""
    text, a = _MD_IMAGE_RE.subn("", text)
    text, b = _HTML_RE.subn("", text)
    lines = text.split("\n")
    kept = [ln for ln in lines if ln.strip() not in ECHO_LINES and not ln.strip().startswith("Питання: ")]
    return "\n".join(kept), a + b + len(lines) - len(kept)
