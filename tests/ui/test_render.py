"""Pure rendering helpers: escaping, citation links, cards, image choice, question trimming."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from batchrag.domain.types import Answer, ImageHit, Source
from batchrag.ui.render import (
    DEMO_NOTE,
    answer_notes,
    bridge_label,
    cited_numbers,
    escape_md,
    example_label,
    image_view,
    left_out_note,
    link_citations,
    overview_text,
    rewrite_label,
    source_cards,
)


def _answer(text="Відповідь [1].", backend="embedded", cited=(1,), language_ok=True) -> Answer:
    notes = {1: "схожість із запитанням: дуже схоже", 2: "схожість із запитанням: частково", 3: ""}
    sources = [
        Source(n, n * 10, f"Title {n} [x]", f"https://www.deeplearning.ai/the-batch/s{n}/", date(2025, 3, n),
               290 + n, f"Passage <b>{n}</b> $x$", 0.016393 / n, cited=n in cited, relevance=notes[n])
        for n in (1, 2, 3)
    ]
    return Answer(text, sources, [], backend, "gemma-3-270m", "uk", language_ok, "open models", "none",
                  writes_answers=backend != "embedded")  # the packaged demo model


def test_escape_md_neutralises_links_html_and_latex():
    out = escape_md("[click](javascript:alert(1)) <img src=x> $E=mc^2$ ![i](u)")
    assert "\\[click\\]" in out and "\\<img" in out and "\\$E" in out and "!\\[i\\]" in out


def test_link_citations_links_only_known_sources():
    md = link_citations("Llama [1] and GPT [2, 3] but not [9]; see [x].", {1, 2, 3}, turn=4)
    assert "[\\[1\\]](#a4-src-1)" in md
    assert "[\\[2\\]](#a4-src-2)[\\[3\\]](#a4-src-3)" in md
    assert "\\[9\\]" in md and "(#a4-src-9)" not in md
    assert "\\[x\\]" in md


def test_cited_numbers_in_order():
    assert cited_numbers("a [2] b [1, 2] c [3]") == [2, 1, 3]
    assert cited_numbers("none") == []


def test_the_page_reads_citations_with_the_answer_stages_grammar():
    # One grammar (answer/citations.py, offered by service): what the pipeline counts as a marker, the page links.
    from batchrag.answer.citations import filter_citations, parse_citations

    raw = "A [ 1 ] and B [1; 3] and C [2,3], not [7]."
    assert cited_numbers(raw) == parse_citations(raw) == [1, 3, 2, 7]
    md = link_citations(raw, {1, 2, 3}, turn=0)
    assert md.count("](#a0-src-") == 5 and "\\[7\\]" in md
    kept, _, _ = filter_citations(raw, 3)  # what an answer holds: every marker rewritten as [1] or [1, 3]
    assert kept == "A [1] and B [1, 3] and C [2, 3], not."
    assert link_citations(kept, {1, 2, 3}, turn=0).count("](#a0-src-") == 5


def test_source_cards_show_cited_only_and_fall_back_to_all():
    cards = source_cards(_answer(cited=(2,)), turn=0)
    assert [c.n for c in cards] == [2]
    c = cards[0]
    assert c.anchor == "a0-src-2" and "випуск №292" in c.meta and "02.03.2025" in c.meta
    assert c.heading.startswith("\\[2\\] Title 2 \\[x\\]")
    assert "\\<b\\>" in c.passage and c.url.startswith("https://")
    assert [c.n for c in source_cards(_answer(cited=()), turn=0)] == [1, 2, 3]


def test_source_cards_say_how_close_in_words_not_the_fused_score():
    cards = source_cards(_answer(cited=()), turn=0)
    assert [c.relevance for c in cards] == [
        "схожість із запитанням: дуже схоже", "схожість із запитанням: частково", ""]  # "": no dense number
    for c in cards:  # the fused rank score (0.016…) is nowhere a reader sees
        assert not any("0.016" in str(v) or "0.008" in str(v) for v in vars(c).values())


def test_image_view_prefers_local_file_and_guards_paths(tmp_path):
    images = tmp_path / "images"
    images.mkdir()
    (images / "a.png").write_bytes(b"png")
    (tmp_path / "secret.txt").write_text("x")
    hosts = ["www.deeplearning.ai"]
    hit = ImageHit("https://evil.example/a.png", "alt", "", 1, "https://www.deeplearning.ai/x", "T", 1.0, "a.png")
    v = image_view(hit, images, hosts)
    assert v and v.is_local and v.src == str((images / "a.png").resolve()) and v.caption == "alt"
    hit.local_path = "../secret.txt"
    assert image_view(hit, images, hosts) is None  # outside images/ and a foreign host
    hit.url = "https://www.deeplearning.ai/img.png"
    v = image_view(hit, images, hosts)
    assert v and not v.is_local and v.src == hit.url
    hit.url = "http://www.deeplearning.ai/img.png"  # plain http is never embedded
    assert image_view(hit, images, hosts) is None


def test_a_machine_caption_is_shown_under_the_alt_and_labelled(tmp_path):
    (tmp_path / "a.png").write_bytes(b"png")
    hit = ImageHit("u", "Robot arm", "", 1, "https://www.deeplearning.ai/x", "T", 1.0, "a.png",
                   machine_caption="A bar chart of *accuracy* by model.")
    v = image_view(hit, tmp_path, [])
    text = escape_md("A bar chart of *accuracy* by model.")
    assert v.caption == f"Robot arm · _опис згенеровано моделлю: {text}_"


def test_a_picture_without_a_file_is_shown_by_url_only_when_its_host_answers(tmp_path):
    import socket

    from batchrag.service import host_answers
    from tests.support.net import free_port

    # An archive from saved pages: URLs on the site's own host, no files. Offline they would show broken.
    dead = f"https://127.0.0.1:{free_port()}/img.png"
    hit = ImageHit(dead, "alt", "", 1, "https://www.deeplearning.ai/x", "T", 1.0, None)
    assert image_view(hit, tmp_path, ["127.0.0.1"], online=host_answers) is None
    with socket.socket() as srv:  # a host that accepts connections: the URL can load
        srv.bind(("127.0.0.1", 0))
        srv.listen()
        hit.url = f"https://127.0.0.1:{srv.getsockname()[1]}/img.png"
        v = image_view(hit, tmp_path, ["127.0.0.1"], online=host_answers)
        assert v and not v.is_local and v.src == hit.url
    note = left_out_note(3)
    assert "3" in note and "batchrag crawl --images-only" in note


def test_overview_text_and_example_labels():
    from batchrag.service.welcome import Overview

    ov = Overview(issues=5, articles=27, first_date=date(2019, 6, 5), last_date=date(2025, 3, 12), newest_issue=5,
                  newest_issue_date=date(2025, 3, 12))
    text = overview_text(ov)
    assert "**5** випусків" in text and "**27** статей" in text
    assert "05.06.2019" in text and "12.03.2025" in text and "№5" in text
    assert example_label("image", "Покажи [x]") == "Зображення: Покажи \\[x\\]"


def test_counts_take_the_ukrainian_form_of_their_noun():
    from batchrag.service.welcome import Overview
    from batchrag.service.wording import articles_uk, count_uk

    got = {n: articles_uk(n) for n in (1, 2, 4, 5, 11, 12, 14, 21, 22, 82, 100, 101, 111, 1888)}
    assert got == {1: "1 стаття", 2: "2 статті", 4: "4 статті", 5: "5 статей", 11: "11 статей", 12: "12 статей",
                   14: "14 статей", 21: "21 стаття", 22: "22 статті", 82: "82 статті", 100: "100 статей",
                   101: "101 стаття", 111: "111 статей", 1888: "1888 статей"}
    assert count_uk(3, "випуск", "випуски", "випусків") == "3 випуски"
    ov_text = overview_text(Overview(issues=1, articles=2, first_date=None, last_date=None, newest_issue=None,
                                     newest_issue_date=None))
    assert "**1** випуск The Batch, **2** статті" in ov_text


def test_rewrite_label_and_notes():
    assert rewrite_label("ollama:qwen2.5:1.5b") == "запит перекладено (ollama:qwen2.5:1.5b)"
    assert rewrite_label("none") == "без перекладу запиту"
    assert bridge_label("") == "" and bridge_label("robots laundry") == "англійські слова зі словника: «robots laundry»"
    assert "timeout" in rewrite_label("skipped: timeout")
    assert "ollama" in rewrite_label("ollama")
    notes = answer_notes(_answer(language_ok=False))
    assert DEMO_NOTE in notes and any("не українською" in n for n in notes)
    assert DEMO_NOTE not in answer_notes(_answer(backend="ollama"))


def test_line_breaks_survive_markdown():
    out = link_citations("Перший рядок [1].\n— «Quote» [2]", {1, 2}, 0)
    assert "  \n" in out and out.count("](#a0-src-") == 2


def test_the_gates_verdict_and_skip_reasons_are_ukrainian():
    from batchrag.ui.render import warning_note

    w = ("gated: the model's answer was not shown (it repeats itself in a loop; it gives 2 web address(es) found in "
         "no source; too little of it is in Ukrainian; it cites no source; it is not in Ukrainian)")
    assert warning_note(w) == ("Відповідь моделі не показано, бо вона повторюється по колу, у ній вебадрес, яких "
                               "немає в джерелах: 2, вона не українською, вона не посилається на джерела; нижче — "
                               "цитати з джерел.")
    assert warning_note("something else") == "something else"
    assert "Ollama не працює" in rewrite_label("skipped: no rewriting model (Ollama down, only the demo model)")
    assert rewrite_label("skipped: timeout") == "переклад запиту пропущено (timeout)"


def test_the_picture_warnings_are_ukrainian(tmp_path):
    from batchrag.answer.picture_sources import picture_sources
    from batchrag.settings import Settings
    from batchrag.ui.render import warning_note

    s = Settings(data_dir=tmp_path)
    pic = ImageHit("https://x/i.png", "alt", "", 1, "https://x/a", "T", 0.5, "gone.png")
    (blind,) = picture_sources([pic], s, False, "ollama (llama3.1:8b)").warnings
    assert warning_note(blind) == ("Відповідь написано за підписом і описом зображення: модель, що відповідала, не "
                                   "бачить зображень.")
    (gone,) = picture_sources([pic], s, True, "ollama (gemma3:4b)").warnings
    assert warning_note(gone).startswith("Зображення не вдалося показати моделі (файлу немає в бібліотеці)")
    (never,) = picture_sources([replace(pic, local_path=None)], s, True, "m").warnings
    assert "(його не завантажено)" in warning_note(never)
