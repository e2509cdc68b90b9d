"""Answer assembly: prompt, stream, checked [n] citations, language check, images."""

from batchrag.answer.answerer import Answerer, answer_to_json

__all__ = ["Answerer", "answer_to_json"]
