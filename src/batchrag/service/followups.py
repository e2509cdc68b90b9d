"""Next questions the archive can answer (issue 43): up to three follow-ups under an answer, each built from a story
of the archive that the answer neither cited nor showed.

The answer rests on one story most: its first cited source (else its best hit), the anchor.
- topic: the next story of the question's topic in its timeline (retrieve/topic.py's cut, as `batchrag timeline`
  builds it), the first one dated after the anchor;
- link: the story a cited one points to. The store keeps a story's words, not its hyperlinks (crawl/post_html.py
  flattens an <a> into its text), so a link here is a reference by name: a model, product or project that a cited
  anchor names in its text and that an older story of the archive carries in its title;
- company: the same company's newer story: the next story named after the company the anchor is about (its
  title's, else its opening's), else the next one whose opening names it.

A story is offered only when its title names it (a title no other story has, not «Letter from Andrew Ng, issue 23»):
the follow-up is worded from it, as a Ukrainian question by a model that writes (llm/prompts.py) or as «Більше про
“<title>”» without one, and its own search must find that story. bench/followup_bench.py measures it: on the whole
archive, dev-reader's 38 text questions answered with quotes get 47 follow-ups (1.24 each), and the search of 95.7 %
of them ranks the story they were built from first (topic 1.0, link 0.94, company 0.95); ~1.6 s a turn on 2 CPUs,
after the answer, mostly the topic's cut.
"""

from __future__ import annotations

import logging
import re
import weakref
from collections import Counter
from dataclasses import dataclass, field

from batchrag.answer.checked import CheckedWriter, Sources
from batchrag.answer.language import is_ukrainian
from batchrag.domain.types import Answer, JsonMixin, SearchResult
from batchrag.llm.prompts import FOLLOWUP_TEMPLATE_UK, build_followup_messages
from batchrag.retrieve.topic import is_name, name_pattern

log = logging.getLogger(__name__)

MAX_FOLLOWUPS = 3
MAX_QUESTION_CHARS = 200  # a model's question longer than this is no button: the title's template instead
# Companies whose stories a reader follows; the names as the archive writes them (a hand list: no model guesses).
COMPANIES = (
    "OpenAI", "Google", "DeepMind", "Meta", "Facebook", "Microsoft", "Anthropic", "Amazon", "Apple", "Nvidia",
    "Baidu", "Alibaba", "Tencent", "ByteDance", "Huawei", "Samsung", "IBM", "Intel", "AMD", "Tesla", "Mistral AI",
    "Hugging Face", "Stability AI", "Midjourney", "Cohere", "xAI", "DeepSeek", "Adobe", "Salesforce", "Waymo", "Uber",
    "AI21", "Qualcomm", "Netflix", "Twitter", "TikTok", "Character.AI",
)  # not Inflection, Perplexity, Runway: a capitalised common word (Inflection points…) would read as the company
_COMPANY_PATTERNS = {c: name_pattern(c) for c in COMPANIES}
_GENERIC_TITLE = re.compile(r"^(Letter from Andrew Ng, issue |Data Points$|New Machine Learning Resources$)")
_WORD = re.compile(r"[^\W_][\w·.+\-']*")
_LOWER: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # snapshot -> its lower-case words


@dataclass
class StoryRef(JsonMixin):
    url: str
    title: str


@dataclass
class Followup(JsonMixin):
    """One next question and the story it leads to (a click asks `question`)."""

    question: str
    story: StoryRef
    why: str  # topic | link | company
    article_id: int = field(default=0, repr=False)

    def to_json(self) -> dict:
        return {"question": self.question, "story": {"url": self.story.url, "title": self.story.title},
                "why": self.why}


class _Archive:
    """The snapshot's stories as the follow-ups read them: titles, dates, openings, which titles name one story."""

    def __init__(self, retriever) -> None:
        self.retriever, self.snap = retriever, retriever.snap
        self.article = self.snap.article
        counts = Counter(a["title"] for a in self.article.values())
        self.named = {aid for aid, a in self.article.items()
                      if counts[a["title"]] == 1 and a["title"].strip() and not _GENERIC_TITLE.match(a["title"])}

    def lead(self, aid: int) -> str:
        return self.snap.p_text[self.article[aid]["row"]]

    def text(self, aid: int) -> str:
        rows = (self.snap.p_article == aid).nonzero()[0].tolist()
        return "\n".join(self.snap.p_text[i] for i in rows)

    def when(self, aid: int) -> tuple:
        a = self.article[aid]
        return (a["date"].toordinal() if a["date"] else 0, a["issue"] or 0, aid)


def _anchor(arc: _Archive, answer: Answer, result: SearchResult) -> int | None:
    """The story the answer rests on most: its first cited source (the best ranked of those it quotes), else the
    best hit."""
    cited = [s.article_id for s in answer.sources if s.cited and s.article_id in arc.article]
    best = cited or [h.article_id for h in result.hits[:1] if h.article_id in arc.article]
    return best[0] if best else None


def _next_in_topic(arc: _Archive, question: str, result: SearchResult, anchor: int, shown: set[int]) -> int | None:
    """The first story of the question's timeline dated after the anchor; none when the anchor is not in that
    timeline (the answer rests on another topic than the one its question names)."""
    english = result.searched_query if result.searched_query.strip() != question.strip() else None
    match = arc.retriever.topic(question, english_query=english)
    day = arc.article[anchor]["date"]
    # "floor": stories merely close in meaning, no name or term they share: no topic to follow
    if match.rule == "floor" or anchor not in match.scores or day is None:
        return None
    later = [a for a in match.scores if a in arc.named and a not in shown
             and arc.article[a]["date"] is not None and arc.article[a]["date"] > day]
    return min(later, key=arc.when) if later else None


