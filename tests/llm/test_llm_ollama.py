"""Ollama backend against a real HTTP server speaking Ollama's wire format."""

from __future__ import annotations

import time

import pytest

from batchrag.domain.errors import UnknownComponent
from batchrag.domain.types import Message
from batchrag.llm.base import LLMError
from batchrag.llm.ollama import OllamaBackend
from batchrag.llm.registry import get_backend
from batchrag.settings import Settings
from tests.support.net import closed_port_url
from tests.support.ollama_wire import Reply

MSGS = [Message("system", "Відповідай українською."), Message("user", "Що таке Llama 3?")]


def test_streams_pieces_and_sends_documented_body(ollama):
    ollama.replies.append(Reply(["Llama 3 — ", "модель Meta ", "[1]."]))
    b = OllamaBackend(Settings(llm_ctx=4096).llm)
    assert b.health().ok
    pieces = list(b.generate(MSGS, max_tokens=100, temperature=0.1))
    assert pieces == ["Llama 3 — ", "модель Meta ", "[1]."]
    body = ollama.chat_requests()[0]
    assert body["model"] == "llama3.1:8b" and body["stream"] is True
    assert body["options"] == {"num_ctx": 4096, "temperature": 0.1, "num_predict": 100}
    assert body["messages"][0] == {"role": "system", "content": "Відповідай українською."}


def test_server_down_gives_one_clear_line():
    url = closed_port_url()
    b = OllamaBackend(Settings(ollama_host=url).llm)
    st = b.health()
    assert not st.ok and st.detail == f"Ollama is not reachable at {url} — start it with `ollama serve`"
    with pytest.raises(LLMError, match="not reachable.*ollama serve"):
        list(b.generate(MSGS))


def test_model_not_pulled(ollama):
    ollama.models = ["qwen2.5:7b"]
    b = OllamaBackend(Settings().llm)
    st = b.health()
    assert not st.ok and st.detail == "model llama3.1:8b is not pulled — run `ollama pull llama3.1:8b`"
    with pytest.raises(LLMError, match="ollama pull llama3.1:8b"):
        list(b.generate(MSGS))


def test_stream_cut_keeps_partial_text(ollama):
    ollama.replies.append(Reply(["Перша частина ", "відповіді"], cut=True))
    b = OllamaBackend(Settings().llm)
    got = []
    with pytest.raises(LLMError, match="ended before") as ei:
        for p in b.generate(MSGS):
            got.append(p)
    assert ei.value.partial == "Перша частина відповіді" == "".join(got)


def test_slow_first_token_times_out(ollama):
    ollama.replies.append(Reply(["пізно"], first_delay_s=3.0))
    b = OllamaBackend(Settings(ollama_timeout_s=0.5).llm)
    t = time.monotonic()
    with pytest.raises(LLMError, match="timed out after 0.5 s"):
        list(b.generate(MSGS))
    assert time.monotonic() - t < 2.5


def test_prompt_too_long_is_refused_before_sending(ollama):
    b = OllamaBackend(Settings(llm_ctx=512).llm)
    with pytest.raises(LLMError, match="too long for the context window"):
        list(b.generate([Message("user", "слово " * 2000)], max_tokens=100))
    assert ollama.chat_requests() == []


def test_auto_picks_ollama_when_it_has_the_model(ollama):
    b = get_backend(Settings())
    assert b.name == "ollama" and b.model == "llama3.1:8b"


def test_auto_falls_back_to_a_users_gguf_when_down():
    pytest.importorskip("llama_cpp")
    from batchrag.llm.embedded import packaged_model_path

    b = get_backend(Settings(ollama_host=closed_port_url(), gguf_path=str(packaged_model_path())))
    assert b.name == "embedded" and not b.is_demo_model and b.writes_answers


def test_auto_never_answers_with_the_demo_model():
    # Its every answer is gated (docs/decisions/0016): quotes at once instead of quotes after seconds of waiting.
    pytest.importorskip("llama_cpp")
    b = get_backend(Settings(ollama_host=closed_port_url()))
    assert b.name == "extractive" and b.quotes_only
    assert "embedded: only the packaged demo model" in b.fallback_reason and "ollama: " in b.fallback_reason
    demo = get_backend(Settings(ollama_host=closed_port_url(), llm_backend="embedded"))  # by name it still answers
    assert demo.name == "embedded" and demo.is_demo_model


def test_auto_falls_back_to_extractive_when_nothing_runs(tmp_path):
    s = Settings(ollama_host=closed_port_url(), gguf_path=str(tmp_path / "missing.gguf"))
    assert get_backend(s).name == "extractive"


def test_unknown_backend_name():
    with pytest.raises(UnknownComponent, match="unknown LLM backend 'gpt5'; choose one of: auto, ollama"):
        get_backend(Settings(llm_backend="gpt5"))


def test_a_picture_goes_base64_in_images_and_show_says_whether_the_model_sees(ollama):
    import base64

    ollama.models += ["gemma3:4b", "llava:7b"]
    ollama.capabilities = {"gemma3:4b": ["completion", "vision"], "llama3.1:8b": ["completion", "tools"]}
    ollama.default = Reply(["Діаграма [1]."])
    s = Settings()
    assert not OllamaBackend(s.llm).sees_images  # llama3.1:8b lists no "vision"
    b = OllamaBackend(s.with_changes(**{"ollama_model": "gemma3:4b"}).llm)
    assert b.sees_images and b.sees_images
    assert [p for p, _ in ollama.requests].count("/api/show") == 2  # asked once per backend, then remembered
    text = "".join(b.generate([Message("system", "s"), Message("user", "u", (b"\xff\xd8one",))]))
    assert text == "Діаграма [1]."
    system, user = ollama.chat_requests()[-1]["messages"]
    assert "images" not in system and [base64.b64decode(i) for i in user["images"]] == [b"\xff\xd8one"]
    # An Ollama too old to list capabilities: a known vision tag sees, another model does not.
    assert OllamaBackend(s.with_changes(**{"ollama_model": "llava:7b"}).llm).sees_images
    assert not OllamaBackend(s.with_changes(**{"ollama_model": "nomodel"}).llm).sees_images
