"""POST /models/pull on a real API (uvicorn on loopback): a hostile model name is a 400 with one line, and nothing is
fetched, written or registered; a hub file in a subfolder lands inside data/models."""

from __future__ import annotations

import os
import time

import httpx
import pytest

from batchrag.service.keys import Keys
from batchrag.settings import Settings
from tests.support.hub_wire import FakeHub, HubFile
from tests.support.net import closed_port_url
from tests.support.tree import files_outside

HOSTILE = ["hf:a/b/../../../x/pwn.gguf", "hf:a/b/../../x.gguf", "hf:/a/b.gguf", "hf:/etc/x.gguf", "/etc/x.gguf",
           "hf:a/b/..\\..\\x.gguf", "hf:a/b/x\x00.gguf", "hf:a/b/%2e%2e/%2e%2e/x.gguf", "../../x.gguf"]


@pytest.fixture
def pull_api(tmp_path):
    from batchrag.api import create_app
    from tests.support.live_api import serve_app

    gguf = tmp_path / "files" / "tiny.gguf"
    gguf.parent.mkdir()
    gguf.write_bytes(b"GGUF" + os.urandom(4096))
    hub = FakeHub(files={f"a/b/{n[len('hf:a/b/'):]}": HubFile(gguf) for n in HOSTILE if n.startswith("hf:a/b/")}
                  | {"acme/tiny-GGUF/Q4/tiny.gguf": HubFile(gguf)}).start()
    root = tmp_path / "root"
    s = Settings(data_dir=root / "data", hf_endpoint=hub.url, ollama_host=closed_port_url(), llm_backend="extractive",
                 rewrite="off")
    admin = Keys(s).create("ops", "admin")
    try:
        with serve_app(create_app(s)) as url:
            yield s, root, hub, url, {"Authorization": f"Bearer {admin}"}
    finally:
        hub.stop()


def test_a_hostile_model_name_is_a_400_and_nothing_is_written(pull_api):
    s, root, hub, url, admin = pull_api
    for name in HOSTILE:
        r = httpx.post(f"{url}/models/pull", json={"model": name}, headers=admin)
        assert r.status_code == 400, (name, r.text)
        error = r.json()["error"]
        assert "\n" not in error and ("not a hub file" in error or "bad model name" in error), error
    assert httpx.get(f"{url}/models/pull", headers=admin).json()["running"] is False
    assert hub.requests == [] and files_outside(root, s.store.data_dir) == []
    assert not s.store.models_dir.exists()  # nothing fetched, nothing registered


def test_a_hub_file_in_a_subfolder_lands_inside_the_models_folder(pull_api):
    s, root, _, url, admin = pull_api
    r = httpx.post(f"{url}/models/pull", json={"model": "hf:acme/tiny-GGUF/Q4/tiny.gguf"}, headers=admin)
    assert r.status_code == 202, r.text
    deadline = time.time() + 30
    while (st := httpx.get(f"{url}/models/pull", headers=admin).json())["running"]:
        assert time.time() < deadline
        time.sleep(0.1)
    assert st["error"] is None, st
    assert st["result"]["path"] == str(s.store.models_dir / "Q4" / "tiny.gguf")
    assert (s.store.models_dir / "Q4" / "tiny.gguf").is_file() and files_outside(root, s.store.data_dir) == []
