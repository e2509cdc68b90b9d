"""The grouped settings: every old BATCHRAG_* name still works, parts win over flat names, docs/settings.md is fresh."""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path

import pytest
from pydantic import ValidationError

from batchrag.settings import FOREIGN_ENV, CrawlSettings, Settings, flat_names
from batchrag.settings.doc import settings_markdown

ROOT = Path(__file__).resolve().parents[1]


def _other_value(info) -> tuple[str, object]:
    """A valid value unlike the default, as the environment gives it and as the field then holds it."""
    default = info.get_default(call_default_factory=True)
    ann = info.annotation
    if typing.get_origin(ann) is typing.Literal:
        other = next(c for c in typing.get_args(ann) if c != default)
        return other, other
    if isinstance(default, bool):
        return str(not default).lower(), not default
    if isinstance(default, int):
        return str(default + 1), default + 1
    if isinstance(default, float):
        return str(default + 0.5), default + 0.5
    if isinstance(default, Path):
        return "/tmp/elsewhere", Path("/tmp/elsewhere")
    if isinstance(default, list):
        return '["example.org"]', ["example.org"]
    if isinstance(default, dict):
        value = next(iter(default.values()))  # another embedder's entry, shaped like the default's
        return json.dumps({"e5": value}), {"e5": value}
    return "http://127.0.0.1:9/x", "http://127.0.0.1:9/x"


def _places():
    for old, places in flat_names().items():
        for part, name in places:
            yield old, part, name


@pytest.mark.parametrize("old,part,name", list(_places()))
def test_every_flat_name_still_sets_its_field(monkeypatch, old, part, name):
    info = Settings.model_fields[part].annotation.model_fields[name]
    raw, want = _other_value(info)
    monkeypatch.setenv(f"BATCHRAG_{old.upper()}", raw)
    got = getattr(getattr(Settings(), part), name)
    assert got == (tuple(want) if isinstance(got, tuple) else want)
    assert getattr(getattr(Settings(**{old: want}), part), name) == got  # and as a keyword


def test_the_readme_names_are_all_known():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"\bBATCHRAG_([A-Z0-9_]+)", readme)) - {""}
    known = {o.upper() for o in flat_names()} | {
        f"{p.upper()}__{n.upper()}" for p, info in Settings.model_fields.items() for n in info.annotation.model_fields
    }
    assert named and named <= known, sorted(named - known)


def test_the_shared_variables(monkeypatch):
    for var, (part, name) in FOREIGN_ENV.items():
        monkeypatch.setenv(var, f"http://127.0.0.1:9/{var}")
        assert getattr(getattr(Settings(), part), name) == f"http://127.0.0.1:9/{var}"


def test_a_part_name_wins_over_a_flat_one(monkeypatch):
    monkeypatch.setenv("BATCHRAG_TOP_K", "7")
    monkeypatch.setenv("BATCHRAG_RETRIEVE__TOP_K", "9")
    assert Settings().retrieve.top_k == 9
    assert Settings(top_k=3).retrieve.top_k == 3  # a keyword wins over the environment


def test_with_changes_keeps_the_rest():
    s = Settings(top_k=4)
    t = s.with_changes(llm_backend="extractive", reranker="e5")
    assert (t.llm.backend, t.retrieve.reranker, t.retrieve.top_k) == ("extractive", "e5", 4)
    assert (s.llm.backend, s.retrieve.reranker) == ("auto", "none")


def test_typos_and_bad_choices_are_errors(monkeypatch):
    with pytest.raises(ValidationError):
        Settings(top_kk=3)
    with pytest.raises(ValidationError):
        Settings(search_mode="fuzzy")
    monkeypatch.setenv("BATCHRAG_RETRIEVE__TOPK", "3")
    with pytest.raises(ValidationError):
        Settings()


def test_every_field_is_described():
    for part, info in Settings.model_fields.items():
        assert info.description, part
        for name, field in info.annotation.model_fields.items():
            assert field.description, f"{part}.{name}"


def test_docs_settings_md_is_fresh():
    page = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert page == settings_markdown(), "stale: python -m batchrag.settings.doc > docs/settings.md"


def test_a_bad_value_is_one_line_naming_the_variable(monkeypatch):
    from typer.testing import CliRunner

    from batchrag.cli import app
    from batchrag.settings import get_settings

    monkeypatch.setenv("BATCHRAG_TOP_K", "many")
    get_settings.cache_clear()
    res = CliRunner().invoke(app, ["stats"])
    assert res.exit_code == 1 and "Traceback" not in res.output
    line = res.output.strip()
    assert "\n" not in line and line.startswith("error: bad value 'many' for retrieve.top_k")
    assert "BATCHRAG_RETRIEVE__TOP_K / BATCHRAG_TOP_K" in line
    monkeypatch.delenv("BATCHRAG_TOP_K")
    monkeypatch.setenv("BATCHRAG_RETRIEVE__TOPK", "3")
    get_settings.cache_clear()
    res = CliRunner().invoke(app, ["stats"])
    assert res.exit_code == 1 and "unknown setting retrieve.topk" in res.output.lower()


def test_timeouts_and_retries_live_in_one_part_shared_by_the_crawler_and_the_hub(monkeypatch):
    monkeypatch.setenv("BATCHRAG_HTTP__MAX_RETRIES", "6")
    monkeypatch.setenv("BATCHRAG_CRAWL__CONNECT_RETRIES", "3")  # the name from before the http part still works
    monkeypatch.setenv("BATCHRAG_BACKOFF_BASE_S", "0.5")  # and the flat one
    s = Settings()
    assert (s.http.max_retries, s.http.connect_retries, s.http.backoff_base_s) == (6, 3, 0.5)
    assert "max_retries" not in CrawlSettings.model_fields
    assert Settings(crawl={"request_timeout_s": 7}).http.request_timeout_s == 7
    monkeypatch.setenv("BATCHRAG_CRAWL__NO_SUCH_THING", "1")
    with pytest.raises(ValidationError):
        Settings()
