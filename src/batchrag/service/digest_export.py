"""A digest as a file a reader can mail or keep: Markdown (pictures beside it or inlined) or one HTML page."""

from __future__ import annotations

import base64
import html
import mimetypes
from pathlib import Path

from batchrag.service.digest import Digest, DigestStory
from batchrag.store.files import PRIVATE_DIR, copy_private, write_private_text

SECTION_UK = {"letter": "Лист Ендрю Ина", "story": "Новина", "data-points": "Коротко", "article": "Стаття"}
LEAD_LABEL = "Початок статті англійською (переказу моделлю немає)"


def heading(d: Digest) -> str:
    when = d.date.strftime("%d.%m.%Y") if d.date else ""
    return f"The Batch, випуск {d.issue}" + (f" · {when}" if when else "")


def summary_label(s: DigestStory) -> str:
    return "Переказ українською" if s.summary_kind == "model" else LEAD_LABEL


def data_uri(path: str | Path) -> str:
    p = Path(path)
    mime = mimetypes.guess_type(p.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(p.read_bytes()).decode()}"


def _md_escape(text: str) -> str:
    return text.replace("[", "\\[").replace("]", "\\]").replace("<", "&lt;")


def to_markdown(d: Digest, picture_ref=None) -> str:
    """The digest as Markdown; `picture_ref(story)` gives each picture's reference (default: its file or URL)."""
    ref = picture_ref or (lambda s: s.picture.path or s.picture.url)
    out = [f"# {heading(d)}", "", f"[Випуск на сайті]({d.url})", ""]
    if d.model:
        out += [f"_Перекази написала модель {d.model}._", ""]
    for s in d.stories:
        out += [f"## {_md_escape(s.title)}", "", f"_{SECTION_UK.get(s.section, s.section)}_", ""]
        if s.picture:
            out += [f"![{_md_escape(s.picture.alt)}]({ref(s)})", ""]
        out += [f"**{summary_label(s)}:** {_md_escape(s.summary)}", "", f"[Читати оригінал]({s.url})", ""]
    return "\n".join(out)


def write_markdown(d: Digest, path: Path) -> Path:
    """Write `path` and its pictures into `<stem>_files/` beside it (relative links): a folder that travels whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    files = path.parent / f"{path.stem}_files"
    refs: dict[int, str] = {}
    for s in d.stories:
        if s.picture and s.picture.path:
            files.mkdir(mode=PRIVATE_DIR, exist_ok=True)  # its parent exists: made above
            src = Path(s.picture.path)
            dst = files / f"{s.article_id}{src.suffix}"
            copy_private(src, dst)
            refs[s.article_id] = f"{files.name}/{dst.name}"
    md = to_markdown(d, lambda s: refs.get(s.article_id) or s.picture.url)
    write_private_text(path, md)  # 0600, like every export (store/files.py)
    return path


def inline_markdown(d: Digest) -> str:
    """Markdown with the downloaded pictures inlined as data URIs (one file, for the app's download)."""
    return to_markdown(d, lambda s: data_uri(s.picture.path) if s.picture.path else s.picture.url)


_CSS = """body{font-family:system-ui,sans-serif;max-width:760px;margin:2em auto;padding:0 1em;line-height:1.5;color:#222}
article{border-top:1px solid #ddd;padding:1em 0}img{max-width:100%;height:auto;border-radius:4px}
.kind{color:#777;font-size:.9em}.label{font-weight:600}"""


def to_html(d: Digest) -> str:
    """One self-contained HTML page: downloaded pictures as data URIs (others by their URL), no scripts."""
    e = html.escape
    parts = [
        "<!doctype html>", '<html lang="uk"><head><meta charset="utf-8">', f"<title>{e(heading(d))}</title>",
        f"<style>{_CSS}</style></head><body>", f"<h1>{e(heading(d))}</h1>",
        f'<p><a href="{e(d.url)}">Випуск на сайті</a></p>',
    ]
    if d.model:
        parts.append(f"<p class='kind'>Перекази написала модель {e(d.model)}.</p>")
    for s in d.stories:
        parts.append(f"<article><h2>{e(s.title)}</h2><p class='kind'>{e(SECTION_UK.get(s.section, s.section))}</p>")
        if s.picture:
            src = data_uri(s.picture.path) if s.picture.path else s.picture.url
            parts.append(f'<img src="{e(src)}" alt="{e(s.picture.alt)}">')
        parts.append(f"<p><span class='label'>{e(summary_label(s))}:</span> {e(s.summary)}</p>")
        parts.append(f'<p><a href="{e(s.url)}">Читати оригінал</a></p></article>')
    parts.append("</body></html>")
    return "\n".join(parts)
