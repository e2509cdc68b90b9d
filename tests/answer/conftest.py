"""Fixtures of the answer tests: the scripted Ollama server of the llm tests."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "llm"))
from ollama_wire import ollama  # noqa: E402, F401
