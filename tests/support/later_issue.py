"""The fixture site with its newest issue not yet published: `site.publish()` puts it out, as a new Tuesday would."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from batchrag.crawl.fixture_server import FixtureHandler, FixtureSite, start_fixture_site

LATER = "/the-batch/issue-5/"  # found only by probing (in no sitemap or listing): a new issue, once published
LATER_STORY = "Robot Dogs Inspect Power Lines"


@dataclass
class LaterSite(FixtureSite):
    published: threading.Event = field(default_factory=threading.Event)
    delay_s: float = 0.0  # per page: a slow site keeps a crawl running long enough to race it

    def publish(self) -> None:
        self.published.set()


class LaterHandler(FixtureHandler):
    def special(self, path: str, n: int) -> bool:
        if self.site.delay_s:
            time.sleep(self.site.delay_s)
        if path.startswith(LATER) and not self.site.published.is_set():
            self.send(404, b"not found")
            return True
        return False


def start_later_site(delay_s: float = 0.0) -> LaterSite:
    return start_fixture_site(handler=LaterHandler, site_class=LaterSite, delay_s=delay_s)  # type: ignore[return-value]
