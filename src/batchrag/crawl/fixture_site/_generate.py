"""Regenerates the invented fixture site (run once by hand: python -m batchrag.crawl.fixture_site._generate)."""

from __future__ import annotations

import json
from datetime import date as _d
from pathlib import Path

from PIL import Image, ImageDraw

from batchrag.crawl.fixture_site._generate_issues import DATA_POINTS, ISSUES, LETTERS
from batchrag.domain.site import slugify

HERE = Path(__file__).resolve().parent
B = "__BASE_URL__"  # replaced by the fixture server with its own address
IMG = f"{B}/content/images"


AUDIO = ('<!--kg-card-begin: html--><div id="elevenlabs-audionative-widget" data-height="90" data-width="100%" '
         'data-publicuserid="fixture">Loading the Elevenlabs Text to Speech AudioNative Player...</div>'
         '<script src="https://elevenlabs.io/player/audioNativeHelper.js" type="text/javascript"></script>'
         '<!--kg-card-end: html-->')
PROMO = ('<h2 id="a-message-from-deeplearningai">A MESSAGE FROM&nbsp;DEEPLEARNING.AI</h2>'
         f'<figure class="kg-card kg-image-card"><img src="{IMG}/2024/11/The-Batch-ads-and-exclusive-banners.png" '
         'class="kg-image" alt="Promo banner for: an invented course on agent evaluation" width="60" height="20">'
         '</figure><p>Learn to evaluate agents step by step in our new invented short course. Enroll today!</p>')


def figure(src: str, alt: str) -> str:
    return (f'<figure class="kg-card kg-image-card"><img src="{IMG}/{src}" class="kg-image" alt="{alt}" '
            f'loading="lazy" width="64" height="48" srcset="{IMG}/size/w600/{src} 600w, {IMG}/{src} 1000w">'
            '</figure>')


def story_html(level: str, title: str, img: str | None, alt: str, paras: list[str]) -> str:
    parts = [figure(img, alt)] if img else []
    if title:  # a story's own page has no heading: its title is the post's
        parts.append(f'<{level} id="{slugify(title)}">{title}</{level}>')
    parts += [f"<p>{p}</p>" for p in paras]
    return "".join(parts)


def page(title: str, canonical: str, post: dict, body_extra: str = "") -> str:
    data = {"props": {"pageProps": {"cmsData": {"post": post}}, "__N_SSG": True},
            "page": "/the-batch/[slug]", "query": {"slug": post["slug"]}, "buildId": "fixture-build-1"}
    blob = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f'<link rel="canonical" href="{canonical}"/></head><body><div id="__next"><main>'
            f'<article><h1 class="post-title">{title}</h1>{body_extra}<div class="postContent wgtc">{post["html"]}'
            f'</div></article></main></div><script id="__NEXT_DATA__" type="application/json">{blob}</script>'
            "</body></html>\n")


def write(rel: str, text: str) -> None:
    p = HERE / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")


def ghost_post(slug_: str, title: str, date: str, html: str, tags: list[tuple[str, str]], feature: str | None,
               excerpt: str = "") -> dict:
    return {"id": f"fixture-{slug_}", "uuid": f"fixture-{slug_}", "title": title, "slug": slug_, "html": html,
            "published_at": date, "updated_at": date, "feature_image": feature, "feature_image_alt": None,
            "custom_excerpt": excerpt or None, "reading_time": 4,
            "url": f"https://charonhub.deeplearning.ai/{slug_}/",
            "tags": [{"name": n, "slug": s} for n, s in tags]}


def build_issue(iss: dict) -> tuple[str, str]:
    n, lvl = iss["n"], iss["level"]
    letter_title, letter = LETTERS[n]
    parts = [AUDIO] if iss.get("audio") else []
    parts += [f"<p>{p}</p>" for p in letter]
    if iss.get("promo"):
        parts.append("<hr>" + PROMO)
    parts.append(f'<hr><{lvl} id="news">News</{lvl}>')
    for i, (title, img, alt, paras) in enumerate(iss["stories"]):
        if i:
            parts.append("<hr>")
        parts.append(story_html(lvl, title, img, alt, paras))
        if iss.get("promo") and i == 1:
            parts.append("<hr>" + PROMO.replace("a-message-from-deeplearningai", "a-message-from-deeplearningai-2"))
    if iss.get("data_points"):
        parts.append('<hr><h1 id="data-points">Data Points</h1>' + "".join(f"<p>{d}</p>" for d in DATA_POINTS))
    heads = [s[0] for s in iss["stories"]]
    title = f"{heads[0]}, {heads[1]}, {heads[2]}, and more"
    d = iss["date"][:10]
    dtag = _d.fromisoformat(d).strftime("%b-%d-%Y").lower()
    post = ghost_post(f"issue-{n}", title, iss["date"], "".join(parts),
                      [("The Batch", "the-batch"), (f"Issue {n}", f"issue-{n}"), (dtag, dtag),
                       ("Letters", "letters")],
                      f"{IMG}/{iss['stories'][0][1]}", excerpt=f"The Batch issue {n}: {letter_title}.")
    return f"the-batch/issue-{n}/index.html", page(title, f"{B}/the-batch/issue-{n}/", post)


