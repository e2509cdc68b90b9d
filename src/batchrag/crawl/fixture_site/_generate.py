"""Regenerates the invented fixture site (run once by hand: python -m batchrag.crawl.fixture_site._generate)."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image, ImageDraw

from batchrag.crawl.site import slugify

HERE = Path(__file__).resolve().parent
B = "__BASE_URL__"  # replaced by the fixture server with its own address
IMG = f"{B}/content/images"


# (title, image file or None, alt, paragraphs)
ISSUES = [
    dict(n=1, date="2019-06-12T08:00:00.000-07:00", level="h2", era="2019", stories=[
        ("Robots Learn to Fold Laundry", "2019/06/laundry-robot.png",
         "A two-armed robot folding a blue towel on a white table",
         ["<strong>What’s new:</strong> Engineers at an invented lab called Foldwise trained a two-armed robot to fold "
          "towels and T-shirts by imitating 400 human demonstrations recorded with motion gloves.",
          "<strong>How it works:</strong> A convolutional network maps camera images to grasp points; a second network "
          "plans the sequence of folds. The robot folds a towel in 90 seconds, roughly ten times slower than a person.",
          "<strong>Why it matters:</strong> Deformable objects like cloth have long frustrated robot manipulation. "
          "Learning from demonstrations sidesteps hand-written rules for every fabric."]),
        ("Chipmaker Unveils Inference Accelerator", "2019/06/inference-chip.jpg",
         "Close-up photo of a square green circuit board with a silver inference chip in the middle",
         ["<strong>What’s new:</strong> A startup named Siliconia announced an accelerator that runs neural network "
          "inference at 40 trillion operations per second while drawing 15 watts.",
          "<strong>Behind the news:</strong> Data centers spend more on serving trained models than on training them, "
          "so specialised inference hardware is drawing investment.",
          "<strong>We’re thinking:</strong> Benchmarks published by a vendor deserve independent confirmation."]),
        ("City Bans Face Recognition in Public Agencies", "2019/06/city-hall.png",
         "Illustration of a city hall with a crossed-out camera icon above its entrance",
         ["<strong>What’s new:</strong> The council of the fictional city of Port Alder voted 7 to 2 to bar police and "
          "other agencies from using face recognition.",
          "<strong>Why it matters:</strong> Local rules are arriving faster than national regulation, and vendors "
          "must now track a patchwork of requirements."]),
        ("Language Model Writes Fake Reviews", "2019/06/fake-reviews.gif",
         "Animation of generated product reviews appearing one by one on a phone screen",
         ["<strong>What’s new:</strong> Researchers showed that a text generator fine-tuned on restaurant reviews "
          "writes fake reviews that human readers rate as more helpful than real ones.",
          "<strong>Results:</strong> A classifier trained to spot generated text caught 91 percent of the fakes, "
          "people caught only 52 percent.",
          "<strong>We’re thinking:</strong> Review platforms will need automated detectors as well as human moderators."]),
    ]),
    dict(n=2, date="2020-09-16T09:30:00.000-07:00", level="h3", era="2020", stories=[
        ("Drones Map Wildfire Fronts", "2020/09/wildfire-drone.png",
         "A quadcopter drone flying over a forest with an orange fire line drawn on a map overlay",
         ["<strong>What’s new:</strong> Firefighters in an invented county tested drones that segment infrared "
          "video to map the edge of a wildfire every five minutes.",
          "<strong>How it works:</strong> A U-Net trained on 12,000 labelled thermal frames outlines burning areas; "
          "the outlines are stitched into a map that crews receive on tablets.",
          "<strong>Why it matters:</strong> Fresh maps help commanders move crews before the wind shifts."]),
        ("Transformer Predicts Protein Shapes", "2020/09/protein-fold.jpg",
         "Ribbon diagram of a folded protein in rainbow colours",
         ["<strong>What’s new:</strong> A team at the fictional Helix Institute built a transformer that predicts "
          "the 3D structure of small proteins from their amino-acid sequence.",
          "<strong>Results:</strong> On a benchmark of 300 proteins, its predictions landed within two angstroms of "
          "laboratory measurements for 70 percent of them.",
          "<strong>We’re thinking:</strong> Faster structure prediction could shorten the search for new drugs."]),
        ("Europe Drafts Rules for High-Risk AI", "2020/09/eu-rules.png",
         "Stack of documents stamped with a blue flag and the words high risk",
         ["<strong>What’s new:</strong> European officials circulated a draft that would require audits, logging "
          "and human oversight for AI used in hiring, credit scoring and policing.",
          "<strong>Behind the news:</strong> The draft follows a public consultation that drew more than 1,200 "
          "responses from companies, academics and civil-society groups.",
          "<strong>Why it matters:</strong> Rules written in Brussels tend to become global defaults."]),
        ("Warehouse Robots Go Shift-Free", None, "",
         ["<strong>What’s new:</strong> A logistics company said its fleet of mobile picking robots now runs around "
          "the clock, with people supervising from a control room.",
          "<strong>How it works:</strong> Each robot plans its own path with reinforcement learning and asks a "
          "remote operator for help when a package is torn or mislabeled.",
          "<strong>We’re thinking:</strong> Remote assistance is an underrated ingredient of practical robotics."]),
    ]),
    dict(n=3, date="2023-05-10T07:45:00.000-07:00", level="h1", era="2023", stories=[
        ("Open-Weight Model Rivals Closed Giants", "2023/05/open-weights.png",
         "Bar chart comparing benchmark scores of an open-weight model and two closed models",
         ["<strong>What’s new:</strong> A nonprofit lab released the weights of Meadow-34B, a language model that "
          "matches much larger proprietary models on reading-comprehension and coding benchmarks.",
          "<strong>How it works:</strong> The team trained on 2 trillion tokens of filtered web text and code, then "
          "fine-tuned on 80,000 instructions written by volunteers.",
          "<strong>Why it matters:</strong> Open weights let developers run models on their own hardware and audit "
          "their behaviour."]),
        ("Agents Book Travel, Mostly Correctly", "2023/05/travel-agent.jpg",
         "Screenshot of a chatbot filling in a flight booking form",
         ["<strong>What’s new:</strong> Researchers tested language-model agents that use a web browser to book "
          "flights and hotels for simulated customers.",
          "<strong>Results:</strong> The best agent completed 64 percent of bookings without error; the most common "
          "failure was choosing the wrong date from a calendar widget.",
          "<strong>We’re thinking:</strong> Agents need better ways to check their own work before they press pay."]),
        ("Vision Models Shrink Without Losing Sight", "2023/05/tiny-vision.png",
         "Diagram of a large neural network being distilled into a much smaller one",
         ["<strong>What’s new:</strong> Zoë Ørsted, Amélie Royer and Łukasz Wróbel of the (invented) Institut "
          "Émeraude in Montréal distilled an image classifier to one-twentieth of its size.",
          "<strong>How it works:</strong> A student network learns from the teacher’s predictions on 50 million "
          "unlabelled photos, then is pruned and quantised to 4 bits.",
          "<strong>Results:</strong> The small model runs on a €40 microcontroller and loses 1.8 points of accuracy."]),
        ("GPU Shortage Eases as New Fabs Open", "2023/05/gpu-fab.jpg",
         "Workers in white clean-room suits standing beside wafer processing machines",
         ["<strong>What’s new:</strong> Cloud providers reported shorter waiting lists for AI accelerators as two "
          "new chip fabrication plants began production.",
          "<strong>Behind the news:</strong> Demand for training hardware had outstripped supply for more than a year, "
          "pushing some startups to rent capacity by the hour at high prices.",
          "<strong>Why it matters:</strong> Cheaper compute lowers the barrier for smaller research groups."]),
    ]),
    dict(n=4, date="2024-11-20T08:15:00.000-08:00", level="h1", era="2024", audio=True, promo=True, stories=[
        ("Humanoid Robots Head to Factories", "2024/11/humanoid.png",
         "A humanoid robot carrying a plastic crate along an automotive assembly line",
         ["<strong>What’s new:</strong> Two carmakers began pilots in which humanoid robots move parts between "
          "stations on an assembly line.",
          "<strong>How it works:</strong> A vision-language-action model turns spoken instructions and camera frames "
          "into arm and leg motions; a safety controller stops the robot when a person comes within one metre.",
          "<strong>Why it matters:</strong> Factories are built for human bodies, so humanoid robots can work there "
          "without rebuilding the line."]),
        ("Small Models, Big Context", "2024/11/long-context.png",
         "A small robot reading a tall stack of books",
         ["<strong>What’s new:</strong> An open-weight model with 3 billion parameters reads inputs of one million "
          "tokens, enough for several novels at once.",
          "<strong>How it works:</strong> The model interleaves attention layers with a recurrent state-space layer, "
          "so memory grows slowly with input length.",
          "<strong>Results:</strong> It finds a planted sentence in a million-token haystack 98 percent of the time."]),
        ("Copyright Office Weighs AI Training", "2024/11/copyright.jpg",
         "A judge's gavel resting on a pile of printed books",
         ["<strong>What’s new:</strong> A national copyright office opened a consultation on whether training models "
          "on copyrighted text requires permission from authors.",
          "<strong>Behind the news:</strong> Several lawsuits by novelists and news publishers are pending, and their "
          "outcome may depend on how courts read fair-use rules.",
          "<strong>We’re thinking:</strong> Clear rules would help both creators and developers plan."]),
        ("Coding Agents Fix Real Bugs", "2024/11/coding-agent.png",
         "Terminal window showing an agent editing code and running tests",
         ["<strong>What’s new:</strong> An agent that reads issue reports, edits code and runs tests fixed 41 percent "
          "of real bugs from popular open-source repositories.",
          "<strong>How it works:</strong> The agent alternates between searching the codebase, proposing a patch and "
          "running the project’s test suite until the tests pass.",
          "<strong>Why it matters:</strong> Software maintenance is a large share of engineering work."]),
        ("Chip Export Limits Tighten", "2024/11/export-limits.png",
         "World map with arrows showing shipments of AI chips being blocked at borders",
         ["<strong>What’s new:</strong> New export rules restrict sales of advanced AI accelerators and the "
          "machines used to make them to a longer list of countries.",
          "<strong>Why it matters:</strong> Access to chips shapes which countries can train frontier models."]),
    ]),
    dict(n=5, date="2025-03-05T07:00:00.000-08:00", level="h1", era="2025", audio=True, data_points=True, stories=[
        ("Open Models Learn to Reason", "2025/03/reasoning.png",
         "Flowchart of a model writing a chain of reasoning steps before answering",
         ["<strong>What’s new:</strong> An open-weight model trained with reinforcement learning on math and coding "
          "problems learned to write long chains of reasoning before answering.",
          "<strong>Results:</strong> It solved 71 percent of competition math problems, up from 29 percent before "
          "reinforcement learning.",
          "<strong>Why it matters:</strong> Reasoning skills once limited to closed models are now available to all."]),
        ("Robot Dogs Inspect Power Lines", "2025/03/robot-dog.gif",
         "Animation of a four-legged robot walking beneath high-voltage power lines",
         ["<strong>What’s new:</strong> A utility deployed four-legged robots that walk along transmission corridors "
          "and photograph insulators for cracks.",
          "<strong>How it works:</strong> An object detector flags damaged insulators; a human inspector reviews "
          "each flag before a repair crew is dispatched.",
          "<strong>We’re thinking:</strong> Dull, dangerous inspections are a good first job for legged robots."]),
        ("AI Act Obligations Take Effect", "2025/03/ai-act.png",
         "Calendar page with a date circled next to a scale of justice",
         ["<strong>What’s new:</strong> The first obligations of a sweeping AI law took effect, banning social "
          "scoring and some uses of emotion recognition at work and in schools.",
          "<strong>Behind the news:</strong> Rules for general-purpose models follow in August, with documentation "
          "and copyright duties for model providers."]),
        ("Agents Negotiate with Agents", "2025/03/agents-negotiate.jpg",
         "Two chat windows facing each other with price offers passing between them",
         ["<strong>What’s new:</strong> A marketplace experiment let buyer agents and seller agents haggle over used "
          "bicycles on behalf of their owners.",
          "<strong>Results:</strong> Agents closed 83 percent of deals; sellers whose agents were told to be patient "
          "earned 6 percent more.",
          "<strong>We’re thinking:</strong> As agents transact with each other, guardrails on what they may agree to "
          "become essential."]),
    ]),
]

LETTERS = {
    1: ("Why I am optimistic about small data", [
        "Dear friends,",
        "Many teams believe they need millions of examples before machine learning can help them. In my experience, "
        "a few hundred carefully labelled examples often go a long way, especially when the labels are consistent.",
        "If you are starting a project this week, spend an afternoon writing labelling instructions before you "
        "collect more data. Consistency beats volume.",
        "Keep learning!", "Andrew"]),
    2: ("Learning during uncertain times", [
        "Dear friends,",
        "This year many of us are learning from home. I have been impressed by how many learners formed study groups "
        "online to work through courses together.",
        "If you have a few hours a week, pick one small project and finish it. Finished projects teach more than "
        "unfinished ambitious ones.", "Keep learning!", "Andrew"]),
    3: ("Open source keeps AI competitive", [
        "Dear friends,",
        "Open-weight models let anyone inspect, fine-tune and deploy AI. I believe they are one of the best protections "
        "against a future in which only a few companies control the technology.",
        "Let us support the developers who share their work.", "Keep building!", "Andrew"]),
    4: ("Agents need evaluation, too", [
        "Dear friends,",
        "When teams build agentic workflows, they often skip systematic evaluation. Start with a small set of examples "
        "and measure each step of the workflow, not just the final output.",
        "Keep building!", "Andrew"]),
    5: ("Reasoning models change how we prompt", [
        "Dear friends,",
        "Reasoning models work best when you tell them what you want rather than how to think. Give context and "
        "goals, and let the model plan.", "Keep learning!", "Andrew"]),
}

DATA_POINTS = [
    "A robotics startup raised funds to build dexterous hands for warehouse robots.",
    "A weather agency began issuing forecasts produced partly by a neural network.",
]

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
    from datetime import date as _d
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


def main() -> None:
    urls = []
    for iss in ISSUES:
        rel, html = build_issue(iss)
        write(rel, html)
        if iss["n"] != 5:  # issue 5 is in no sitemap or listing: only probing finds it
            urls.append((f"/the-batch/issue-{iss['n']}/", iss["date"][:10]))
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
    write("the-batch/index.html", listing(
        [("/the-batch/issue-4/", "Issue 4", "2024-11-20"), ("/the-batch/ai-for-farmers/", "AI for Farmers",
                                                              "2024-07-02"),
         ("/the-batch/issue-3/", "Issue 3", "2023-05-10")], "/the-batch/page/2/"))
    write("the-batch/page/2/index.html", listing(
        [("/the-batch/issue-2/", "Issue 2", "2020-09-16"), ("/the-batch/issue-1/", "Issue 1", "2019-06-12")], None))
    write("the-batch/tag/letters/index.html", listing([("/the-batch/issue-4/", "Issue 4", "2024-11-20")], None))
    sm = "".join(f"<url><loc>{B}{u}</loc><lastmod>{d}</lastmod></url>" for u, d in [("/the-batch/", "2025-03-05"),
                                                                                     *urls])
    write("sitemap-0.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/'
          f'sitemap/0.9">{sm}<url><loc>{B}/courses/</loc></url></urlset>\n')
    write("sitemap.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/'
          f'schemas/sitemap/0.9"><sitemap><loc>{B}/sitemap-0.xml</loc></sitemap>__FAULT_SITEMAPS__</sitemapindex>\n')
    write("robots.txt", f"User-agent: *\nDisallow: /the-batch/draft-\nAllow: /\n\nSitemap: {B}/sitemap.xml\n")
    # fault pages (served only with faults=True)
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
    images()


if __name__ == "__main__":
    main()
