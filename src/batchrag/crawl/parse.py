"""Parse a page of The Batch (HTML with __NEXT_DATA__, or Next.js data JSON) into its letter, stories and images."""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import parse_qs, unquote, urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from batchrag.crawl.site import (
    ARTICLE,
    DATA_POINTS,
    LETTER,
    STORY,
    UNTITLED_LETTER,
    issue_slug_match,
    slugify,
)
from batchrag.types import ImageRef, ParsedArticle, ParsedPage

DEFAULT_BASE = "https://www.deeplearning.ai"

_NEXT_DATA_RE = re.compile(r"<script[^>]*\bid=[\"']__NEXT_DATA__[\"'][^>]*>", re.I)
_CANONICAL_RE = re.compile(r"<link\b[^>]*\brel=[\"']canonical[\"'][^>]*>", re.I)
_HREF_RE = re.compile(r"\bhref=[\"']([^\"']+)[\"']", re.I)
_DEAR_RE = re.compile(r"^\W{0,3}dear friends\b", re.I)
# Sponsor headings: "A MESSAGE FROM DEEPLEARNING.AI", "A MESSAGE FROM WORKERA", "NEW FROM DEEPLEARNING.AI" …
_PROMO_RE = re.compile(
    r"^(a\s*)?(message|word)\s*from\b|^new\s*from\s*deeplearning|^(sponsored|presented)\s+by\b"
    r"|^from\s+our\s+(partner|sponsor)s?\b|^a\s+special\s+offer\b",
    re.I,
)
_DATA_POINTS_RE = re.compile(r"^data\s*points\b", re.I)
_LABEL_LINES = {"news"}  # a heading line that only announces the news section ("News<br>Title" in 2019)
_PROMO_IMG_RE = re.compile(r"ads-and-exclusive-banners", re.I)
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_SKIP_TAGS = {"script", "style", "noscript", "iframe", "audio", "video", "source", "button", "form", "input",
              "svg", "template", "head", "title", "meta", "link", "nav", "select", "textarea"}
_BLOCK_TAGS = {"p", "div", "blockquote", "table", "tbody", "thead", "tfoot", "tr", "td", "th", "section",
               "article", "header", "footer", "aside", "main", "pre", "dl", "dt", "dd", "figcaption",
               "center", "details", "summary", "caption", "address", "body", "html"}
_WS_RE = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ZERO_WIDTH_RE = re.compile(r"[\u200b\ufeff\u2060\u00ad]")
# Text of the ElevenLabs audio player that 2024–2025 issues start with; never content.
_AUDIO_RE = re.compile(r"elevenlabs|audionative", re.I)
_RUN_IN = "\x01"
_RUN_IN_LABEL_RE = re.compile(r":\s*\x01(?=\S)")
_RUN_IN_HEADLINE_RE = re.compile(r"([\w).!?’”])\x01(?=[A-Z“‘\"'])")
_MIN_DATA_POINTS_CHARS = 300  # shorter "Data Points" sections only point to the spin-off newsletter


class PageParseError(ValueError):
    """The content is not a parseable page of The Batch (kept internal: parse_page reports it in .error)."""


@dataclass
class _Block:
    kind: str  # text | image | heading | hr
    text: str = ""
    level: int = 0
    anchor: str = ""
    lines: list[str] = field(default_factory=list)
    image: ImageRef | None = None


@dataclass
class _Section:
    heading: _Block | None
    items: list[_Block] = field(default_factory=list)
    kind: str = STORY  # pre | LETTER | STORY | promo | label | DATA_POINTS

    @property
    def title(self) -> str:
        return _heading_title(self.heading) if self.heading else ""

    def has_text(self) -> bool:
        return any(b.kind == "text" for b in self.items)