def standalone(slug_: str, title: str, date: str, html: str, tags: list[tuple[str, str]]) -> str:
    return page(title, f"{B}/the-batch/{slug_}/", ghost_post(slug_, title, date, html, tags, None))


def listing(cards: list[tuple[str, str, str]], next_page: str | None) -> str:
    out = []
    for href, title, date in cards:
        out.append(f'<article data-sentry-component="PostCard" class="card"><a href="{href}"><h2>{title}</h2></a>'
                   f'<time datetime="{date}">{date}</time></article>')
    nav = f'<a class="older" href="{next_page}">Older Posts</a>' if next_page else ""
    data = json.dumps({"props": {"pageProps": {"posts": [{"slug": h.strip('/').split('/')[-1]} for h, _, _ in cards]}},
                       "page": "/the-batch", "buildId": "fixture-build-1"})
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>The Batch | DeepLearning.AI</title>'
            f'</head><body><div id="__next"><main>{"".join(out)}{nav}</main></div>'
            f'<script id="__NEXT_DATA__" type="application/json">{data}</script></body></html>\n')


def images() -> None:
    palette = [(200, 60, 60), (60, 160, 90), (60, 90, 200), (220, 180, 40), (140, 70, 170), (30, 160, 170)]
    k = 0
    for iss in ISSUES:
        for _title, img, _alt, _p in iss["stories"]:
            if not img:
                continue
            k += 1
            p = HERE / "content/images" / img
            p.parent.mkdir(parents=True, exist_ok=True)
            c = palette[k % len(palette)]
            if img.endswith(".gif"):
                frames = []
                for f in range(3):
                    im = Image.new("P", (48, 32), 0)
                    im.putpalette([255, 255, 255, *c, 0, 0, 0] + [0] * 759)
                    ImageDraw.Draw(im).rectangle([4 + 12 * f, 8, 14 + 12 * f, 22], fill=1)
                    frames.append(im)
                frames[0].save(p, save_all=True, append_images=frames[1:], duration=200, loop=0)
                continue
            im = Image.new("RGB", (64, 48), (250, 250, 250))
            d = ImageDraw.Draw(im)
            d.rectangle([4, 4, 60, 44], outline=c, width=3)
            d.ellipse([8 + k % 20, 10, 30 + k % 20, 38], fill=c)
            if img.endswith(".jpg"):
                im.save(p, "JPEG", quality=70)
            else:
                im.save(p, "PNG", optimize=True)
    banner = HERE / "content/images/2024/11/The-Batch-ads-and-exclusive-banners.png"
    Image.new("RGB", (60, 20), (240, 60, 120)).save(banner, "PNG", optimize=True)


def write_issues(urls: list[tuple[str, str]]) -> None:
    """The issue pages; each but issue 5 goes into `urls` for the sitemap."""
    for iss in ISSUES:
        rel, html = build_issue(iss)
        write(rel, html)
        if iss["n"] != 5:  # issue 5 is in no sitemap or listing: only probing finds it
            urls.append((f"/the-batch/issue-{iss['n']}/", iss["date"][:10]))