def _lower_words(snap) -> set[str]:
    """Every word the archive writes in lower case (then, their, enterprise): a capitalised one of them is a
    sentence's first word or a title's, not a name. Built once per snapshot."""
    words = _LOWER.get(snap)
    if words is None:
        words = _LOWER[snap] = {w for text in snap.p_text for w in _WORD.findall(text) if w.islower()}
    return words


def _names_in(text: str, common: set[str]) -> list[str]:
    """Names a story uses, in order: runs of up to three name words with no punctuation between, the first not a
    common word capitalised (a sentence's first word) unless it has a digit or an inner capital (GPT-4, DeepNash)."""
    out: list[str] = []
    for line in text.split("\n")[1:]:  # the first line is the title: its Title Case makes every word look a name
        raw = _WORD.findall(line)
        toks = [re.sub(r"['’]s$", "", t.rstrip(".,'’")) for t in raw]
        i = 0
        while i < len(toks):
            if not is_name(toks[i]):
                i += 1
                continue
            j = i + 1
            while j < len(toks) and j - i < 3 and is_name(toks[j]) and raw[j - 1] == toks[j - 1]:
                j += 1
            first = toks[i]
            if not any(c.isalpha() for c in first):  # a number (2022, 138) names nothing
                pass
            elif first.lower() not in common or any(c.isdigit() for c in first) or any(c.isupper() for c in first[1:]):
                out.append(" ".join(toks[i:j]))
            i = j
    return list(dict.fromkeys(n for n in out if len(n) > 2))


def _linked(arc: _Archive, anchor: int, shown: set[int]) -> int | None:
    """An older story whose title carries a name the anchor's text uses (the rarest such name wins)."""
    own = arc.article[anchor]["title"]
    best: tuple[int, int] | None = None  # (how many titles carry the name, the story)
    for name in _names_in(arc.text(anchor), _lower_words(arc.snap)):
        if name in own or name in _COMPANY_PATTERNS:
            continue
        pat = name_pattern(name)
        titled = [a for a in arc.article if pat.search(arc.article[a]["title"])]
        older = [a for a in titled if a in arc.named and a not in shown and arc.when(a) < arc.when(anchor)]
        if older and len(titled) <= 3 and (best is None or len(titled) < best[0]):
            best = (len(titled), max(older, key=arc.when))
    return best[1] if best else None


def _company_of(arc: _Archive, anchor: int) -> str | None:
    """The company a story is about: the first its title names, else the one its opening names most."""
    title, lead = arc.article[anchor]["title"], arc.lead(anchor)
    in_title = [c for c, p in _COMPANY_PATTERNS.items() if p.search(title)]
    if in_title:
        return in_title[0]
    counts = {c: len(p.findall(lead)) for c, p in _COMPANY_PATTERNS.items()}
    company, n = max(counts.items(), key=lambda kv: kv[1])
    return company if n else None


def _newer_of_company(arc: _Archive, anchor: int, shown: set[int]) -> int | None:
    company = _company_of(arc, anchor)
    if company is None:
        return None
    pat = _COMPANY_PATTERNS[company]
    newer = [a for a in arc.named if a not in shown and arc.when(a) > arc.when(anchor)]
    # The next story named after the company, else the next whose opening names it: the nearest in time goes on
    # from the anchor (the newest would be the same story under every answer about the company).
    for where in (lambda a: arc.article[a]["title"], arc.lead):
        found = [a for a in newer if pat.search(where(a))]
        if found:
            return min(found, key=arc.when)
    return None


def _word(backend, settings, title: str, lead: str) -> str:
    """The follow-up as a reader's question: a model that writes words it in Ukrainian; else (or when its text is
    no short Ukrainian question) «Більше про “<title>”»."""
    plain = FOLLOWUP_TEMPLATE_UK.format(title=title.strip())
    if backend.quotes_only or not backend.writes_answers:
        return plain
    written = CheckedWriter(settings, backend).write_all(
        build_followup_messages(title, lead), Sources(lead, 1, need_citation=False), max_tokens=60,
        temperature=0.0, tidy=lambda raw: " ".join(raw.strip().split("\n")[0].split()).strip(" «»\"“”"))
    q = written.text if written.passed else ""
    return q if q.endswith("?") and len(q) <= MAX_QUESTION_CHARS and is_ukrainian(q) else plain


def offer_followups(assistant, question: str, result: SearchResult, answer: Answer,
                    limit: int = MAX_FOLLOWUPS) -> list[Followup]:
    """Up to `limit` follow-ups for an answered turn (none for a refusal: nothing the answer rests on)."""
    if answer.refused or not result.hits:
        return []
    arc = _Archive(assistant.retriever)
    shown = {h.article_id for h in result.hits} | {s.article_id for s in answer.sources}
    anchor = _anchor(arc, answer, result)
    if anchor is None:
        return []
    picks: list[tuple[str, int]] = []

    def take(why: str, aid: int | None) -> None:
        if aid is not None and aid not in shown:
            picks.append((why, aid))
            shown.add(aid)

    take("topic", _next_in_topic(arc, question, result, anchor, shown))
    take("link", _linked(arc, anchor, shown))
    take("company", _newer_of_company(arc, anchor, shown))
    out = []
    for why, aid in picks[:limit]:
        a = arc.article[aid]
        text = _word(assistant.backend, assistant.settings, a["title"], arc.lead(aid))
        out.append(Followup(text, StoryRef(a["url"], a["title"]), why, aid))
    return out
