"""The page's notice when no capable model answers, and the download button that gets one (loopback hub)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from batchrag.llm.embedded import packaged_model_path
from batchrag.service.llm_status import model_status
from batchrag.settings import get_settings
from batchrag.ui.model_banner import _puller
from batchrag.ui.page import APP_PATH
from tests.support.hub_wire import FakeHub, HubFile
from tests.support.net import closed_port_url


def test_the_page_says_at_the_top_that_no_model_can_answer_and_one_button_gets_one(monkeypatch):
    gguf = packaged_model_path()
    if gguf is None:
        pytest.skip("the packaged GGUF (llm extra) is not installed")
    hub = FakeHub(files={"bartowski/google_gemma-3-4b-it-GGUF/google_gemma-3-4b-it-Q4_K_M.gguf": HubFile(gguf)})
    hub.start()
    try:
        monkeypatch.setenv("OLLAMA_HOST", closed_port_url())
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        get_settings.cache_clear()
        at = AppTest.from_file(str(APP_PATH), default_timeout=60).run()
        assert not at.exception
        # `auto` passes the demo model over: the quotes answer, and the page says so with the way to a model.
        assert any("дослівні цитати" in i.value and "batchrag model pull" in i.value for i in at.info)
        labels = [b.label for b in at.button if b.key and b.key.startswith("pull_")]
        assert labels[0].startswith("Завантажити Qwen2.5 1.5B Instruct (1.1 ГБ)")  # the small rewriter first
        assert labels[1].startswith("Завантажити Gemma 3 4B Instruct (2.5 ГБ)") and "відповіді" in labels[1]

        at.button(key="pull_gemma-3-4b").click().run()
        s = get_settings()
        puller = _puller(str(s.store.data_dir), s)
        puller.join(120)
        assert puller.state().result.model == "google_gemma-3-4b-it-Q4_K_M.gguf"
        at.run()  # the progress fragment sees the end, drops the cached status and reruns the page
        at.run()
        assert not at.exception
        assert not any("дослівні цитати" in i.value for i in at.info)
        assert model_status(s).model == "google_gemma-3-4b-it-Q4_K_M.gguf"
    finally:
        hub.stop()
