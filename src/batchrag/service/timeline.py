"""A topic's story through the years: every story about it, grouped by quarter or year, with one line each and,
from a capable model, one cited Ukrainian sentence per period."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from functools import partial

from batchrag.answer.checked import CheckedWriter, Sources
from batchrag.answer.citations import filter_citations, strip_markup
from batchrag.answer.question import prepare_question
from batchrag.domain.errors import BatchragError
from batchrag.domain.types import Hit, JsonMixin
from batchrag.llm.prompts import PERIOD_PROMPT_VERSION, build_period_messages
from batchrag.retrieve.rewrite.standalone import Rewrite, rewrite_question
from batchrag.service.digest import lead_of
from batchrag.service.library import Library

PERIODS = ("auto", "quarter", "year")
QUARTERS_UP_TO_YEARS = 3  # auto: quarters when the stories span this many years or fewer, else years
SOURCES_PER_PERIOD = 6  # the best stories of a period the model reads for its sentence


@dataclass
class TimelineStory(JsonMixin):
    article_id: int
    title: str
    date: date | None
    url: str
    issue: int | None
    section: str
    line: str  # the story's first sentence (its own words, English)
    score: float


@dataclass
class Period(JsonMixin):
    label: str  # 2023 | 2023 Q2
    start: date
    stories: list[TimelineStory] = field(default_factory=list)
    sentence: str = ""  # a capable model's one cited Ukrainian sentence ("" without one)
    cited: list[int] = field(default_factory=list)  # article ids its [n] point to, in order


@dataclass
class Timeline(JsonMixin):
    topic: str
    english: str | None  # the English rewrite searched with it, None when there was none
    rewrite: str  # the rewrite status, as `ask --json` words it
    names: list[str]  # names every story contains
    discovered: list[str]  # of which found in the best stories
    rule: str  # phrase | names+floor | terms | floor (docs/digest-timeline.md)
    by: str  # quarter | year
    periods: list[Period] = field(default_factory=list)
    model: str = ""
    notes: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)  # a nameless topic's English terms (rule "terms"), best first

    @property
    def count(self) -> int:
        return sum(len(p.stories) for p in self.periods)

    def stories(self) -> list[TimelineStory]:
        return [s for p in self.periods for s in p.stories]


def period_of(d: date, by: str) -> tuple[str, date]:
    if by == "year":
        return str(d.year), date(d.year, 1, 1)
    q = (d.month - 1) // 3
    return f"{d.year} Q{q + 1}", date(d.year, 3 * q + 1, 1)


def choose_period(dates: list[date], by: str) -> str:
    if by in ("quarter", "year"):
        return by
    if not dates:
        return "year"
    return "quarter" if max(dates).year - min(dates).year < QUARTERS_UP_TO_YEARS else "year"


def _line(passage: str) -> str:
    body = passage.split("\n", 1)[1] if "\n" in passage else passage  # the first line is the title
    return lead_of(body, 1, 220)


def build_timeline(assistant, topic: str, *, date_from: date | None = None, date_to: date | None = None,
                   by: str = "auto", explain: bool = True, english: str | None = None) -> Timeline:
    """The timeline of `topic` over assistant's library; `explain` lets a capable model write each period's line.

    The topic is rewritten into English when a model can, unless `english` gives the rewrite (as `search` takes it)."""
    if by not in PERIODS:
        raise BatchragError(f"unknown period {by!r}; use one of {', '.join(PERIODS)}")
    text = prepare_question(topic, assistant.settings.answer.max_question_chars).text
    rw = Rewrite(english, "given") if english else rewrite_question(text, [], assistant.settings)
    retriever = assistant.retriever
    match = retriever.topic(text, english_query=rw.query, date_from=date_from, date_to=date_to)
    snap = retriever.snap
    stories = []
    for aid, score in match.scores.items():
        a = snap.article[aid]
        if a["date"] is None:
            continue
        stories.append(TimelineStory(aid, a["title"], a["date"], a["url"], a["issue"], a["section"],
                                     _line(snap.p_text[a["row"]]), round(score, 4)))
    stories.sort(key=lambda s: (s.date, s.issue or 0, s.article_id))
    unit = choose_period([s.date for s in stories], by)
    t = Timeline(text, rw.query, rw.status, match.names, match.discovered, match.rule, unit, terms=match.terms)
    for s in stories:
        label, start = period_of(s.date, unit)
        if not t.periods or t.periods[-1].label != label:
            t.periods.append(Period(label, start))
        t.periods[-1].stories.append(s)
    if explain and t.periods:
        _explain(assistant, t)
    return t


def _one_line(reply: str, n: int) -> str:
    """A period's sentence: markup stripped, one line, citations to none of its `n` sources dropped."""
    return filter_citations(" ".join(strip_markup(reply)[0].split()), n)[0]


def _explain(assistant, t: Timeline) -> None:
    """One cited Ukrainian sentence per period from a capable model, each kept in the store; never the demo model's."""
    backend = assistant.backend
    if not backend.writes_answers:
        t.notes.append("no capable model: the periods have no sentence of their own")
        return

    store = Library(assistant.settings).store
    model = f"{backend.name}:{backend.model}"
    writer = CheckedWriter(assistant.settings, backend)
    for p in t.periods:
        best = sorted(p.stories, key=lambda s: -s.score)[:SOURCES_PER_PERIOD]
        ids = ",".join(str(s.article_id) for s in best)
        key = f"period:{hashlib.sha256(f'{t.topic}|{ids}'.encode()).hexdigest()[:24]}:{model}:{PERIOD_PROMPT_VERSION}"
        hits = [Hit(s.article_id, s.url, s.title, s.date, s.issue, s.section,
                    assistant.retriever.snap.p_text[assistant.retriever.snap.article[s.article_id]["row"]], s.score)
                for s in best]
        text = store.get_summary(key)
        if text is None:
            # A sentence that fails is kept as "": the period then shows its stories alone, and no quotes.
            written = writer.write_all(
                build_period_messages(t.topic, p.label, hits), Sources("\n".join(h.text for h in hits), len(hits)),
                max_tokens=160, temperature=assistant.settings.llm.temperature, tidy=partial(_one_line, n=len(hits)),
            )
            if written.error is not None:
                t.notes.append(f"model failed: {written.error}")
                return
            text = written.text
            store.put_summary(key, text, kind="period", model=model, prompt_version=PERIOD_PROMPT_VERSION)
        if text:
            _, cited, _ = filter_citations(text, len(hits))
            p.sentence, p.cited = text, [hits[n - 1].article_id for n in cited]
    if any(p.sentence for p in t.periods):
        t.model = model
