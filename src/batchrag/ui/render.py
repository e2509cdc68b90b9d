"""Pure rendering helpers: safe Markdown, [n] citation links, source cards, which images may be shown."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit

from batchrag.domain.types import Answer, ImageHit, Source
from batchrag.service.wording import (  # noqa: F401  (the page's wording, re-exported for its views)
    DEMO_NOTE,
    articles_uk,
    citation_spans,
    is_demo_answer,
    noun_uk,
    parse_citations,
    picture_note,
    reader_notes,
    warning_note,
)
from batchrag.ui.highlight import sentences, used_sentences

# Characters that would let scraped or generated text become links, images, HTML, LaTeX or colour directives.
_MD_SPECIAL = re.compile(r"([\\\[\]<>$`|])")



def escape_md(text: str) -> str:
    """Escape Markdown that could turn text from the site or the model into active content."""
    return _MD_SPECIAL.sub(r"\\\1", text or "")


def anchor_id(turn: int, n: int) -> str:
    """HTML id of source card n of answer `turn` (unique per page, so [n] links jump to the right card)."""
    return f"a{turn}-src-{n}"


def cited_numbers(text: str) -> list[int]:
    """Every citation number written in the text, in order of first appearance (the answer stage's grammar)."""
    return parse_citations(text or "")


def link_citations(text: str, valid: set[int], turn: int) -> str:
    """Escaped Markdown of the answer with each valid [n] linked to its card; unknown numbers stay plain text."""
    text = text or ""
    out: list[str] = []
    pos = 0
    for start, end, nums in citation_spans(text):
        out.append(escape_md(text[pos:start]))
        if all(n in valid for n in nums):
            out.append("".join(f"[\\[{n}\\]](#{anchor_id(turn, n)})" for n in nums))
        else:
            out.append(escape_md(text[start:end]))
        pos = end
    out.append(escape_md(text[pos:]))
    # Markdown joins single newlines into one paragraph: keep the model's (and the quotes') line breaks.
    return "".join(out).replace("\n", "  \n")


@dataclass
class SourceCard:
    """What one source card shows, already escaped for Markdown."""

    n: int
    anchor: str
    heading: str
    meta: str
    url: str
    passage: str
    relevance: str  # «схожість із запитанням: …» (docs/decisions/0012-readable-relevance.md), or ""


def source_cards(answer: Answer, turn: int, cited_only: bool = True,
                 passages: dict[int, str] | None = None) -> list[SourceCard]:
    """Cards for the sources the answer cites (all of them when it cites none, e.g. LLM down); a source's whole
    passage, when given, is shown with the sentences the answer used marked, else its snippet."""
    chosen = [s for s in answer.sources if s.cited] if cited_only else list(answer.sources)
    if not chosen:
        chosen = list(answer.sources)
    return [_card(s, turn, marked_passage((passages or {}).get(s.n, ""), answer.answer, s.n)) for s in chosen]


def _card(s: Source, turn: int, passage: str = "") -> SourceCard:
    meta = []
    if s.issue is not None:
        meta.append(f"випуск №{s.issue}")
    if s.date:
        meta.append(s.date.strftime("%d.%m.%Y"))
    return SourceCard(
        n=s.n,
        anchor=anchor_id(turn, s.n),
        heading=f"\\[{s.n}\\] {escape_md(s.title)}",
        meta=" · ".join(meta),
        url=s.url if is_web_url(s.url) else "",
        passage=passage or escape_md(_shorten(s.snippet, 600)),
        relevance=s.relevance,
    )


PASSAGE_CHARS = 1200  # a card shows at most this much of a passage, around the sentences used
MARK = "<mark>{}</mark>"  # drawn with unsafe_allow_html: everything inside is escaped, so no other tag gets through


def marked_passage(passage: str, answer: str, n: int, limit: int = PASSAGE_CHARS) -> str:
    """The passage as one line of escaped Markdown, the sentences the answer used for [n] in <mark>; a long one is
    cut to about `limit` characters around them, from a sentence before the first one used ("" for no passage)."""
    sents = sentences(passage)
    if not sents:
        return ""
    used = used_sentences(passage, answer, n)
    first = max(min(used) - 1, 0) if used else 0
    last, size = first, len(sents[first])
    while last + 1 < len(sents) and size + 1 + len(sents[last + 1]) <= limit:
        last += 1
        size += 1 + len(sents[last])
    while first > 0 and size + 1 + len(sents[first - 1]) <= limit:  # room left: the passage's start too
        first -= 1
        size += 1 + len(sents[first])
    parts = [MARK.format(escape_md(t)) if i in used else escape_md(t) for i, t in enumerate(sents)]
    return ("… " if first else "") + " ".join(parts[first:last + 1]) + (" …" if last < len(sents) - 1 else "")


def _shorten(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def is_web_url(url: str) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@dataclass
class ImageView:
    """An image the page may show: a local file, or a URL on one of the site's own hosts."""

    src: str  # a filesystem path or an https URL
    caption: str  # escaped Markdown
    article_url: str
    article_title: str
    is_local: bool


MACHINE_LABEL = "опис згенеровано моделлю"


def image_view(
    img: ImageHit, images_dir: Path, image_hosts: list[str], online: Callable[[str], bool] | None = None
) -> ImageView | None:
    """Where to show a picture from; None when neither a stored file nor an allowed host is available.

    `online(url)` says whether a URL can load now; without a file, a picture whose host is offline is left out
    (an archive built from saved pages has the URLs, not the files), rather than shown broken.
    """
    caption = escape_md((img.caption or img.alt or img.article_title or "").strip())
    if img.machine_caption:
        # A vision model's words are labelled as such: the reader must not take them for the newsletter's.
        machine = f"_{MACHINE_LABEL}: {escape_md(img.machine_caption)}_"
        caption = " · ".join(x for x in (caption, machine) if x)
    common = dict(caption=caption, article_url=img.article_url if is_web_url(img.article_url) else "",
                  article_title=escape_md(img.article_title))
    if img.local_path:
        root = images_dir.resolve()
        path = (root / img.local_path).resolve()
        # A stored path must stay inside images/ (a bad row must not expose other files).
        if path.is_relative_to(root) and path.is_file():
            return ImageView(src=str(path), is_local=True, **common)
    parts = urlsplit(img.url or "")
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and host in {h.lower() for h in image_hosts} and (online is None or online(img.url)):
        return ImageView(src=img.url, is_local=False, **common)
    return None


def left_out_note(n: int) -> str:
    """Why n pictures of an answer are not shown, and the command that fetches their files."""
    return (f"Не показано зображень: {n} — їхніх файлів немає в бібліотеці, а сайт зараз недоступний. "
            "Завантажити їх: `batchrag crawl --images-only` (або «Оновити бібліотеку», коли є мережа).")


# The pipeline's reasons are English one-liners (the CLI prints them); the page says the known ones in Ukrainian.
_SKIP_REASONS = {
    "no rewriting model (Ollama down, only the demo model)": "немає моделі, що перекладає запит: Ollama не працює, "
    "а демо-модель перекладає надто грубо",
    "English question": "запитання англійською",
    "rewriting is off": "переклад вимкнено",
}
def rewrite_label(rewrite: str) -> str:
    """The query-rewrite status in words (with the rewriter, `<kind>:<model>`, when one did)."""
    r = (rewrite or "none").strip()
    if r == "none":
        return "без перекладу запиту"
    if r.startswith("skipped"):
        why = r.partition(":")[2].strip()
        why = _SKIP_REASONS.get(why, why)
        return f"переклад запиту пропущено ({why})" if why else "переклад запиту пропущено"
    return f"запит перекладено ({r})"


def bridge_label(bridge: str) -> str:
    """The lexical bridge's English words as the page names them; "" when the question was searched without them."""
    return f"англійські слова зі словника: «{bridge}»" if bridge else ""


def answer_notes(answer: Answer) -> list[str]:
    """Short lines shown under an answer: backend, demo-model caveat, language flag, warnings."""
    notes = [f"Модель: {answer.backend}" + (f" · {answer.model}" if answer.model else "")]
    if is_demo_answer(answer):
        notes.append(DEMO_NOTE)
    if not answer.language_ok:
        notes.append(f"Увага: відповідь не українською (мова: {answer.language or 'невідома'}).")
    notes.extend(warning_note(w) for w in answer.warnings)
    return notes


EXAMPLE_LABELS = {"text": "Запитання", "image": "Зображення", "english": "English"}


def _day(d) -> str:
    return d.strftime("%d.%m.%Y") if d else "—"


def local_day(t: datetime) -> str:
    """A stored (UTC) time as the reader's local date, dd.mm.yyyy."""
    return t.replace(tzinfo=UTC).astimezone().strftime("%d.%m.%Y")


def iso_day(iso: str | None) -> str:
    """An ISO date as the page writes every date: 04.06.2025 ("—" for none)."""
    return _day(date.fromisoformat(iso[:10])) if iso else "—"


def newest_text(status) -> str:
    """The library's newest issue with its own date, and a newer standalone post's date when there is one (the
    newest article may be a letter published after the newest issue)."""
    if status.newest_issue is None:
        return "Найновіший випуск: —" + (f" (найновіша стаття — {iso_day(status.newest_date)})"
                                          if status.newest_date else "")
    text = f"Найновіший випуск: **№{status.newest_issue}** ({iso_day(status.newest_issue_date)})"
    if status.newest_date and status.newest_issue_date and status.newest_date > status.newest_issue_date:
        text += f", найновіша стаття — {iso_day(status.newest_date)}"
    return text


def overview_text(ov) -> str:
    """What the library holds, in one Markdown paragraph, for the page before its first question."""
    span = f"з {_day(ov.first_date)} до {_day(ov.last_date)}" if ov.first_date else "без дат"
    newest = (f"найновіший випуск — **№{ov.newest_issue}** ({_day(ov.newest_issue_date)})"
              if ov.newest_issue is not None else "номерів випусків немає")
    issues = noun_uk(ov.issues, "випуск", "випуски", "випусків")
    articles = noun_uk(ov.articles, "стаття", "статті", "статей")
    return f"У бібліотеці **{ov.issues}** {issues} The Batch, **{ov.articles}** {articles}, {span}; {newest}."


def example_label(kind: str, question: str) -> str:
    """A button label: the kind of example, then the question (escaped)."""
    return f"{EXAMPLE_LABELS.get(kind, kind)}: {escape_md(question)}"
