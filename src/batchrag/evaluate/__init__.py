"""Evaluation stage: `batchrag eval` — retrieval metrics over a questions file (docs/contracts.md#eval---json)."""

from batchrag.evaluate.run import run_eval

__all__ = ["run_eval"]
