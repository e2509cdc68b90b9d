"""README pictures: the app over the demo library, driven in Chromium, saved as PNGs and one GIF in docs/img/."""

from __future__ import annotations

import argparse
import importlib.util
import io
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
VIEWPORT = {"width": 1280, "height": 900}
GIF_WIDTH = 900
QUESTION = "Що нового у відкритих моделях?"
TOPIC = "robots"
IMAGES = "[data-testid='stImage'] img, [data-testid='stFullScreenFrame'] img"

# No clock in view: the sidebar's time of the last update and the answer's seconds change with every run, so the
# page loses them before any picture is taken (a screenshot of the same demo library is then the same picture).
NO_CLOCK = r"""
(() => {
  const scrub = () => {
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const t = n.nodeValue;
      if (t.trimStart().startsWith("Останнє оновлення:")) {
        const br = n.previousSibling;
        if (br && br.nodeName === "BR") br.remove();
        n.nodeValue = "";
      } else if (/ · \d+[.,]\d с$/.test(t)) {
        n.nodeValue = t.replace(/ · \d+[.,]\d с$/, "");
      } else if (/ · \d\d\.\d\d\.\d{4}$/.test(t)) {  // a kept conversation's date, in «Розмови»
        n.nodeValue = t.replace(/ · \d\d\.\d\d\.\d{4}$/, "");
      }
    }
  };
  const start = () => {
    scrub();
    new MutationObserver(scrub).observe(document.body, {childList: true, subtree: true, characterData: true});
  };
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
"""


