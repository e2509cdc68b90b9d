"""Over the real saved pages (../shared/thebatch): every numbered issue's digest holds exactly its stories, in
page order, each with its picture when the page has one."""

from __future__ import annotations

import pytest

from batchrag.service import Library
from batchrag.service.digest import Digester
from batchrag.settings import Settings
from tests.crawl.test_parse_real import _archive, _issues


def test_every_numbered_issue_digest_is_its_stories_in_page_order(shared_dir, tmp_path):
    root = shared_dir / "thebatch"
    if not root.is_dir():
        pytest.skip("../shared/thebatch is absent")
    s = Settings(data_dir=tmp_path / "data", download_images=False)
    Library(s).ingest_dir(root)
    pages = {p.issue: p for p in _issues(_archive(str(root))).values() if p.issue is not None}
    dg = Digester(s)
    assert set(dg.issues()) == set(pages)
    for n, page in pages.items():
        d = dg.digest(n, summarise=False)
        assert [x.url for x in d.stories] == [a.url for a in sorted(page.articles, key=lambda a: a.position)], n
        for story, art in zip(d.stories, sorted(page.articles, key=lambda a: a.position), strict=True):
            assert story.title and story.summary, (n, art.title)  # a letter may take its standalone twin's title
            if art.images:
                assert story.picture is not None and story.picture.url == min(art.images, key=lambda i: i.position).url
            else:
                assert story.picture is None
