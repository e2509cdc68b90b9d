"""The site's rules: which URLs are issues, heading slugs, and when a standalone page is an issue story's twin."""

from __future__ import annotations

from datetime import date

import pytest

from batchrag.domain.site import (
    IssueStories,
    is_issue_url,
    issue_number,
    issue_slug_match,
    reader_title,
    same_story,
    slugify,
    twin_title,
)
from batchrag.domain.types import ParsedArticle

BASE = "https://www.deeplearning.ai/the-batch"


@pytest.mark.parametrize("slug", ["issue-1", "issue-119-2", "issue-xvi", "issue-ii", "issue-290", "issue-lc"])
def test_issue_slugs_are_accepted(slug):
    assert issue_slug_match(slug)
    assert is_issue_url(f"{BASE}/{slug}/") and is_issue_url(f"{BASE}/{slug}") and is_issue_url(f"{BASE}/{slug}/#letter")


@pytest.mark.parametrize("slug", ["issue-", "issue", "issue-12a", "issue-xyz", "issue-1-", "issue-1-b", "Issue-1",
                                  "my-issue-1", "issue-1/extra", "tiny-models-match-big", "issues-3"])
def test_other_slugs_are_rejected(slug):
    assert issue_slug_match(slug) is None
    assert not is_issue_url(f"{BASE}/{slug}/")


def test_issue_urls_need_the_batch_route():
    assert not is_issue_url(f"{BASE}/tag/issue-3/")
    assert not is_issue_url("https://www.deeplearning.ai/issue-3/")


def test_issue_number():
    assert issue_number("issue-119-2") == 119
    assert issue_number(f"{BASE}/issue-290/") == 290
    assert issue_number("issue-xvi") is None  # roman specials have no number
    assert issue_number(f"{BASE}/ai-for-farmers/") is None


def test_slugify_is_ghosts_anchor():
    assert slugify("Small Models, Big Context") == "small-models-big-context"
    assert slugify("Kraków’s Café: 10× Faster!") == "krakows-cafe-10-faster"
    assert slugify("  --What’s new?--  ") == "whats-new"
    assert slugify("Что нового") == "story"  # no ASCII word left


PARAS = [
    "What’s new: Researchers at an invented lab trained a 1-billion-parameter model that matches a 70-billion one.",
    "How it works: The team distilled the large model's outputs on 2 million synthetic math problems.",
    "Results: On a grade-school math benchmark, the small model scored 81 percent, the large one 83 percent.",
    "Why it matters: Small models run on phones, so strong reasoning no longer needs a data center.",
]


def _art(title: str, lines: list[str], day: date | None, section: str = "story", url: str = "") -> ParsedArticle:
    return ParsedArticle(url=url or f"{BASE}/{slugify(title)}/", title=title, text="\n".join(lines),
                         section=section, date=day)


def test_standalone_page_is_the_twin_of_the_story_it_repeats():
    story = _art("Tiny Models, Big Scores", ["Tiny Models, Big Scores", *PARAS], date(2024, 5, 22))
    other = _art("Robots Fold Laundry", ["A robot folded towels after watching 400 human demonstrations."] * 2,
                 date(2024, 5, 22))
    page = _art("Tiny Models, Big Scores: A small model matches a big one", PARAS, date(2024, 5, 23), "article")
    assert same_story(page, story) and not same_story(page, other)
    assert IssueStories([other, story]).twin_of(page) is story


def test_half_the_paragraphs_and_the_date_window_decide():
    story = _art("Tiny Models, Big Scores", PARAS[:2] + ["An editor's extra paragraph that only the issue has, long."],
                 date(2024, 5, 22))
    new = "A new paragraph written for the standalone page, long enough to count."
    less_than_half = _art("Tiny Models", PARAS[:2] + [new] * 3, date(2024, 5, 22), "article")
    assert same_story(_art("x", PARAS[:2] + PARAS[3:], date(2024, 5, 22)), _art("y", PARAS[:2], date(2024, 5, 22)))
    assert same_story(_art("Tiny Models", PARAS[:2] + [new] * 2, date(2024, 5, 22)), story)  # 2 of 4: half
    assert not same_story(less_than_half, story)  # 2 of 5
    assert same_story(_art("Tiny", PARAS[:2], date(2024, 5, 30)), story)  # 8 days apart
    assert not same_story(_art("Tiny", PARAS[:2], date(2024, 5, 31)), story)  # 9 days apart
    assert same_story(_art("Tiny", PARAS[:2], None), story)  # an undated page is judged by its text


def test_same_title_without_shared_paragraphs_is_not_a_twin():
    story = _art("Tiny Models, Big Scores", PARAS[:2], date(2024, 5, 22))
    page = _art("Tiny Models, Big Scores", ["An opinion piece about small models, with nothing from the news item."],
                date(2024, 5, 22), "article")
    assert not same_story(page, story)


def test_a_headless_letter_takes_its_pages_headline():
    letter = _art("Letter from Andrew Ng, issue 250", ["Dear friends,", *PARAS], date(2024, 5, 22), "letter")
    page = _art("Why Small Models Matter: A letter on efficiency", ["Dear friends,", *PARAS], date(2024, 5, 22),
                "letter")
    assert twin_title(letter, page) == "Why Small Models Matter"
    story = _art("Tiny Models, Big Scores", PARAS, date(2024, 5, 22))
    assert twin_title(story, page) == "Tiny Models, Big Scores"


def test_an_untitled_letter_reads_as_its_first_sentence():
    text = ("Dear friends,\nFine-tuning small language models has been gaining traction over the past half year. I’d like"
            " to share my sense of when to use it.\nSecond paragraph.")
    assert reader_title("letter", "Letter from Andrew Ng, issue 250", text) == (
        "Letter from Andrew Ng: Fine-tuning small language models has been gaining traction over the past half…"
    )
    assert reader_title("letter", "Letter from Andrew Ng, issue 9", "Dear friends,\nKeep learning.") == (
        "Letter from Andrew Ng: Keep learning"
    )
    # A titled letter, a story, and a letter with no text keep their titles.
    assert reader_title("letter", "Learn to Code", text) == "Learn to Code"
    assert reader_title("story", "Letter from Andrew Ng, issue 250", text) == "Letter from Andrew Ng, issue 250"
    assert reader_title("letter", "Letter from Andrew Ng, issue 3", "Dear friends,") == "Letter from Andrew Ng, issue 3"
