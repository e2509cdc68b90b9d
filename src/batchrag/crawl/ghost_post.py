"""Read a saved page of The Batch (HTML with __NEXT_DATA__, or Next.js data JSON) down to its Ghost post."""

from __future__ import annotations

import gzip
import json
import re
from datetime import date, datetime
from urllib.parse import urlsplit, urlunsplit

_NEXT_DATA_RE = re.compile(r"<script[^>]*\bid=[\"']__NEXT_DATA__[\"'][^>]*>", re.I)
_CANONICAL_RE = re.compile(r"<link\b[^>]*\brel=[\"']canonical[\"'][^>]*>", re.I)
_HREF_RE = re.compile(r"\bhref=[\"']([^\"']+)[\"']", re.I)


class PageParseError(ValueError):
    """The content is not a parseable page of The Batch (kept internal: parse_page reports it in .error)."""


def decode(content: bytes | str) -> str:
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


def load_next_data(text: str) -> tuple[object, str | None]:
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
            canonical = clean_url(_unescape_attr(h.group(1)))
    return data, canonical


def find_post(data: object) -> tuple[dict | None, str]:
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


def clean_url(url: str) -> str:
    p = urlsplit(url.strip())
    path = p.path or "/"
    return urlunsplit((p.scheme or "https", p.netloc, path, "", ""))


def _unescape_attr(s: str) -> str:
    return s.replace("&amp;", "&").replace("&#x2F;", "/").replace("&#47;", "/")


def parse_date(value: object) -> date | None:
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