class ScreenshotError(RuntimeError):
    """Why the pictures could not be taken, in one line."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def start_app(data: Path, base_url: str, port: int, log_path: Path, timeout_s: float = 120) -> subprocess.Popen:
    """`streamlit run` over the demo library, quote-only answers, no model, no network; returns once it is healthy."""
    import httpx

    # The page's path without importing it (importing a Streamlit page outside `streamlit run` only warns).
    app_path = importlib.util.find_spec("batchrag.ui.page").origin

    env = {**os.environ, "BATCHRAG_DATA_DIR": str(data), "BATCHRAG_LLM_BACKEND": "extractive",
           "BATCHRAG_BASE_URL": base_url, "OLLAMA_HOST": f"http://127.0.0.1:{free_port()}",  # nothing listens
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    for key in ("BATCHRAG_OPENAI_BASE_URL", "BATCHRAG_GGUF_PATH", "DATABASE_URL", "BATCHRAG_DATABASE_URL"):
        env.pop(key, None)
    log = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", app_path, "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=data.parent,
    )
    log.close()
    deadline = time.time() + timeout_s
    while True:
        if proc.poll() is not None:
            tail = [ln for ln in log_path.read_text(errors="replace").splitlines() if ln.strip()][-1:]
            raise ScreenshotError(f"the app did not start (exit {proc.returncode}): {' '.join(tail) or 'no output'}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if time.time() > deadline:
            stop(proc)
            raise ScreenshotError(f"the app did not start within {timeout_s:.0f} s on port {port}")
        time.sleep(0.5)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


class Visit:
    """One browser tab on the app: waits for what a reader would wait for, then takes the picture."""

    def __init__(self, browser, url: str):
        self.url = url
        self.page = browser.new_page(viewport=VIEWPORT, device_scale_factor=1, color_scheme="light",
                                     reduced_motion="reduce", locale="uk-UA")
        self.page.add_init_script(NO_CLOCK)

    def idle(self, timeout_ms: int = 60_000) -> None:
        """The script run is over (no «Running…» widget) and every picture on the page has loaded."""
        from playwright.sync_api import expect

        expect(self.page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=timeout_ms)
        self.page.wait_for_function(
            "sel => [...document.querySelectorAll(sel)].every(i => i.complete && i.naturalWidth > 0)",
            arg=IMAGES, timeout=timeout_ms)
        self.page.wait_for_timeout(400)  # the last layout pass after a rerun

    def shot(self) -> bytes:
        return self.page.screenshot(animations="disabled", caret="hide")

    def save(self, path: Path) -> None:
        path.write_bytes(self.shot())
        print(f"wrote {path} ({path.stat().st_size // 1024} KB)")

    def open_ask(self) -> None:
        from playwright.sync_api import expect

        self.page.goto(self.url)
        expect(self.page.get_by_test_id("stChatInputTextArea")).to_be_visible(timeout=90_000)
        expect(self.page.get_by_text("Випусків:")).to_be_visible(timeout=60_000)
        expect(self.page.get_by_text("Спробуйте запитати:")).to_be_visible(timeout=60_000)
        self.idle()

    def wait_answer(self, timeout_ms: int = 180_000) -> None:
        from playwright.sync_api import expect

        expect(self.done()).to_be_visible(timeout=timeout_ms)
        expect(self.page.get_by_text("Джерела", exact=True).first).to_be_visible(timeout=30_000)
        self.idle()

    def done(self):
        """What a finished answer carries: its collapsed «Подробиці» (the backend line is inside it)."""
        return self.page.get_by_test_id("stExpander").filter(has_text="Подробиці").first

    def show(self, locator, margin: int = 70) -> None:
        """Scroll so that the element stands `margin` px below the top of the view; the mouse out of the way."""
        for _ in range(2):  # again once the page has settled: a late layout pass (the chat's stick-to-bottom) moves it
            locator.scroll_into_view_if_needed()
            locator.evaluate("e => e.scrollIntoView({block: 'start'})")
            self.page.evaluate("m => { const c = document.querySelector('[data-testid=stMain]');"
                               " if (c) c.scrollBy(0, -m); }", margin)
            self.page.wait_for_timeout(700)
        self.rest()

    def rest(self) -> None:
        """Nothing hovered, nothing focused (no hover buttons on pictures, no focus ring on the chat box)."""
        self.page.mouse.move(VIEWPORT["width"] - 8, VIEWPORT["height"] // 2)
        self.page.evaluate("() => document.activeElement && document.activeElement.blur()")
        self.page.wait_for_timeout(300)


def ask_and_gif(browser, url: str, out: Path) -> list[tuple[bytes, int]]:
    """The question typed and answered; ask.png is the answer with its first cards; frames for ask.gif."""
    v = Visit(browser, url)
    frames: list[tuple[bytes, int]] = []
    v.open_ask()
    frames.append((v.shot(), 1600))  # what the library holds, and the example questions
    box = v.page.get_by_test_id("stChatInputTextArea")
    box.click()
    box.press_sequentially(QUESTION[:12], delay=20)
    frames.append((v.shot(), 500))
    box.press_sequentially(QUESTION[12:], delay=20)
    frames.append((v.shot(), 1000))
    box.press("Enter")
    box.evaluate("e => e.blur()")
    # While the answer appears: the page as it changes (the question posted, the search, the text) until it is
    # done; the faded page of the rerun that posts the question is left out (no chat message in it yet).
    done = v.done()
    posted = v.page.get_by_test_id("stChatMessage")
    seen: list[bytes] = []
    deadline = time.time() + 180
    while not done.is_visible() and time.time() < deadline:
        if not posted.count():
            v.page.wait_for_timeout(50)
            continue
        png = v.shot()
        if not seen or png != seen[-1]:
            seen.append(png)
    for png in seen[:1] + seen[1:][-1:]:  # the first and the last of what changed
        frames.append((png, 1000))
    v.wait_answer()
    answer = v.page.get_by_test_id("stChatMessage").nth(1)
    v.show(v.page.get_by_test_id("stChatMessage").first)
    frames.append((v.shot(), 3000))  # the question and the answer with its [n]
    v.save(out / "ask.png")
    v.show(answer.get_by_text("Джерела", exact=True))
    frames.append((v.shot(), 2200))  # the source cards
    gallery = answer.get_by_text("Зображення", exact=True)
    if gallery.count():
        v.show(gallery)
        frames.append((v.shot(), 2600))  # the pictures of the cited stories
    v.page.close()
    return frames


def pictures(browser, url: str, out: Path) -> None:
    """A fresh conversation: the page's picture example asked, its gallery in view."""
    from playwright.sync_api import expect

    v = Visit(browser, url)
    v.open_ask()
    v.page.get_by_role("button", name="Зображення:").click()
    v.wait_answer()
    answer = v.page.get_by_test_id("stChatMessage").nth(1)
    gallery = answer.get_by_text("Зображення", exact=True)
    expect(gallery).to_be_visible(timeout=30_000)
    expect(answer.locator(IMAGES).first).to_be_visible(timeout=30_000)
    v.idle()
    v.show(gallery, margin=24)
    v.save(out / "pictures.png")
    v.page.close()


