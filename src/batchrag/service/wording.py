"""The answer stage's reading aids, offered to the front ends: a hit's closeness in words, an answer's [n] marks.

One citation grammar (answer/citations.py) for the pipeline that filters the markers and the page that links them.
"""

from __future__ import annotations

from batchrag.answer.citations import citation_spans, parse_citations
from batchrag.answer.relevance import relevance_note

__all__ = ["citation_spans", "parse_citations", "relevance_note"]
