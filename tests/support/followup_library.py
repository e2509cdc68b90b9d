"""A library of invented stories where each kind of follow-up (service/followups.py) has one answer: a question
about a towel-folding robot by OpenAI, an older story named after the network it builds on, a later story of the
same topic and a newer OpenAI story, among unrelated ones (the fixture corpus's: a name of two stories in 22 narrows
the archive down, as retrieve/topic.py asks of a topic's name)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from batchrag.domain.types import ParsedArticle
from batchrag.index.sync import sync
from batchrag.settings import Settings
from batchrag.store import open_store
from tests.support.corpus import ARTICLES

QUESTION = "Як робот FoldBot складає рушники за секунди?"  # answered from «Robot Arm Folds Towels in Seconds» (k=1)
BASE = "https://example.test/the-batch"
STORIES = [  # invented stories: (slug, day, title, text)
    ("gripnet", date(2029, 6, 3), "Gripnet Learns to Grasp Soft Objects",
     "What's new: Researchers released Gripnet, a grasping network that picks up cloth, bags and sponges."),
    ("towels", date(2030, 1, 8), "Robot Arm Folds Towels in Seconds",
     "What's new: OpenAI showed FoldBot, a two-armed robot that folds towels in seconds. The robot builds on Gripnet "
     "to find the corners of each towel, then plans its folds from camera images."),
    ("hotels", date(2030, 5, 12), "Towel-Folding Robots Reach Hotel Laundries",
     "What's new: FoldBot robots began work in hotel laundries, folding thousands of towels a day."),
    ("openai-lab", date(2031, 2, 2), "OpenAI Opens a Hardware Lab",
     "What's new: OpenAI opened a lab that builds its own hardware for training models."),
    ("glaciers", date(2030, 3, 1), "Satellites Track Melting Glaciers",
     "What's new: A segmentation network traced glacier edges in thirty years of satellite images."),
    ("birds", date(2030, 4, 1), "Identifying Birds by Their Songs",
     "What's new: An app recognises bird species from a few seconds of recorded song."),
    ("chess", date(2030, 6, 1), "Language Model Learns Chess Without a Board",
     "What's new: A transformer trained only on move lists learned to play legal chess."),
]


EXPECTED = {"topic": f"{BASE}/hotels/", "link": f"{BASE}/gripnet/", "company": f"{BASE}/openai-lab/"}


def build(root: Path) -> Settings:
    """The stories in a fresh store under `root`, indexed; answered with quotes, no rewrite."""
    s = Settings(data_dir=root, rewrite="off", llm_backend="extractive")
    store = open_store(s)
    with ARTICLES.open(encoding="utf-8") as fp:
        assert store.import_jsonl(fp)["failed"] == 0
    for i, (slug, day, title, text) in enumerate(STORIES):
        store.upsert_article(ParsedArticle(f"{BASE}/{slug}/", title, text, section="story", issue=900 + i, date=day))
    sync(store, s)
    return s