# --- entry point -----------------------------------------------------------------------------------------
def parse_page(content: bytes | str, url: str | None = None, base_url: str | None = None) -> ParsedPage:
    """Parse one page (full HTML or Next.js data JSON); never raises for bad content: see .error/.warnings.

    An issue (slug issue-N, issue-i…xvi, issue-119-2) yields its letter (section "letter", URL …#letter),
    one article per news story (heading text as title, URL …#<heading id>) and, when the issue ends with
    real "Data Points" briefs, one article with section "data-points" (a short pointer to the spin-off
    newsletter is dropped). Sponsor sections, label headings ("News", "Boo!"), the audio widget and promo
    banners are dropped. A picture right before a story's heading belongs to that story. Any other post is
    one article (section "letter" when it starts "Dear friends", else "article"). The page URL is the
    canonical link, else https://www.deeplearning.ai/the-batch/<slug>/, else the url given.
    """
    page = ParsedPage(url=url or "", kind="unknown")
    try:
        text = _decode(content)
        data, canonical = _load_next_data(text)
        page.url = canonical or page.url
        post, where = _find_post(data)
        if post is None:
            if where == "listing":
                page.kind = "listing"
                page.error = "a listing page (tag/archive): it lists posts but has no post body to parse"
            else:
                page.error = "no Ghost post (an object with html, title, published_at) in the page data"
            return page
        if where == "page":
            page.error = f"a Ghost static page ({post.get('slug') or '?'}), not a post of The Batch"
            return page
        _fill_page(page, post, canonical, url, base_url or DEFAULT_BASE)
    except PageParseError as exc:
        page.error = str(exc)
    except Exception as exc:  # a parser bug must not stop a whole crawl; it is reported per page
        page.error = f"unexpected parser failure: {type(exc).__name__}: {exc}"
    return page


# --- loading ---------------------------------------------------------------------------------------------
def _decode(content: bytes | str) -> str:
    if isinstance(content, str):
        return content
    if content[:2] == b"\x1f\x8b":
        try:
            content = gzip.decompress(content)
        except (OSError, EOFError) as exc:
            raise PageParseError(f"truncated or corrupt gzip data: {exc}") from exc
    if not content.strip():
        raise PageParseError("empty content")
    return content.decode("utf-8", errors="replace")


