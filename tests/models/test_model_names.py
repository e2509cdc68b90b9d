"""Model names from a request or the command line: one strict parser (models/presets.py), and the destination checked
to stay inside data/models before a byte is fetched. A hostile name writes nothing and registers nothing."""

from __future__ import annotations

import os

import pytest
from typer.testing import CliRunner

from batchrag.cli import app
from batchrag.models import hub, local_models
from batchrag.models.local_models import LocalModel, OutsideModels, within
from batchrag.models.presets import Preset, UnknownModel, check_name, parse_hub, resolve
from batchrag.settings import Settings, get_settings
from tests.support.hub_wire import FakeHub, HubFile
from tests.support.net import closed_port_url
from tests.support.tree import files_outside

HOSTILE = [
    "hf:a/b/../../../x/pwn.gguf",
    "hf:a/b/../../x.gguf",
    "hf:a/b/../x.gguf",
    "hf:a/b/sub/../../x.gguf",
    "hf:a/b/..",
    "hf:/a/b.gguf",
    "hf:a/b//etc/x.gguf",
    "hf:a//b/x.gguf",
    "hf:/etc/x.gguf",
    "hf:a/b/%2e%2e/%2e%2e/x.gguf",
    "hf:a/b/..\\..\\x.gguf",
    "hf:a\\b/c/x.gguf",
    "hf:a/b/x\x00.gguf",
    "hf:a/b/x\n.gguf",
    "hf:../b/x.gguf",
    "hf:a/../x.gguf",
    "hf:./b/x.gguf",
    "hf:a/./x.gguf",
    "hf:a/b/./x.gguf",
    "hf:a/b/.hidden.gguf",
    "hf:a/b/.gguf",
    "hf:a/b/x.bin",
    "hf:a/b",
    "hf:a/b/",
    "hf:a--b/c/x.gguf",
    "hf:~/b/x.gguf",
    "hf:a/b/x y.gguf",
    "hf:" + "a/" * 200 + "x.gguf",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_hub_name_is_refused_in_one_line(name):
    for parse in (parse_hub, check_name, resolve):
        with pytest.raises(UnknownModel) as e:
            parse(name)
        text = str(e.value)
        assert "\n" not in text and "\x00" not in text and len(text) < 200, text


@pytest.mark.parametrize("name", ["/etc/x.gguf", "../x.gguf", "..", "rm -rf /", "a/../b", "x\x00", "", "a\\b", ":8b"])
def test_a_name_that_is_no_preset_hub_file_or_ollama_tag_is_refused(name):
    with pytest.raises(UnknownModel, match="bad model name"):
        check_name(name)


def test_the_hub_forms_that_exist_are_read_into_repo_and_file():
    assert parse_hub("hf:bartowski/google_gemma-3-4b-it-GGUF/google_gemma-3-4b-it-Q4_K_M.gguf") == (
        "bartowski/google_gemma-3-4b-it-GGUF", "google_gemma-3-4b-it-Q4_K_M.gguf")
    # The hub keeps files in subfolders (a quantisation per folder): allowed, each segment as strict as a file name.
    assert parse_hub("hf:unsloth/Qwen3-8B-GGUF/UD-Q4_K_XL/Qwen3-8B-UD-Q4_K_XL.gguf") == (
        "unsloth/Qwen3-8B-GGUF", "UD-Q4_K_XL/Qwen3-8B-UD-Q4_K_XL.gguf")
    assert resolve("hf:Qwen/Qwen2.5-1.5B-Instruct-GGUF/q.gguf", "rewrite").role == "rewrite"
    for name in ("gemma-3-4b", "llama3.1:8b", "qwen2.5:1.5b", "hf.co/acme/x-GGUF:Q4_K_M", "library/gemma3"):
        assert check_name(name) == name


def test_the_destination_is_checked_inside_the_models_folder(tmp_path):
    models = tmp_path / "data" / "models"
    assert within(models, "sub/x.gguf") == models / "sub" / "x.gguf"
    for bad in ("../x.gguf", "../../x.gguf", "sub/../../x.gguf", "/etc/x.gguf", str(tmp_path / "x.gguf"), "a\\b.gguf",
                ".", ""):
        with pytest.raises(OutsideModels):
            within(models, bad)
    models.mkdir(parents=True)
    (models / "link").symlink_to(tmp_path)  # a folder inside that leads outside
    with pytest.raises(OutsideModels):
        within(models, "link/x.gguf")


def test_a_preset_made_by_hand_still_downloads_nothing_outside(tmp_path):
    """The second lock: a Preset that never went through the parser, its file leading out of data/models."""
    evil = tmp_path / "evil.gguf"
    evil.write_bytes(b"GGUF" + os.urandom(64))
    srv = FakeHub(files={"a/b/../../x/pwn.gguf": HubFile(evil)}).start()
    try:
        data = tmp_path / "root" / "data"
        s = Settings(data_dir=data, hf_endpoint=srv.url)
        with pytest.raises(OutsideModels, match="outside"):
            hub.download(Preset("x", "answer", "x", "a/b", "../../x/pwn.gguf", 0.0), s.models, s.http, s.store)
        assert srv.requests == [] and files_outside(tmp_path / "root", data) == []
    finally:
        srv.stop()


def test_a_manifest_entry_leading_out_serves_nothing(tmp_path):
    s = Settings(data_dir=tmp_path / "data")
    (tmp_path / "x.gguf").write_bytes(b"GGUF")
    s.store.models_dir.mkdir(parents=True)
    (s.store.models_dir / local_models.MANIFEST).write_text(
        '{"answer": {"role": "answer", "file": "../../x.gguf", "source": "x", "sha256": "", "size": 4}}')
    assert local_models.load(s.store.models_dir) == {} and local_models.for_role(s.store.models_dir, "answer") is None
    with pytest.raises(OutsideModels):
        LocalModel("answer", "../../x.gguf", "x", "", 4).path(s.store.models_dir)


def test_the_command_line_refuses_a_hostile_pull_in_one_line_and_writes_nothing(tmp_path, monkeypatch):
    evil = tmp_path / "evil.gguf"
    evil.write_bytes(b"GGUF" + os.urandom(64))
    # The hub would serve the file: only the parser and the path check stand between the name and the disk.
    srv = FakeHub(files={"a/b/../../../x/pwn.gguf": HubFile(evil)}).start()
    try:
        data = tmp_path / "root" / "data"
        monkeypatch.setenv("BATCHRAG_DATA_DIR", str(data))
        monkeypatch.setenv("HF_ENDPOINT", srv.url)
        monkeypatch.setenv("OLLAMA_HOST", closed_port_url())
        get_settings.cache_clear()
        for name in ("hf:a/b/../../../x/pwn.gguf", "hf:/etc/x.gguf", "hf:a/b/..\\x.gguf", "/etc/x.gguf"):
            for via in ("auto", "hub"):
                r = CliRunner().invoke(app, ["model", "pull", name, "--via", via])
                assert r.exit_code == 1, r.output
                assert r.stdout == "" and len(r.stderr.strip().splitlines()) == 1, r.stderr
                assert r.stderr.startswith("error: ") and ("not a hub file" in r.stderr or "bad model name" in r.stderr)
        assert srv.requests == []
        assert files_outside(tmp_path / "root", data) == [] and not (data / "models").exists()
    finally:
        srv.stop()
