"""GGUF downloads from the Hugging Face Hub: metadata through huggingface_hub, a ranged GET that resumes a kept
`.part` file across runs, then size and sha256 checked against the hub (docs/models.md)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from batchrag.domain.errors import BatchragError
from batchrag.models.local_models import LocalModel, within
from batchrag.models.presets import Preset
from batchrag.settings import HttpSettings, ModelsSettings, StoreSettings
from batchrag.store.files import private_dir

Progress = Callable[[int, int], None]  # (bytes done, bytes in all)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class DownloadError(BatchragError):
    """A download that could not finish or did not verify; a partial file is kept only when it can resume."""


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def part_path(dest: Path, filename: str) -> Path:
    """Where the bytes of an unfinished download are kept until it completes."""
    return dest / f".{Path(filename).name}.part"


def remote_file(preset: Preset, models: ModelsSettings) -> tuple[int, str, str]:
    """(size in bytes, sha256, URL to GET) of the preset's file, from the hub's metadata (HEAD, redirects)."""
    # Imported here: huggingface_hub costs start-up: only for a download.
    from huggingface_hub import get_hf_file_metadata, hf_hub_url

    url = hf_hub_url(preset.repo, preset.filename, endpoint=models.hf_endpoint)
    try:
        meta = get_hf_file_metadata(url, token=models.hf_token or False, endpoint=models.hf_endpoint)
    except Exception as e:  # connection refused, DNS, 404, 401: all one line for the reader
        raise DownloadError(_hub_error(e, preset, models)) from e
    if not meta.size:
        raise DownloadError(f"the hub gave no size for {preset.repo}/{preset.filename}")
    return int(meta.size), (meta.etag or "").strip('"').lower(), meta.location or url


def _hub_error(e: BaseException, preset: Preset, models: ModelsSettings) -> str:
    # Imported here: huggingface_hub costs start-up: only for a download.
    from huggingface_hub.errors import EntryNotFoundError, GatedRepoError, RepositoryNotFoundError

    where = f"{preset.repo}/{preset.filename}"
    if isinstance(e, GatedRepoError):
        return f"{preset.repo} is gated: accept its licence on the hub and set HF_TOKEN"
    if isinstance(e, EntryNotFoundError):
        return f"no file {preset.filename} in {preset.repo} on {models.hf_endpoint}"
    if isinstance(e, RepositoryNotFoundError):
        return f"no repository {preset.repo} on {models.hf_endpoint}"
    return f"cannot download {where} from {models.hf_endpoint}: {_first_line(e)}"


def _fetch(url: str, part: Path, name: str, size: int, models: ModelsSettings, http: HttpSettings, progress: Progress | None) -> None:
    """Append the missing bytes of `url` to `part` (Range: bytes=<have>-), retrying a broken stream a few times."""
    # Imported here: huggingface_hub costs start-up: only for a download.
    from huggingface_hub.utils import build_hf_headers

    headers = build_hf_headers(token=models.hf_token or False)
    headers["Accept-Encoding"] = "identity"
    timeout = httpx.Timeout(http.request_timeout_s, connect=http.connect_timeout_s)
    for attempt in range(http.max_retries + 1):
        have = part.stat().st_size if part.exists() else 0
        if have >= size:
            return
        try:
            with httpx.stream(
                "GET", url, headers=headers | {"Range": f"bytes={have}-"}, timeout=timeout, follow_redirects=True
            ) as r:
                if r.status_code in (429, 500, 502, 503, 504):
                    raise OSError(f"HTTP {r.status_code}")  # the hub is busy or away for a moment: retried
                if r.status_code not in (200, 206):
                    raise DownloadError(f"the hub answered HTTP {r.status_code} for {name}")
                mode = "ab" if r.status_code == 206 else "wb"  # 200: the server ignored the range, start over
                done = have if mode == "ab" else 0
                with part.open(mode) as f:
                    for chunk in r.iter_bytes(1 << 20):
                        f.write(chunk)
                        done += len(chunk)
                        if progress is not None:
                            progress(done, size)
            if part.stat().st_size >= size:
                return
        except (httpx.TransportError, OSError) as e:
            if attempt == http.max_retries:
                raise DownloadError(f"the download broke off ({_first_line(e)})") from e
        time.sleep(min(http.backoff_base_s * 2**attempt, 10.0))
    raise DownloadError(f"the download of {name} broke off {http.max_retries + 1} times")


def download(preset: Preset, models: ModelsSettings, http: HttpSettings, store: StoreSettings,
             progress: Progress | None = None) -> LocalModel:
    """Download the preset's GGUF into data/models/ (resuming a kept partial file) and verify it against the hub.

    models: the hub and its token; http: the timeouts and retries the crawler's downloads use too; store: the data
    folder the file lands in."""
    dest = store.models_dir
    final = within(dest, preset.filename)  # before any byte is fetched or any folder made: OutsideModels
    private_dir(store.data_dir)  # a pull may be the first thing to make data/: 0700, as the store makes it
    dest.mkdir(parents=True, exist_ok=True)
    size, sha, url = remote_file(preset, models)
    part = part_path(dest, preset.filename)
    if final.is_file() and final.stat().st_size == size and (not _SHA256.match(sha) or sha256_of(final) == sha):
        return LocalModel(preset.role, preset.filename, preset.name, sha256_of(final), size)
    have = part.stat().st_size if part.exists() else 0
    free = shutil.disk_usage(dest).free
    if size - have > free:
        raise DownloadError(
            f"not enough disk space in {dest}: {preset.filename} needs {(size - have) / 1e9:.1f} GB, "
            f"{free / 1e9:.1f} GB free"
        )
    try:
        _fetch(url, part, preset.filename, size, models, http, progress)
    except DownloadError as e:  # the partial file stays: the next pull resumes it
        raise DownloadError(f"{preset.repo}/{preset.filename}: {e} — run the pull again to resume") from e
    got_size = part.stat().st_size
    if got_size != size:
        part.unlink(missing_ok=True)
        raise DownloadError(f"{preset.filename}: {got_size} bytes, the hub says {size}; the file was removed")
    got = sha256_of(part)
    if _SHA256.match(sha) and got != sha:
        part.unlink(missing_ok=True)
        raise DownloadError(
            f"{preset.filename}: sha256 {got[:12]}… does not match the hub's {sha[:12]}…; the file was removed"
        )
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(part, final)
    return LocalModel(preset.role, preset.filename, preset.name, got, got_size)
