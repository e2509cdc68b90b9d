"""What the project writes for a reader is its owner's alone (0600), whatever the umask: `batchrag export`,
`batchrag conversations export`, `batchrag digest --out` (Markdown with its pictures, HTML)."""

from __future__ import annotations

import os
import stat

import pytest
from typer.testing import CliRunner

from batchrag.cli import app
from batchrag.domain.types import Answer
from batchrag.service.conversations import Conversations
from batchrag.service.digest import Digest, DigestPicture, DigestStory
from batchrag.service.digest_export import write_markdown
from batchrag.settings import get_settings
from batchrag.store import open_store
from tests.support.corpus import ARTICLES


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def permissive_umask():
    old = os.umask(0o002)  # a shared-group umask: files 0664 unless the project says otherwise
    yield
    os.umask(old)


@pytest.fixture
def library(monkeypatch):
    monkeypatch.setenv("BATCHRAG_LLM_BACKEND", "extractive")
    get_settings.cache_clear()
    s = get_settings()
    with ARTICLES.open(encoding="utf-8") as fp:
        assert open_store(s).import_jsonl(fp)["failed"] == 0
    return s


def test_the_library_and_a_conversation_export_0600(library, permissive_umask, tmp_path):
    out = tmp_path / "library.jsonl"
    r = CliRunner().invoke(app, ["export", str(out)])
    assert r.exit_code == 0, r.output
    assert _mode(out) == 0o600 and out.read_text(encoding="utf-8").count("\n") > 10
    assert not out.with_suffix(".jsonl.part").exists()
    nowhere = CliRunner().invoke(app, ["export", str(tmp_path / "no" / "such" / "x.jsonl")])
    assert nowhere.exit_code == 1 and nowhere.stderr.startswith("error: cannot write") and nowhere.stdout == ""

    answer = Answer("Відповідь.", [], [], "extractive", "quotes", "uk", True, "q", "")
    turn = Conversations(library).add_turn(None, "Питання?", answer)
    for fmt in ("md", "html"):
        conv = tmp_path / f"conversation.{fmt}"
        conv.write_text("old")
        os.chmod(conv, 0o644)  # written over: private all the same
        r = CliRunner().invoke(app, ["conversations", "export", turn.conversation_id, "--format", fmt, "-o", str(conv)])
        assert r.exit_code == 0, r.output
        assert _mode(conv) == 0o600 and "Питання?" in conv.read_text(encoding="utf-8")


def test_a_digest_export_and_its_pictures_are_0600(permissive_umask, tmp_path):
    pic = tmp_path / "p.png"
    pic.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    story = DigestStory(7, "Story", "story", None, "https://x/s", "Lead.", "lead", "en",
                        DigestPicture("https://x/p.png", "a chart", str(pic)))
    md = write_markdown(Digest(901, None, "Issue 901", "https://x/", [story]), tmp_path / "out" / "digest.md")
    assert _mode(md) == 0o600 and _mode(tmp_path / "out" / "digest_files" / "7.png") == 0o600
    assert _mode(tmp_path / "out" / "digest_files") == 0o700


def test_a_digest_written_by_the_command_line_is_0600(library, permissive_umask, tmp_path):
    for fmt in ("html", "json", "md"):
        out = tmp_path / f"digest.{fmt}"
        r = CliRunner().invoke(app, ["digest", "--issue", "901", "--format", fmt, "--out", str(out)])
        assert r.exit_code == 0, r.output
        assert _mode(out) == 0o600, fmt
