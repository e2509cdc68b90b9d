"""Retrieve stage: dense + BM25 search over the index, fused by the question's language."""

from batchrag.retrieve.search import Retriever, question_language

__all__ = ["Retriever", "question_language"]
