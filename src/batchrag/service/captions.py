"""`batchrag caption`: a vision model describes the downloaded pictures that lack good alt text; kept in the store."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from batchrag.domain.types import JsonMixin
from batchrag.index.records import meaningful_alt
from batchrag.llm.captioners.base import CaptionError, NoCaptioner, clean_caption, prepare_image
from batchrag.llm.captioners.registry import CAPTIONERS
from batchrag.llm.prompts import CAPTION_PROMPT_VERSION
from batchrag.settings import Settings
from batchrag.store import open_store


@dataclass
class CaptionSummary(JsonMixin):
    """What one `caption` run did."""

    model: str
    candidates: int = 0  # pictures on disk that want a caption
    captioned: int = 0
    kept: int = 0  # already captioned by this model and prompt: no request
    failed: dict[str, int] = field(default_factory=dict)  # reason -> pictures left uncaptioned
    seconds: float = 0.0
    no_model: str = ""  # why nothing ran ("" when a model captioned)

    def line(self) -> str:
        if self.no_model:
            return self.no_model
        fails = ", ".join(f"{n} {why}" for why, n in self.failed.items())
        return (f"captions by {self.model}: {self.captioned} new, {self.kept} kept, "
                f"{sum(self.failed.values())} failed{f' ({fails})' if fails else ''} in {self.seconds:.0f} s"
                + ("; run `batchrag index` to search by them" if self.captioned else ""))


def caption_key(sha: str, model: str) -> str:
    return f"caption:{sha}:{model}:{CAPTION_PROMPT_VERSION}"


def caption_pictures(
    settings: Settings,
    *,
    model: str | None = None,
    limit: int | None = None,
    every: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> CaptionSummary:
    """Caption each downloaded picture without a meaningful alt text (`every`: all of them), one at a time, each
    stored as soon as it is written (a killed run resumes where it stopped); a picture whose caption this model
    already wrote is never sent again."""
    t0 = time.monotonic()
    cap = CAPTIONERS.create(model or "auto", settings)
    if cap is None or isinstance(cap, NoCaptioner):
        return CaptionSummary("none", no_model=getattr(cap, "reason", "captions are off (--model none)"))
    store = open_store(settings)
    todo: list[tuple[str, str, int, str]] = []  # (sha, file, article id, story title)
    seen: set[str] = set()
    for a in store.iter_articles():
        for im in a.images:
            f = settings.store.images_dir / (im.local_path or "")
            sha = (im.local_path or "").split(".")[0]
            if not im.local_path or sha in seen or not f.is_file():
                continue
            if not every and meaningful_alt(im.alt):
                continue
            seen.add(sha)
            todo.append((sha, str(f), a.id, a.title))
    out = CaptionSummary(cap.name, candidates=len(todo))
    failed: Counter[str] = Counter()
    for i, (sha, path, article_id, title) in enumerate(todo):
        if limit is not None and out.captioned >= limit:
            break
        key = caption_key(sha, cap.name)
        if store.get_summary(key):
            out.kept += 1
        else:
            try:
                data, mime = prepare_image(Path(path), settings.captions.max_px)
                text, why = clean_caption(cap.describe(data, mime, title))
            except CaptionError as e:
                text, why = None, str(e)
            except OSError as e:  # an unreadable file: counted, the others go on
                text, why = None, f"unreadable picture ({type(e).__name__})"
            if text is None:
                failed[why] += 1
            else:
                store.put_summary(key, text, kind="caption", model=cap.name, prompt_version=CAPTION_PROMPT_VERSION,
                                  article_id=article_id)
                out.captioned += 1
        if progress is not None:
            progress(i + 1, len(todo))
    out.failed = dict(failed)
    out.seconds = round(time.monotonic() - t0, 1)
    return out