def _load_next_data(text: str) -> tuple[object, str | None]:
    """The page's JSON data and its canonical URL (None for a data JSON)."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith(("{", "[")):
        try:
            return json.loads(stripped), None
        except json.JSONDecodeError as exc:
            raise PageParseError(f"truncated or corrupt JSON data ({exc.msg} at char {exc.pos})") from exc
    m = _NEXT_DATA_RE.search(text)
    if not m:
        if "<html" not in text[:5000].lower() and "<!doctype" not in text[:5000].lower():
            raise PageParseError("neither HTML nor JSON")
        raise PageParseError("no __NEXT_DATA__ script in the page (not a Next.js page of The Batch, or truncated)")
    end = text.find("</script>", m.end())
    if end < 0:
        raise PageParseError("truncated page: the __NEXT_DATA__ script is not closed")
    try:
        data = json.loads(text[m.end() : end])
    except json.JSONDecodeError as exc:
        raise PageParseError(f"truncated or corrupt __NEXT_DATA__ JSON ({exc.msg} at char {exc.pos})") from exc
    canonical = None
    c = _CANONICAL_RE.search(text)
    if c:
        h = _HREF_RE.search(c.group(0))
        if h and h.group(1).startswith("http"):
            canonical = _clean_url(_unescape_attr(h.group(1)))
    return data, canonical


def _find_post(data: object) -> tuple[dict | None, str]:
    """The Ghost post object, wherever it sits: (post, "post"|"page"|"other") or (None, "listing"|"none")."""
    found: list[tuple[int, str, dict]] = []
    listing = False
    stack: list[tuple[object, str, bool]] = [(data, "", False)]
    while stack:
        node, key, in_list = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("html", 0), str | None) and isinstance(node.get("title"), str) and (
                "published_at" in node or "slug" in node
            ):
                rank = 0 if key == "post" else 2 if key == "page" else 1
                found.append((rank + (3 if in_list else 0), key, node))
                continue
            for k, v in node.items():
                if k == "posts" and isinstance(v, list) and v:
                    listing = True
                if isinstance(v, dict | list):
                    stack.append((v, k, in_list))
        elif isinstance(node, list):
            for v in node:
                if isinstance(v, dict | list):
                    stack.append((v, key, True))
    if not found:
        return None, "listing" if listing else "none"
    found.sort(key=lambda t: t[0])
    rank, key, post = found[0]
    if rank >= 3:  # only posts inside a list: a listing page
        return None, "listing"
    return post, "page" if key == "page" else "post"


# --- the page --------------------------------------------------------------------------------------------
def _fill_page(page: ParsedPage, post: dict, canonical: str | None, url: str | None, base: str) -> None:
    slug = str(post.get("slug") or "").strip()
    page.title = _clean_text(str(post.get("title") or ""))
    page.tags = [_clean_text(t.get("name", "")) for t in post.get("tags") or [] if isinstance(t, dict)]
    page.tags = [t for t in page.tags if t and not t.startswith("#")]  # "#…" are Ghost's internal tags
    page.date = _parse_date(post.get("published_at"))
    if page.date is None:
        page.warnings.append("no published_at date in the post")
    if canonical:
        page.url = canonical
    elif slug:
        page.url = f"{base.rstrip('/')}/the-batch/{slug}/"
    elif url:
        page.url = _clean_url(url)
    else:
        raise PageParseError("the post has no slug and the page no canonical URL: cannot name it")
    html = post.get("html") or ""
    if not html.strip():
        raise PageParseError(f"the post {slug or page.url} has an empty body")
    blocks = _Flattener(base).run(html)
    m = issue_slug_match(slug)
    if m:
        page.kind = "issue"
        page.issue_slug = slug
        page.issue = int(m.group(1)) if m.group(1).isdigit() else None
        _split_issue(page, blocks, m.group(1))
    else:
        page.kind = "article"
        _standalone(page, blocks)
    for i, art in enumerate(page.articles):
        art.position = i
        art.issue, art.issue_slug = page.issue, page.issue_slug
        art.date, art.tags = page.date, list(page.tags)
    if not page.articles:
        page.error = "no article could be split from the post body"


def _split_issue(page: ParsedPage, blocks: list[_Block], number: str) -> None:
    sections = _sections(blocks)
    pre = sections[0]
    letter: _Section | None = None
    dear = next((i for i, b in enumerate(pre.items) if b.kind == "text" and _DEAR_RE.match(b.text)), None)
    if dear is not None:
        dropped = [b for b in pre.items[:dear] if b.kind == "text"]
        if dropped:
            page.warnings.append(f"{len(dropped)} line(s) before 'Dear friends' dropped")
        letter = _Section(None, pre.items[dear:], LETTER)
        sections[0] = letter
    else:
        for s in sections[1:]:
            first = next((b for b in s.items if b.kind == "text"), None)
            if first is not None and _DEAR_RE.match(first.text):
                s.kind, letter = LETTER, s
                break
        if pre.has_text():
            page.warnings.append(f"{sum(b.kind == 'text' for b in pre.items)} line(s) before the first heading dropped")
        pre.kind = "pre"
    if letter is None:
        page.warnings.append("no letter ('Dear friends, …') found")
    for s in sections:
        if s.kind in (LETTER, "pre"):
            continue
        t = s.title
        if _is_promo(t):
            s.kind = "promo"
        elif _DATA_POINTS_RE.match(t):
            s.kind = DATA_POINTS
        elif not s.has_text():
            s.kind = "label"
    _carry_images(sections)
    ids: set[str] = set()
    for s in sections:
        if s.kind == LETTER:
            title = s.title or UNTITLED_LETTER.format(number=number)
            page.articles.append(_article(page.url, LETTER, title, LETTER, s.items, ids))
        elif s.kind == STORY:
            anchor = s.heading.anchor or slugify(s.title)
            page.articles.append(_article(page.url, anchor, s.title, STORY, s.items, ids))
        elif s.kind == DATA_POINTS:
            art = _article(page.url, s.heading.anchor or DATA_POINTS, "Data Points", DATA_POINTS, s.items, ids)
            if len(art.text) >= _MIN_DATA_POINTS_CHARS:
                page.articles.append(art)
        elif s.kind == "label" and any(b.kind == "image" for b in s.items):
            page.warnings.append(f"image(s) under heading {s.title!r} belong to no story")
    if not any(a.section == STORY for a in page.articles):
        page.warnings.append("no news story found in the issue")


def _standalone(page: ParsedPage, blocks: list[_Block]) -> None:
    items: list[_Block] = []
    for s in _sections(blocks):
        if s.heading is not None:
            if _is_promo(s.title):
                continue
            items.append(_Block("text", text=s.title))
        items.extend(s.items)
    first = next((b for b in items if b.kind == "text"), None)
    section = LETTER if first is not None and _DEAR_RE.match(first.text) else ARTICLE
    art = _article(page.url, "", page.title, section, items, set())
    if art.text:
        page.articles.append(art)


def _sections(blocks: list[_Block]) -> list[_Section]:
    """Split at every heading with text; the first section holds what precedes the first heading."""
    sections = [_Section(None, kind="pre")]
    for b in blocks:
        if b.kind == "heading":
            if _heading_title(b):
                sections.append(_Section(b))
            continue  # empty headings are spacers
        sections[-1].items.append(b)
    return sections


def _carry_images(sections: list[_Section]) -> None:
    """Give each story the images that close the sections before its heading (83% of pictures sit there)."""
    for i, s in enumerate(sections):
        # A story with its picture right under the heading keeps it; what closes the previous section stays.
        if s.kind not in (STORY, DATA_POINTS) or (s.items and s.items[0].kind == "image"):
            continue
        carried: list[_Block] = []
        for p in reversed(sections[:i]):
            if p.kind == "label":  # "News", "Boo!": its pictures belong to the story that follows
                carried[:0] = [b for b in p.items if b.kind == "image"]
                p.items = [b for b in p.items if b.kind != "image"]
                continue
            last_text = max((j for j, b in enumerate(p.items) if b.kind == "text"), default=-1)
            if last_text < 0 and p.kind == "promo":
                # A promo without text: its first picture is the banner itself.
                last_text = next((j for j, b in enumerate(p.items) if b.kind == "image"), len(p.items))
            tail = p.items[last_text + 1 :]
            carried[:0] = [b for b in tail if b.kind == "image"]
            p.items = p.items[: last_text + 1] + [b for b in tail if b.kind != "image"]
            break
        s.items[:0] = carried


def _article(page_url: str, anchor: str, title: str, section: str, items: list[_Block], ids: set[str]):
    lines: list[str] = []
    images: list[ImageRef] = []
    for b in items:
        if b.kind == "text":
            lines.append(b.text)
        elif b.kind == "image" and b.image is not None:
            im = b.image
            images.append(ImageRef(url=im.url, alt=im.alt, caption=im.caption, position=len(lines),
                                   width=im.width, height=im.height))
    url = page_url
    if anchor:
        a, n = anchor, 2
        while a in ids:
            a, n = f"{anchor}-{n}", n + 1
        ids.add(a)
        url = f"{page_url.split('#')[0]}#{a}"
    return ParsedArticle(url=url, title=_clean_text(title), text="\n".join(lines), section=section, images=images)


# --- post.html → flat blocks -----------------------------------------------------------------------------
class _Flattener:
    """Walks post.html once and yields text lines, headings, images and rules in document order."""

    def __init__(self, base: str):
        self.base = base
        self.blocks: list[_Block] = []
        self.buf: list[str] = []
        self.prefix = ""
        self.depth = 0

    def run(self, html: str) -> list[_Block]:
        tree = LexborHTMLParser(f"<div id='__batchrag_root'>{html}</div>")
        root = tree.css_first("#__batchrag_root")
        if root is None:
            raise PageParseError("the post body is not HTML")
        self._children(root)
        self._flush()
        return self.blocks

    def _children(self, node: LexborNode) -> None:
        for ch in node.iter(include_text=True):
            self._visit(ch)

    def _visit(self, node: LexborNode) -> None:
        tag = node.tag
        if tag == "-text":
            self.buf.append(node.text(deep=False))
            return
        if tag in ("-comment", "-doctype") or tag in _SKIP_TAGS:
            return
        if tag == "br":
            self.buf.append("\n")
            return
        attrs = node.attributes
        if _AUDIO_RE.search(attrs.get("id") or "") or _AUDIO_RE.search(attrs.get("class") or ""):
            return
        if tag == "img":
            self._flush()
            self._image(node, "")
        elif tag in _HEADINGS:
            self._flush()
            lines = _lines(_inline_text(node))
            self.blocks.append(_Block("heading", level=_HEADINGS[tag], anchor=(attrs.get("id") or "").strip(),
                                      lines=lines))
        elif tag == "hr":
            self._flush()
            self.blocks.append(_Block("hr"))
        elif tag == "figure":
            self._flush()
            cap_node = node.css_first("figcaption")
            caption = _clean_text(_inline_text(cap_node)) if cap_node is not None else ""
            imgs = node.css("img")
            for img in imgs:
                self._image(img, caption)
            if not imgs and caption:
                self.blocks.append(_Block("text", text=caption))
        elif tag in ("ul", "ol"):
            self._flush()
            outer = self.prefix
            self.depth += 1
            for li in node.iter(include_text=False):
                if li.tag != "li":
                    self._visit(li)
                    continue
                self.prefix = "  " * (self.depth - 1) + "- "
                self._children(li)
                self._flush()
            self.depth -= 1
            self.prefix = outer
        elif tag in _BLOCK_TAGS or tag == "li":
            self._flush()
            self._children(node)
            self._flush()
        elif tag in ("strong", "b") and not "".join(self.buf).strip():
            # A bold run-in at the start of a paragraph ("What's new:", a Data Points headline) is sometimes
            # glued to the sentence that follows; the marker lets _flush separate them.
            self._children(node)
            self.buf.append(_RUN_IN)
        elif tag == "sup" and self.buf and self.buf[-1][-1:].isalnum():
            self.buf.append("^")  # 10<sup>12</sup> → 10^12, not 1012
            self._children(node)
        else:  # inline: a, strong, em, span, s, code …
            self._children(node)

    def _flush(self) -> None:
        if not self.buf:
            return
        raw, self.buf = "".join(self.buf), []
        if _RUN_IN in raw:
            raw = _RUN_IN_LABEL_RE.sub(": ", raw)
            raw = _RUN_IN_HEADLINE_RE.sub("\\1\n", raw).replace(_RUN_IN, "")
        for line in _lines(raw):
            if _AUDIO_RE.search(line) and line.lower().startswith("loading the"):
                continue
            self.blocks.append(_Block("text", text=self.prefix + line))
            # Continuation lines of one list item (after <br>) are indented, not new items.
            if self.prefix:
                self.prefix = " " * len(self.prefix)

    def _image(self, img: LexborNode, caption: str) -> None:
        a = img.attributes
        src = _image_src(a, self.base)
        if not src:
            return
        alt = _clean_text(a.get("alt") or "")
        if alt.lower().startswith("promo banner") or _PROMO_IMG_RE.search(src):
            return  # sponsor/course banners are not story pictures
        self.blocks.append(_Block("image", image=ImageRef(url=src, alt=alt, caption=caption,
                                                          width=_int(a.get("width")), height=_int(a.get("height")))))


# --- small helpers ---------------------------------------------------------------------------------------
def _inline_text(node: LexborNode) -> str:
    parts: list[str] = []

    def walk(n: LexborNode) -> None:
        for ch in n.iter(include_text=True):
            if ch.tag == "-text":
                parts.append(ch.text(deep=False))
            elif ch.tag == "br":
                parts.append("\n")
            elif ch.tag in _SKIP_TAGS or ch.tag == "-comment":
                continue
            else:
                if ch.tag in _BLOCK_TAGS or ch.tag in _HEADINGS or ch.tag == "li":
                    parts.append("\n")
                walk(ch)

    walk(node)
    return "".join(parts)


def _lines(raw: str) -> list[str]:
    """HTML whitespace semantics: runs of spaces collapse; only <br> (as "\\n") breaks lines."""
    raw = _ZERO_WIDTH_RE.sub("", raw)
    out = []
    for part in raw.split("\n"):
        t = _clean_text(part)
        if t:
            out.append(t)
    return out


def _clean_text(s: str) -> str:
    s = unicodedata.normalize("NFC", s)
    s = _ZERO_WIDTH_RE.sub("", s).replace("\n", " ")
    return _WS_RE.sub(" ", s).strip()


def _is_promo(title: str) -> bool:
    # "NEW FROM <partner>" in capitals is a sponsor; a story may well be titled "New From Old …".
    return bool(_PROMO_RE.match(title)) or (title.isupper() and title.startswith("NEW FROM"))


def _heading_title(b: _Block) -> str:
    lines = list(b.lines)
    while len(lines) > 1 and lines[0].strip(" :").lower() in _LABEL_LINES:
        lines.pop(0)
    return " ".join(lines).strip()


def _image_src(a: dict, base: str) -> str:
    src = (a.get("src") or "").strip()
    if not src or src.startswith("data:"):
        src = (a.get("data-src") or a.get("data-lazy-src") or "").strip()
        if not src:
            srcset = (a.get("srcset") or a.get("data-srcset") or "").strip()
            src = srcset.split(",")[0].strip().split(" ")[0] if srcset else ""
    if not src or src.startswith("data:"):
        return ""
    src = urljoin(base.rstrip("/") + "/", src)
    parts = urlsplit(src)
    if parts.path.rstrip("/").endswith("/_next/image"):
        inner = parse_qs(parts.query).get("url")
        if inner:
            src = urljoin(base.rstrip("/") + "/", unquote(inner[0]) if "%" in inner[0] else inner[0])
    return src


def _clean_url(url: str) -> str:
    p = urlsplit(url.strip())
    path = p.path or "/"
    return urlunsplit((p.scheme or "https", p.netloc, path, "", ""))


def _unescape_attr(s: str) -> str:
    return s.replace("&amp;", "&").replace("&#x2F;", "/").replace("&#47;", "/")


def _parse_date(value: object) -> date | None:
    if not value:
        return None
    s = str(value).strip()
    try:
        return datetime.fromisoformat(s.replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return date.fromisoformat(s[:10])
        except ValueError:
            return None


def _int(v: str | None) -> int | None:
    try:
        return int(str(v).strip()) if v else None
    except ValueError:
        return None
