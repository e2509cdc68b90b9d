"""Answer assembly: prompt, stream, checked [n] citations, language check, images."""

from batchrag.answer.answerer import Answerer
from batchrag.answer.question import AnswerError, EmptyQuestion, Question, prepare_question

__all__ = ["AnswerError", "Answerer", "EmptyQuestion", "Question", "prepare_question"]
