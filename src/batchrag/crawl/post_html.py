"""Flatten a post's HTML into text lines, headings, images and rules, in document order."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from batchrag.crawl.ghost_post import PageParseError
from batchrag.domain.types import ImageRef

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


@dataclass
class Block:
    kind: str  # text | image | heading | hr
    text: str = ""
    level: int = 0
    anchor: str = ""
    lines: list[str] = field(default_factory=list)
    image: ImageRef | None = None


class Flattener:
    """Walks post.html once and yields text lines, headings, images and rules in document order."""

    def __init__(self, base: str):
        self.base = base
        self.blocks: list[Block] = []
        self.buf: list[str] = []
        self.prefix = ""
        self.depth = 0

    def run(self, html: str) -> list[Block]:
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
            self.blocks.append(Block("heading", level=_HEADINGS[tag], anchor=(attrs.get("id") or "").strip(),
                                      lines=lines))
        elif tag == "hr":
            self._flush()
            self.blocks.append(Block("hr"))
        elif tag == "figure":
            self._flush()
            cap_node = node.css_first("figcaption")
            caption = clean_text(_inline_text(cap_node)) if cap_node is not None else ""
            imgs = node.css("img")
            for img in imgs:
                self._image(img, caption)
            if not imgs and caption:
                self.blocks.append(Block("text", text=caption))
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
            self.blocks.append(Block("text", text=self.prefix + line))
            # Continuation lines of one list item (after <br>) are indented, not new items.
            if self.prefix:
                self.prefix = " " * len(self.prefix)

    def _image(self, img: LexborNode, caption: str) -> None:
        a = img.attributes
        src = _image_src(a, self.base)
        if not src:
            return
        alt = clean_text(a.get("alt") or "")
        if alt.lower().startswith("promo banner") or _PROMO_IMG_RE.search(src):
            return  # sponsor/course banners are not story pictures
        self.blocks.append(Block("image", image=ImageRef(url=src, alt=alt, caption=caption,
                                                          width=_int(a.get("width")), height=_int(a.get("height")))))


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
        t = clean_text(part)
        if t:
            out.append(t)
    return out


def clean_text(s: str) -> str:
    s = unicodedata.normalize("NFC", s)
    s = _ZERO_WIDTH_RE.sub("", s).replace("\n", " ")
    return _WS_RE.sub(" ", s).strip()


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


def _int(v: str | None) -> int | None:
    try:
        return int(str(v).strip()) if v else None
    except ValueError:
        return None
