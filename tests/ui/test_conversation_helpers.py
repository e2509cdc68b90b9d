"""Pure helpers of the kept conversations: which sentences of a passage an answer used (and their marks on a card),
share links, list labels, a kept turn drawn as it was shown."""

from __future__ import annotations

from datetime import UTC, date, datetime

from batchrag.domain.types import Answer, ImageHit, Source
from batchrag.service.conversation_types import Conversation, KeptTurn
from batchrag.ui.highlight import claims, sentences, used_sentences
from batchrag.ui.history import conversation_label
from batchrag.ui.render import local_day, marked_passage, source_cards
from batchrag.ui.sharing import app_root, share_url
from batchrag.ui.turns import from_stored

PASSAGE = ("Robot Dogs Inspect Power Lines\nWhat’s new: A utility deployed four-legged robots that walk along "
           "transmission corridors. How it works: An object detector flags damaged insulators; a human inspector "
           "reviews each flag. We’re thinking: Dull, dangerous inspections are a good first job for legged robots.")


def test_sentences_split_at_ends_and_the_title_line():
    s = sentences(PASSAGE)
    assert s[0] == "Robot Dogs Inspect Power Lines" and s[1].startswith("What’s new:") and len(s) == 4
    assert " ".join(s) == " ".join(PASSAGE.split())
    assert sentences("") == [] and sentences("  \n ") == []


def test_claims_are_what_precedes_each_marker():
    text = "Перше речення. Роботи ходять уздовж ліній [1]. Інспектор перевіряє [2][1]. «A. B.» [3]"
    assert claims(text, 1) == [" Роботи ходять уздовж ліній ", " Інспектор перевіряє "]  # side by side: one claim
    assert claims(text, 3) == [" «A. B.» "]  # a quote's own full stops do not cut it
    assert claims(text, 9) == [] and claims("", 1) == []


def test_a_quote_marks_the_sentences_it_spans():
    answer = "Цитати:\n— «How it works: An object detector flags damaged insulators; a human inspector reviews each flag.» [1]"
    assert used_sentences(PASSAGE, answer, 1) == {2}
    assert used_sentences(PASSAGE, answer, 2) == set()  # cited for another source: nothing here
    two = "«transmission corridors. How it works: An object detector» [1]"
    assert used_sentences(PASSAGE, two, 1) == {1, 2}
    cut = "«How it works: An object detector flags … a human inspector reviews each flag» [1]"  # an elided quote
    assert used_sentences(PASSAGE, cut, 1) == {2}
    assert used_sentences(PASSAGE, "«robots» [1]", 1) == set()  # too short to say which sentence


def test_a_restated_claim_marks_the_sentences_it_shares_words_with():
    said = "A human inspector reviews each flag from the object detector [1]."
    assert used_sentences(PASSAGE, said, 1) == {2}
    assert used_sentences(PASSAGE, "Компанія розгорнула роботів [1].", 1) == set()  # no shared words: no mark


def test_marked_passage_escapes_marks_and_cuts_around_the_quote():
    answer = "«How it works: An object detector flags damaged insulators; a human inspector reviews each flag.» [1]"
    md = marked_passage(PASSAGE + " <img src=x> [link](javascript:x)", answer, 1)
    assert "<mark>How it works: An object detector" in md and md.count("<mark>") == 1
    assert "\\<img src=x\\>" in md and "\\[link\\]" in md and md.startswith("Robot Dogs")  # it all fits
    long = " ".join(f"Sentence number {i} says a thing." for i in range(60)) + " " + PASSAGE
    cut = marked_passage(long, answer, 1, limit=300)
    assert cut.startswith("… ") and "<mark>" in cut and len(cut) < 420
    assert marked_passage("", answer, 1) == ""


def _source(n: int, cited: bool = True) -> Source:
    return Source(n, n, f"Title {n}", f"https://www.deeplearning.ai/the-batch/s{n}/", date(2025, 3, n), 290,
                  f"snippet {n}", 0.1, cited=cited)


def test_cards_mark_the_whole_passage_when_given_else_show_the_snippet():
    a = Answer("«An object detector flags damaged insulators» [1]", [_source(1), _source(2)], [], "extractive", "",
               "uk", True, "q", "none")
    cards = source_cards(a, 0, passages={1: PASSAGE})
    assert "<mark>" in cards[0].passage and "Robot Dogs" in cards[0].passage
    assert cards[1].passage == "snippet 2"


def test_share_links_name_the_app_not_the_page():
    assert share_url("http://127.0.0.1:8501/ask", "abcdefghijkl") == "http://127.0.0.1:8501/?answer=abcdefghijkl"
    assert share_url("https://team.example/batch/", "x" * 12) == f"https://team.example/batch/?answer={'x' * 12}"
    assert share_url("https://team.example/batch/digest", "y" * 12).startswith("https://team.example/batch/?")
    assert share_url(None, "z" * 12) == f"/?answer={'z' * 12}"  # no browser address known: the path
    assert app_root("http://h:1") == "http://h:1"


def test_list_label_is_the_escaped_title_and_its_local_day():
    t = datetime(2025, 6, 4, 12, 0)
    c = Conversation("a" * 12, "Що таке [1] <b>?", None, t, t, 1)
    label = conversation_label(c)
    assert label == f"Що таке \\[1\\] \\<b\\>? · {local_day(t)}"
    assert local_day(t) == t.replace(tzinfo=UTC).astimezone().strftime("%d.%m.%Y")
    assert conversation_label(Conversation("b" * 12, "", None, t, t)).startswith("Без назви · ")


def test_a_kept_turn_is_drawn_as_it_was_shown():
    pic = ImageHit("https://x/p.png", "alt", "", 1, "https://x/a", "Title 1", 0.5, "p.png")
    a = Answer("«An object detector flags damaged insulators» [1]", [_source(1)], [pic], "extractive", "", "uk",
               True, "q", "none")
    kept = KeptTurn("t" * 12, "c" * 12, 1, "Покажи зображення роботів", a, "extractive", "", "q",
                [{"n": 1, "article_id": 1, "text": PASSAGE}], {"search_total": 500.0, "total": 1500.0},
                datetime(2025, 6, 4))
    t = from_stored(kept)
    assert t.id == "t" * 12 and t.answer is a and t.text == a.answer and t.images == [pic]
    assert t.passages == {1: PASSAGE} and t.seconds == 2.0
    assert t.pictures_first  # a picture request: its pictures above the answer, as when it was asked


def test_a_kept_picture_question_names_its_picture_again():
    from batchrag.service import PICTURE_QUESTION_UK

    pic = ImageHit("https://x/p.png", "alt", "", 1, "https://x/a", "Title 1", 0.5, "p.png")
    src = Source(1, 1, "Title 1", "https://x/a", None, None, "snippet", 0.1, cited=True, picture=pic.url)
    a = Answer("На зображенні робот [1].", [src], [pic], "ollama", "gemma3:4b", "uk", True, "", "none")
    kept = KeptTurn("t" * 12, "c" * 12, 2, PICTURE_QUESTION_UK, a, "ollama", "gemma3:4b", "", [], {}, datetime(2025, 6, 4))
    assert from_stored(kept).picture == pic
    kept.question = "Що на цьому фото?"  # typed, not asked from a card: no picture to name
    assert from_stored(kept).picture is None
