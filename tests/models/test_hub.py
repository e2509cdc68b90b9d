"""GGUF downloads from a loopback server speaking the hub's file protocol: resume, sha256, failures."""

from __future__ import annotations

import hashlib

import pytest

from batchrag.llm.embedded import packaged_model_path
from batchrag.models import hub
from batchrag.models.presets import resolve
from batchrag.settings import Settings
from tests.support.hub_wire import FakeHub, HubFile
from tests.support.net import closed_port_url

REPO_FILE = "acme/tiny-GGUF/gemma-3-270m-q4_k_m.gguf"


@pytest.fixture
def gguf():
    p = packaged_model_path()
    if p is None:
        pytest.skip("the packaged GGUF (llm extra) is not installed")
    return p


@pytest.fixture
def fake_hub():
    srv = FakeHub().start()
    yield srv
    srv.stop()


def _parts(s: Settings) -> tuple:
    return s.models, s.http, s.store


def _settings(tmp_path, url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", hf_endpoint=url)


def test_a_download_cut_halfway_resumes_to_the_same_sha256(tmp_path, gguf, fake_hub):
    fake_hub.files[REPO_FILE] = f = HubFile(gguf)
    fake_hub.cut_after, fake_hub.cuts_left = f.size // 2, 1
    seen: list[tuple[int, int]] = []
    m = hub.download(resolve("hf:" + REPO_FILE), *_parts(_settings(tmp_path, fake_hub.url)), lambda d, t: seen.append((d, t)))
    assert (m.sha256, m.size) == (f.sha256, f.size)
    assert hub.sha256_of(tmp_path / "data" / "models" / m.file) == f.sha256
    first, second = fake_hub.ranges()
    assert first == "bytes=0-" and 0 < int(second[6:-1]) <= f.size // 2  # the second GET asked only for the rest
    assert seen[-1] == (f.size, f.size) and all(t == f.size for _, t in seen)


def test_a_pull_cut_off_for_good_resumes_on_the_next_run(tmp_path, gguf, fake_hub):
    fake_hub.files[REPO_FILE] = f = HubFile(gguf)
    s = _settings(tmp_path, fake_hub.url).with_changes(**{"max_retries": 1, "backoff_base_s": 0.01})
    fake_hub.cut_after, fake_hub.cuts_left = f.size // 2, 1

    def hub_goes_away(done, _total):
        if done >= f.size // 4:  # after this GET is cut, every later request gets 503
            fake_hub.down = True

    with pytest.raises(hub.DownloadError) as e:
        hub.download(resolve("hf:" + REPO_FILE), *_parts(s), hub_goes_away)
    assert "\n" not in str(e.value) and "run the pull again to resume" in str(e.value)
    part = hub.part_path(s.store.models_dir, f.path.name)
    assert 0 < part.stat().st_size < f.size and not (s.store.models_dir / f.path.name).exists()

    fake_hub.down = False
    kept = part.stat().st_size
    m = hub.download(resolve("hf:" + REPO_FILE), *_parts(s))
    assert m.sha256 == f.sha256 and fake_hub.ranges()[-1] == f"bytes={kept}-"
    assert not part.exists() and hub.sha256_of(s.store.models_dir / f.path.name) == f.sha256


def test_a_wrong_checksum_is_rejected_and_the_file_removed(tmp_path, fake_hub):
    blob = tmp_path / "x.gguf"
    blob.write_bytes(b"GGUF" + bytes(range(256)) * 4000)
    fake_hub.files["acme/x-GGUF/x.gguf"] = HubFile(blob, sha256=hashlib.sha256(b"something else").hexdigest())
    s = _settings(tmp_path, fake_hub.url)
    with pytest.raises(hub.DownloadError, match="does not match the hub's"):
        hub.download(resolve("hf:acme/x-GGUF/x.gguf"), *_parts(s))
    assert not (s.store.models_dir / "x.gguf").exists() and not hub.part_path(s.store.models_dir, "x.gguf").exists()


def test_no_network_and_a_missing_file_are_one_line_errors(tmp_path, fake_hub):
    with pytest.raises(hub.DownloadError) as e:
        hub.download(resolve("gemma-3-4b"), *_parts(_settings(tmp_path, closed_port_url())))
    assert "cannot download bartowski/google_gemma-3-4b-it-GGUF" in str(e.value) and "\n" not in str(e.value)
    with pytest.raises(hub.DownloadError, match="no file nope.gguf in acme/x-GGUF"):
        hub.download(resolve("hf:acme/x-GGUF/nope.gguf"), *_parts(_settings(tmp_path, fake_hub.url)))