def digest(browser, url: str, out: Path) -> None:
    """«Дайджест»: the newest demo issue, its first stories with their pictures and the downloads."""
    from playwright.sync_api import expect

    v = Visit(browser, f"{url}/digest")
    v.page.goto(v.url)
    expect(v.page.get_by_text("Дайджест випуску")).to_be_visible(timeout=90_000)
    expect(v.page.get_by_role("button", name="Завантажити HTML")).to_be_visible(timeout=90_000)
    expect(v.page.locator(IMAGES).first).to_be_visible(timeout=30_000)
    v.idle()
    # From the heading: the downloads, the letter, and the first story with its picture.
    v.show(v.page.locator("h3").filter(has_text="The Batch, випуск").first, margin=24)
    v.save(out / "digest.png")
    v.page.close()


def timeline(browser, url: str, out: Path) -> None:
    """«Хронологія» of a demo topic: the chart by period and the newest period's stories."""
    from playwright.sync_api import expect

    v = Visit(browser, f"{url}/timeline?topic={TOPIC}")
    v.page.goto(v.url)
    expect(v.page.get_by_text("Хронологія теми")).to_be_visible(timeout=90_000)
    chart = v.page.locator("[data-testid='stVegaLiteChart']")
    expect(chart.locator("canvas, svg").first).to_be_visible(timeout=120_000)
    expect(v.page.get_by_role("link", name="Robot Dogs Inspect Power Lines")).to_be_visible(timeout=30_000)
    v.idle()
    v.page.wait_for_timeout(800)  # vega draws its bars after the element appears
    v.rest()
    v.save(out / "timeline.png")
    v.page.close()


def write_gif(frames: list[tuple[bytes, int]], path: Path, width: int = GIF_WIDTH) -> None:
    """Frames scaled to `width`, one shared palette (small, no flicker), looping."""
    from PIL import Image

    shots = []
    for png, _ in frames:
        im = Image.open(io.BytesIO(png)).convert("RGB")
        shots.append(im.resize((width, round(im.height * width / im.width)), Image.Resampling.LANCZOS))
    # One palette for all frames, from a strip of every frame, so colours do not shift from frame to frame.
    strip = Image.new("RGB", (width, sum(s.height for s in shots)))
    y = 0
    for s in shots:
        strip.paste(s, (0, y))
        y += s.height
    palette = strip.quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    paletted = [s.quantize(palette=palette, dither=Image.Dither.NONE) for s in shots]
    paletted[0].save(path, save_all=True, append_images=paletted[1:], duration=[d for _, d in frames], loop=0,
                     optimize=True, disposal=1)
    print(f"wrote {path} ({path.stat().st_size // 1024} KB, {len(frames)} frames)")


def run(out: Path, port: int, chromium: Path) -> None:
    if not port_is_free(port):
        raise ScreenshotError(f"port {port} is in use: the app cannot start there (choose another with --port)")
    if not chromium.exists():
        raise ScreenshotError(f"{chromium} is absent (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise ScreenshotError("playwright is not installed (pip install playwright)") from exc
    from batchrag.service.demo import build_demo_library
    from batchrag.settings import Settings

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="batchrag-shots-") as tmp:
        data = Path(tmp) / "data"
        print("building the demo library…", flush=True)
        demo = build_demo_library(Settings(data_dir=data))
        proc = start_app(data, demo.base_url, port, Path(tmp) / "streamlit.log")
        url = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=str(chromium), headless=True,
                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                          "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
                          "--font-render-hinting=none"],
                )
                try:
                    frames = ask_and_gif(browser, url, out)
                    write_gif(frames, out / "ask.gif")
                    pictures(browser, url, out)
                    digest(browser, url, out)
                    timeline(browser, url, out)
                finally:
                    browser.close()
        finally:
            stop(proc)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "img", help="folder for the pictures (docs/img)")
    ap.add_argument("--port", type=int, default=0, help="port for the app (default: a free one)")
    ap.add_argument("--chromium", type=Path, default=CHROMIUM, help="the Chromium binary (/usr/bin/chromium)")
    args = ap.parse_args(argv)
    try:
        run(args.out, args.port or free_port(), args.chromium)
    except ScreenshotError as exc:
        print(f"screenshots.py: error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a wait that timed out, a selector that changed: one line, not a page of trace
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(f"screenshots.py: error: {type(exc).__name__}: {first}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
