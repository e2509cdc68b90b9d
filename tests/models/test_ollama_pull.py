"""Pulling a model through Ollama's API, against the Ollama-format server on loopback."""

from __future__ import annotations

import pytest

from batchrag.models.ollama_pull import PullError, pull
from tests.support.net import closed_port_url


def test_a_pull_reports_progress_and_the_model_is_then_listed(ollama):
    ollama.library["qwen2.5:1.5b"] = 986_000_000
    seen: list[tuple[str, int, int]] = []
    pull(ollama.url, "qwen2.5:1.5b", lambda *a: seen.append(a))
    assert seen[0][0] == "pulling manifest" and seen[-1][0] == "success"
    sizes = [(done, total) for status, done, total in seen if status.startswith("pulling ") and total]
    assert sizes[-1] == (986_000_000, 986_000_000) and sizes == sorted(sizes)
    assert "qwen2.5:1.5b" in ollama.models
    assert ollama.requests[-1] == ("/api/pull", {"model": "qwen2.5:1.5b", "stream": True})


def test_a_model_ollama_does_not_know_is_a_one_line_error(ollama):
    with pytest.raises(PullError, match="Ollama cannot pull nope:1b: pull model manifest: file does not exist"):
        pull(ollama.url, "nope:1b")


def test_a_pull_cut_off_midway_says_so_and_pulls_nothing(ollama):
    ollama.library["llama3.1:8b-q"] = 4_900_000_000
    ollama.pull_cut = True
    with pytest.raises(PullError, match="cut off before it finished; run it again"):
        pull(ollama.url, "llama3.1:8b-q")
    assert "llama3.1:8b-q" not in ollama.models
    pull(ollama.url, "llama3.1:8b-q")  # the next run goes through
    assert "llama3.1:8b-q" in ollama.models


def test_no_ollama_is_a_one_line_error():
    with pytest.raises(PullError, match="Ollama is not reachable at .* `ollama serve`"):
        pull(closed_port_url(), "qwen2.5:1.5b")
