"""The whole path, as CI runs it: fixture site → crawl → SQLite → index → retrieve → real embedded LLM answer."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def _cli(*args: str, env: dict, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "batchrag.cli", *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_demo_then_ask_with_the_embedded_model(data_dir):
    pytest.importorskip("llama_cpp", reason="the embedded LLM (llama-cpp-python) is not installed")
    env = {**os.environ, "BATCHRAG_DATA_DIR": str(data_dir), "BATCHRAG_LLM_BACKEND": "embedded",
           "BATCHRAG_LLM_MAX_TOKENS": "160"}
    env.pop("OLLAMA_HOST", None)
    demo = _cli("demo", "--json", env=env)
    assert demo.returncode == 0, demo.stderr
    summary = json.loads(demo.stdout)
    assert summary["stats"]["articles"] >= 5 and summary["stats"]["images_downloaded"] >= 1
    assert summary["index"]["passages"] >= summary["stats"]["articles"]

    again = _cli("demo", "--json", env=env)  # idempotent: same library, nothing new
    assert again.returncode == 0, again.stderr
    second = json.loads(again.stdout)
    assert {k: v for k, v in second["stats"].items() if k != "last_crawl"} == {
        k: v for k, v in summary["stats"].items() if k != "last_crawl"}
    assert second["crawl"]["new"] == 0 and second["index"]["embedded"] == 0

    ask = _cli("ask", "Що нового у відкритих моделях?", "--json", env=env)
    assert ask.returncode == 0, ask.stderr
    a = json.loads(ask.stdout)
    assert a["backend"] == "embedded" and a["model"]
    assert a["sources"], "retrieval returned no sources"
    assert [s["n"] for s in a["sources"]] == list(range(1, len(a["sources"]) + 1))
    cited = {int(n) for m in re.finditer(r"\[(\d+(?:\s*,\s*\d+)*)\]", a["answer"]) for n in m.group(1).split(",")}
    assert cited <= {s["n"] for s in a["sources"]}, "the answer cites a source it was not given"
    assert {s["n"] for s in a["sources"] if s["cited"]} == cited
    if not cited:
        assert any("cites no source" in w for w in a["warnings"])
    assert isinstance(a["images"], list)
    for im in a["images"]:
        assert im["article_url"] and (im["path"] is None or (data_dir / "images" / im["path"]).is_file())
    assert isinstance(a["language_ok"], bool) and a["searched_query"]
    for s in a["sources"]:
        assert s["url"].startswith("http") and s["title"]
