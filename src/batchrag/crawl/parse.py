"""Parse a page of The Batch (HTML with __NEXT_DATA__, or Next.js data JSON) into its letter, stories and images."""

from __future__ import annotations

from batchrag.crawl.ghost_post import PageParseError, clean_url, decode, find_post, load_next_data, parse_date
from batchrag.crawl.issue_split import split_issue, standalone
from batchrag.crawl.post_html import Flattener, clean_text
from batchrag.domain.site import issue_slug_match
from batchrag.domain.types import ParsedPage

DEFAULT_BASE = "https://www.deeplearning.ai"


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
        text = decode(content)
        data, canonical = load_next_data(text)
        page.url = canonical or page.url
        post, where = find_post(data)
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


def _fill_page(page: ParsedPage, post: dict, canonical: str | None, url: str | None, base: str) -> None:
    slug = str(post.get("slug") or "").strip()
    page.title = clean_text(str(post.get("title") or ""))
    page.tags = [clean_text(t.get("name", "")) for t in post.get("tags") or [] if isinstance(t, dict)]
    page.tags = [t for t in page.tags if t and not t.startswith("#")]  # "#…" are Ghost's internal tags
    page.date = parse_date(post.get("published_at"))
    if page.date is None:
        page.warnings.append("no published_at date in the post")
    if canonical:
        page.url = canonical
    elif slug:
        page.url = f"{base.rstrip('/')}/the-batch/{slug}/"
    elif url:
        page.url = clean_url(url)
    else:
        raise PageParseError("the post has no slug and the page no canonical URL: cannot name it")
    html = post.get("html") or ""
    if not html.strip():
        raise PageParseError(f"the post {slug or page.url} has an empty body")
    blocks = Flattener(base).run(html)
    m = issue_slug_match(slug)
    if m:
        page.kind = "issue"
        page.issue_slug = slug
        page.issue = int(m.group(1)) if m.group(1).isdigit() else None
        split_issue(page, blocks, m.group(1))
    else:
        page.kind = "article"
        standalone(page, blocks)
    for i, art in enumerate(page.articles):
        art.position = i
        art.issue, art.issue_slug = page.issue, page.issue_slug
        art.date, art.tags = page.date, list(page.tags)
    if not page.articles:
        page.error = "no article could be split from the post body"
