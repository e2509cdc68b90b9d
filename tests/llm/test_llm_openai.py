"""The `openai` backend against a real OpenAI-compatible server: llama-cpp-python's own, on 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx
import pytest

from batchrag.domain.types import Message
from batchrag.llm.base import LLMError
from batchrag.llm.registry import create_backend, get_backend
from batchrag.settings import Settings
from tests.support.net import closed_port_url, free_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    pytest.importorskip("llama_cpp.server.app", reason="llama-cpp-python[server] is not installed")
    from batchrag.llm.embedded import packaged_model_path

    model = packaged_model_path()
    if model is None:
        pytest.skip("the packaged demo GGUF is not installed")
    port = free_port()
    log = (tmp_path_factory.mktemp("llama-server") / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", "gemma-demo",
         "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "2",
         "--chat_format", "gemma", "--api_key", "sekret"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/models", headers={"Authorization": "Bearer sekret"}, timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            pytest.fail(f"llama_cpp.server exited with {proc.returncode}")
        time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("llama_cpp.server did not start within 120 s")
    yield url
    proc.terminate()
    proc.wait(10)
    log.close()


def _settings(url: str | None, **kw) -> Settings:
    return Settings(openai_base_url=url, openai_model="gemma-demo", openai_api_key="sekret", llm_ctx=2048,
                    ollama_host=closed_port_url(), **kw)


def test_streams_a_real_answer(llama_server):
    b = create_backend("openai", _settings(llama_server))
    assert b.health().ok and "gemma-demo" in b.health().detail
    pieces = list(b.generate([Message("user", "Say hello in one word.")], max_tokens=8, temperature=0.0))
    assert len(pieces) >= 1 and "".join(pieces).strip()


def test_auto_prefers_the_configured_server(llama_server):
    b = get_backend(_settings(llama_server))
    assert b.name == "openai" and b.fallback_reason is None


def test_a_wrong_key_is_one_clear_line(llama_server):
    s = _settings(llama_server).with_changes(**{"openai_api_key": "wrong"})
    b = create_backend("openai", s)
    assert not b.health().ok and "API key" in b.health().detail
    with pytest.raises(LLMError, match="HTTP 401") as ei:
        list(b.generate([Message("user", "hi")], max_tokens=4))
    assert "\n" not in str(ei.value)


def test_down_or_unset_server_falls_back_with_the_reason():
    gone = closed_port_url() + "/v1"
    with pytest.raises(LLMError, match="not reachable"):
        list(create_backend("openai", _settings(gone)).generate([Message("user", "hi")], max_tokens=4))
    b = get_backend(_settings(gone, gguf_path="/no/such/model.gguf"))
    assert b.name == "extractive" and "openai: OpenAI-compatible server not reachable" in b.fallback_reason
    assert not create_backend("openai", _settings(None)).health().ok
    assert "openai" not in (get_backend(_settings(None, gguf_path="/no/such.gguf")).fallback_reason or "")
