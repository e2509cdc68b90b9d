"""Gives this test package the fixture-corpus builder (tests/fixtures/corpus/build.py)."""

import importlib.util
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def corpus():
    p = Path(__file__).resolve().parents[1] / "fixtures" / "corpus" / "build.py"
    spec = importlib.util.spec_from_file_location("fixture_corpus_build", p)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