def write_articles(urls: list[tuple[str, str]]) -> None:
    """The standalone articles (one the twin of an issue story, one without) and the robots-forbidden draft."""
    # the standalone page of a story that is also in issue 4 (stored once, as an alternate URL)
    iss4 = ISSUES[3]
    t, img, alt, paras = iss4["stories"][1]
    write("the-batch/small-models-big-context/index.html",
          standalone("small-models-big-context", "Small Models, Big Context: Compact open-weight models now read "
                     "entire books", iss4["date"], story_html("h2", "", img, alt, paras), [("The Batch", "the-batch"), ("Research", "research")]))
    urls.append(("/the-batch/small-models-big-context/", "2024-11-21"))
    # a standalone article with no issue twin
    write("the-batch/ai-for-farmers/index.html", standalone(
        "ai-for-farmers", "AI for Farmers: Cheap sensors and small models help smallholders plan harvests",
        "2024-07-02T10:00:00.000-07:00",
        figure("2024/07/farm-sensor.png", "A soil moisture sensor planted in a green field") +
        "<p>Cooperatives in an invented river valley installed solar-powered soil sensors that feed a small "
        "forecasting model running on a shared laptop.</p><p><strong>Results:</strong> Farmers who followed the "
        "model's irrigation advice used 18 percent less water in one season.</p>",
        [("The Batch", "the-batch"), ("Agriculture", "agriculture")]))
    p = HERE / "content/images/2024/07/farm-sensor.png"
    p.parent.mkdir(parents=True, exist_ok=True)
    im = Image.new("RGB", (64, 48), (90, 170, 60))
    ImageDraw.Draw(im).rectangle([28, 10, 36, 44], fill=(60, 60, 60))
    im.save(p, "PNG", optimize=True)
    urls.append(("/the-batch/ai-for-farmers/", "2024-07-02"))
    urls.append(("/the-batch/draft-embargoed-story/", "2025-03-04"))  # robots.txt forbids it
    urls.append(("/the-batch/tag/letters/", "2025-03-05"))  # tag pages are not content
    write("the-batch/draft-embargoed-story/index.html", standalone(
        "draft-embargoed-story", "Embargoed", "2025-03-04T00:00:00.000Z", "<p>Must never be fetched.</p>", []))


def write_listings() -> None:
    """The paginated /the-batch/ listing and a tag page."""
    write("the-batch/index.html", listing(
        [("/the-batch/issue-4/", "Issue 4", "2024-11-20"), ("/the-batch/ai-for-farmers/", "AI for Farmers",
                                                              "2024-07-02"),
         ("/the-batch/issue-3/", "Issue 3", "2023-05-10")], "/the-batch/page/2/"))
    write("the-batch/page/2/index.html", listing(
        [("/the-batch/issue-2/", "Issue 2", "2020-09-16"), ("/the-batch/issue-1/", "Issue 1", "2019-06-12")], None))
    write("the-batch/tag/letters/index.html", listing([("/the-batch/issue-4/", "Issue 4", "2024-11-20")], None))


def write_sitemaps_and_robots(urls: list[tuple[str, str]]) -> None:
    """The sitemap index, the sitemap of `urls` and robots.txt."""
    sm = "".join(f"<url><loc>{B}{u}</loc><lastmod>{d}</lastmod></url>" for u, d in [("/the-batch/", "2025-03-05"),
                                                                                     *urls])
    write("sitemap-0.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/'
          f'sitemap/0.9">{sm}<url><loc>{B}/courses/</loc></url></urlset>\n')
    write("sitemap.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/'
          f'schemas/sitemap/0.9"><sitemap><loc>{B}/sitemap-0.xml</loc></sitemap>__FAULT_SITEMAPS__</sitemapindex>\n')
    write("robots.txt", f"User-agent: *\nDisallow: /the-batch/draft-\nAllow: /\n\nSitemap: {B}/sitemap.xml\n")


def write_faults() -> None:
    """The fault pages and their sitemap (served only with faults=True)."""
    for s, t in [("flaky-story", "Flaky Server Story: served after two errors"),
                 ("busy-story", "Busy Server Story: served after a 429"),
                 ("slow-story", "Slow Server Story: never in time"),
                 ("huge-story", "Huge Story: past the size cap"),
                 ("truncated-story", "Truncated Story: cut mid-body")]:
        extra = (f'<figure class="kg-card kg-image-card"><img src="{IMG}/missing/gone.png" alt="An image that '
                 'no longer exists"></figure>') if s == "flaky-story" else ""
        write(f"faults/{s}.html", standalone(s, t, "2025-02-01T10:00:00.000Z", extra + f"<p>{t}. Invented body "
              "text used by the crawler's fault tests.</p>", [("The Batch", "the-batch")]))
    fs = "".join(f"<url><loc>{B}/the-batch/{s}/</loc></url>" for s in
                 ["flaky-story", "busy-story", "slow-story", "huge-story", "truncated-story"])
    write("faults/sitemap-faults.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.'
          f'sitemaps.org/schemas/sitemap/0.9">{fs}</urlset>\n')


def main() -> None:
    urls: list[tuple[str, str]] = []
    write_issues(urls)
    write_articles(urls)
    write_listings()
    write_sitemaps_and_robots(urls)
    write_faults()
    images()


if __name__ == "__main__":
    main()
