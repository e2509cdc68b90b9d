"""The one JSON rule: dataclasses, dates and paths; a type's own contract (Answer) wins."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from batchrag.domain.types import Answer, Hit, ImageHit, ImageRef, Source, to_jsonable


def test_dataclasses_dates_and_paths():
    h = Hit(1, "https://x/a", "T", date(2024, 5, 1), 250, "story", "text", 0.5, images=[ImageRef("https://x/i.png")])
    j = to_jsonable({"hits": [h], "where": Path("/tmp/d")})
    assert j["hits"][0]["date"] == "2024-05-01" and j["hits"][0]["images"][0]["url"] == "https://x/i.png"
    assert j["where"] == "/tmp/d" and json.dumps(j)
    assert h.to_json() == j["hits"][0]


def test_answer_keeps_its_contract_even_inside_other_objects():
    a = Answer("Так [1].", [Source(1, 7, "T", "https://x/a", date(2024, 5, 1), 250, "s", 0.9, cited=True)],
               [ImageHit("https://x/i.png", "alt", "", 7, "https://x/a", "T", 0.4, "250/i.png")],
               "ollama", "llama3.1:8b", "uk", True, "q", "none")
    assert to_jsonable(a) == a.to_json() == to_jsonable([a])[0]
    assert a.to_json()["sources"] == [{"n": 1, "title": "T", "url": "https://x/a", "date": "2024-05-01",
                                       "issue": 250, "cited": True}]
    assert a.to_json()["images"] == [{"url": "https://x/i.png", "path": "250/i.png", "alt": "alt",
                                      "article_url": "https://x/a"}]
