"""A conversation (or one answer) as a file to keep: Markdown, or one self-contained HTML page, pictures inlined."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path

from batchrag.domain.types import Answer, ImageHit, Source
from batchrag.service.conversation_types import Conversation, KeptTurn
from batchrag.service.digest_export import data_uri
from batchrag.service.wording import citation_spans, day, reader_notes

FORMATS = ("md", "html")


def when(t: datetime) -> str:
    """A stored (UTC) time as the reader's local dd.mm.yyyy HH:MM."""
    return t.replace(tzinfo=UTC).astimezone().strftime("%d.%m.%Y %H:%M")


def source_line(s: Source) -> str:
    """What follows a source's title: its date, issue, closeness, whether the answer cites it."""
    bits = [day(s.date), f"випуск {s.issue}" if s.issue else "", s.relevance,
            "" if s.cited else "у відповіді не цитується"]
    return " · ".join(b for b in bits if b)


def byline(t: KeptTurn) -> str:
    who = ":".join(x for x in (t.backend, t.model) if x)
    return " · ".join(b for b in (when(t.created_at), f"відповідав {who}" if who else "",
                                  f"шукали: «{t.query}»" if t.query else "", f"id {t.id}") if b)


def _md(text: str) -> str:
    return text.replace("[", "\\[").replace("]", "\\]").replace("<", "&lt;")


def _quote(text: str) -> list[str]:
    return [f"> {line}" if line.strip() else ">" for line in text.strip().splitlines()] or [">"]


def _md_turn(t: KeptTurn) -> list[str]:
    a = t.answer
    out = [f"## {t.position}. {_md(t.question)}", "", f"_{_md(byline(t))}_", "", a.answer.strip(), ""]
    out += [f"_{_md(n)}_" for n in reader_notes(a)] + ([""] if reader_notes(a) else [])
    if a.images:
        out += ["**Зображення**", ""]
        out += [f"- ![{_md(i.alt)}]({i.url}) — [{_md(i.article_title)}]({i.article_url})" for i in a.images] + [""]
    if a.sources:
        out += ["### Джерела", ""]
    for s in a.sources:
        pic = f" (зображення: {s.picture})" if s.picture else ""
        out += [f"**[{s.n}] [{_md(s.title)}]({s.url})**{pic} — {_md(source_line(s))}", "", *_quote(t.passage(s.n)),
                ""]
    return out


def to_markdown(c: Conversation) -> str:
    """The conversation as Markdown: each answer, then its numbered sources (title, date, link) and their passages."""
    head = [f"# {_md(c.title or 'Розмова')}", "",
            f"_Розмова від {when(c.created_at)} · відповідей: {len(c.turns)} · id {c.id}_", ""]
    return "\n".join(head + [line for t in c.turns for line in _md_turn(t)]).rstrip() + "\n"


_CSS = """body{font-family:system-ui,sans-serif;max-width:800px;margin:2em auto;padding:0 1em;line-height:1.5;color:#222}
section{border-top:1px solid #ddd;padding:1em 0}img{max-width:100%;height:auto;border-radius:4px}
.meta{color:#777;font-size:.9em}blockquote{margin:.3em 0 1em;padding-left:1em;border-left:3px solid #ccc;color:#444}
.answer{white-space:pre-wrap}figure{margin:1em 0}"""


def _picture_files(a: Answer, images_dir: Path) -> dict[str, Path]:
    # Only downloaded pictures are shown: a page that fetched one from the web would not be self-contained.
    out = {}
    for i in a.images:
        if i.local_path and (images_dir / i.local_path).is_file():
            out[i.url] = images_dir / i.local_path
    return out


def _linked_answer(t: KeptTurn) -> str:
    """The answer's text escaped, each [n] a link to its source below."""
    text, out, at = t.answer.answer.strip(), [], 0
    for start, end, nums in citation_spans(text):
        links = ", ".join(f'<a href="#t{t.position}-s{n}">{n}</a>' for n in nums)
        out += [html.escape(text[at:start]), f"[{links}]"]
        at = end
    return "".join([*out, html.escape(text[at:])])


def _figure(i: ImageHit, path: Path | None) -> str:
    e = html.escape
    story = f'<a href="{e(i.article_url)}">{e(i.article_title)}</a>'
    if path is None:
        return f'<p class="meta"><a href="{e(i.url)}">Зображення: {e(i.alt or i.url)}</a> — {story}</p>'
    return f'<figure><img src="{data_uri(path)}" alt="{e(i.alt)}"><figcaption>{e(i.alt)} — {story}</figcaption></figure>'


def _html_turn(t: KeptTurn, images_dir: Path) -> list[str]:
    e, a = html.escape, t.answer
    files = _picture_files(a, images_dir)
    parts = [f'<section id="t{t.position}"><h2>{t.position}. {e(t.question)}</h2>',
             f'<p class="meta">{e(byline(t))}</p>', f'<div class="answer">{_linked_answer(t)}</div>']
    parts += [f'<p class="meta">{e(n)}</p>' for n in reader_notes(a)]
    parts += [_figure(i, files.get(i.url)) for i in a.images]
    if a.sources:
        parts.append("<h3>Джерела</h3><ol>")
    for s in a.sources:
        pic = f'<br><img src="{data_uri(files[s.picture])}" alt="">' if s.picture in files else ""
        parts.append(f'<li id="t{t.position}-s{s.n}" value="{s.n}"><a href="{e(s.url)}">{e(s.title)}</a> '
                     f'<span class="meta">{e(source_line(s))}</span>{pic}<blockquote>{e(t.passage(s.n).strip())}'
                     "</blockquote></li>")
    return [*parts, "</ol></section>" if a.sources else "</section>"]


def to_html(c: Conversation, images_dir: Path) -> str:
    """One self-contained HTML page: downloaded pictures as data URIs, the others as links; no scripts."""
    e = html.escape
    title = c.title or "Розмова"
    parts = ["<!doctype html>", '<html lang="uk"><head><meta charset="utf-8">', f"<title>{e(title)}</title>",
             f"<style>{_CSS}</style></head><body>", f"<h1>{e(title)}</h1>",
             f'<p class="meta">Розмова від {when(c.created_at)} · відповідей: {len(c.turns)} · id {e(c.id)}</p>']
    for t in c.turns:
        parts += _html_turn(t, images_dir)
    return "\n".join([*parts, "</body></html>"])


def export(c: Conversation, fmt: str, images_dir: Path) -> str:
    """The conversation in `fmt` (md | html)."""
    return to_html(c, images_dir) if fmt == "html" else to_markdown(c)
