"""Chunking: paragraph boundaries, overlap, title prepended, a title+lead passage of its own."""

import dataclasses
from datetime import date

from batchrag.domain.types import StoredArticle
from batchrag.index.chunk import chunk_article


def _art(text: str) -> StoredArticle:
    return StoredArticle(
        id=7,
        url="https://x.test/a",
        title="Robots Learn to Cook",
        text=text,
        section="story",
        issue=3,
        date=date(2030, 1, 1),
        tags=[],
        images=[],
        content_hash="h",
    )


def test_short_article_is_one_title_lead_passage():
    ps = chunk_article(_art("One short paragraph.\nAnother one."), chunk_words=50, overlap_words=5)
    assert len(ps) == 1
    assert ps[0].text.startswith("Robots Learn to Cook\n") and "Another one." in ps[0].text
    assert ps[0].id == "7:0" and ps[0].article_id == 7 and ps[0].issue == 3


def test_long_article_covers_every_paragraph_with_overlap():
    pars = [f"Paragraph {i} " + " ".join(f"w{i}x{j}" for j in range(40)) for i in range(10)]
    ps = chunk_article(_art("\n".join(pars)), chunk_words=100, overlap_words=10)
    assert len(ps) >= 5
    body = "\n".join(p.text for p in ps[1:])
    for i in range(10):
        assert f"w{i}x39" in body  # nothing lost
    for p in ps:
        assert p.text.startswith("Robots Learn to Cook\n")
        assert len(p.text.split()) <= 100 + 10 + 60  # window + overlap + title/one paragraph slack
    # consecutive windows share words (the overlap)
    a, b = set(ps[1].text.split()), set(ps[2].text.split())
    assert len(a & b) >= 10


def test_giant_paragraph_is_split():
    ps = chunk_article(_art(" ".join(f"t{i}" for i in range(1000))), chunk_words=200, overlap_words=0)
    assert len(ps) >= 6 and "t999" in ps[-1].text


def test_whole_article_mode_is_one_record_of_the_full_text():
    text = "\n".join(f"Paragraph {i} " + "word " * 60 for i in range(8))
    ps = chunk_article(_art(text), chunk_words=50, overlap_words=5, whole=True)
    assert len(ps) == 1 and ps[0].id == "7:0"
    assert ps[0].text == "Robots Learn to Cook\n" + text.strip()


def test_letters_name_their_author_once():
    titled = _art("Dear friends,\nSome text.").__class__(**{**_art("Dear friends,\nSome text.").__dict__,
                                                            "section": "letter", "title": "Learn to Code"})
    assert chunk_article(titled)[0].text.startswith("Letter from Andrew Ng: Learn to Code\nDear friends,")
    untitled = titled.__class__(**{**titled.__dict__, "title": "Letter from Andrew Ng, issue 3"})
    assert chunk_article(untitled)[0].text.startswith("Letter from Andrew Ng, issue 3\n")
    story = _art("Robots cook.")
    assert chunk_article(story)[0].text.startswith("Robots Learn to Cook\n")


def test_letters_are_cut_finer_than_stories():
    """A letter's passages are ~letter_chunk_words long, a story's ~chunk_words (records.window_of)."""
    from batchrag.index.records import passage_rows, window_of
    from batchrag.settings import Settings

    s = Settings(_env_file=None)
    body = "\n".join(f"Paragraph {i} " + " ".join(f"w{i}x{j}" for j in range(40)) for i in range(20))
    story, letter = _art(body), dataclasses.replace(_art(body), section="letter")
    assert window_of(story, s) == (s.index.chunk_words, s.index.chunk_overlap_words)
    assert window_of(letter, s) == (s.index.letter_chunk_words, s.index.letter_chunk_overlap_words) == (90, 20)
    n_story, n_letter = len(passage_rows(story, s)), len(passage_rows(letter, s))
    assert n_letter > 1.6 * n_story
    longest = max(len(r["text"].split()) for r in passage_rows(letter, s)[1:])
    assert longest <= s.index.letter_chunk_words + s.index.letter_chunk_overlap_words + 12  # + heading words


def test_an_untitled_letters_rows_carry_its_reader_title_and_embed_as_before():
    """Cards read the row's title; the embedded heading stays the stored title (no re-embedding for a new name)."""
    from batchrag.index.records import passage_rows
    from batchrag.settings import Settings

    letter = dataclasses.replace(
        _art("Dear friends,\nRobots that cook will change kitchens. More on that.\nKeep learning!"),
        section="letter", title="Letter from Andrew Ng, issue 3",
    )
    (row,) = passage_rows(letter, Settings(_env_file=None))
    assert row["title"] == "Letter from Andrew Ng: Robots that cook will change kitchens"
    assert row["text"].startswith("Letter from Andrew Ng, issue 3\nDear friends,")
