"""Evaluation stage: `batchrag eval` — retrieval metrics over a questions file (SPEC §2)."""

from batchrag.evaluate.run import run_eval

__all__ = ["run_eval"]
