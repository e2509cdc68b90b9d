"""The bridge's domain glossary: forms and stems, the shipped file, and an unreadable one."""

from batchrag.retrieve.bridge import lexicon
from batchrag.retrieve.glossary import GLOSSARY, Glossary, glossary


def test_the_glossary_reads_forms_and_stems_with_an_ending(tmp_path):
    p = tmp_path / "glossary.tsv"
    p.write_text("# a comment\n\nмовн*\tlanguage\nмовленн*\tspeech\nвідкрит*\topen\nвідкриття\tdiscovery\n"
                 "дані\tdata\n", encoding="utf-8")
    g = Glossary.read(p)
    assert g.lookup("Мовних") == ["language"] and g.lookup("мовні") == ["language"]
    assert g.lookup("мовлення") == ["speech"]  # the longest stem wins over "мовн"
    assert g.lookup("відкритої") == ["open"] and g.lookup("відкриття") == ["discovery"]  # a form overrides its stem
    assert g.lookup("мовнокомунікативний") == []  # more than an ending after the stem: another word
    assert g.lookup("дані") == ["data"] and g.lookup("даними") == []  # a form entry is that form only


def test_the_shipped_glossary_fixes_what_the_lexicon_misreads():
    g = glossary()
    assert glossary() is g and GLOSSARY.is_file()
    lex = lexicon()
    # The lexicon's word vectors read these by their spelling; the glossary by their meaning
    assert "language" not in [w for w, _ in lex.lookup("мовні")[:2]] and g.lookup("мовні") == ["language"]
    assert g.lookup("штучного") == ["artificial"] and g.lookup("зображень")[0] == "images"
    assert g.lookup("Фейсбуку") == ["facebook"] and g.lookup("білизну") == []
    for stem, words in [*g.stems.items(), *g.forms.items()]:  # a well-formed file: stems long enough to mean a word
        assert len(stem) >= 3 and words and all(w.isascii() and w == w.lower() for w in words), (stem, words)


def test_an_unreadable_glossary_leaves_the_lexicon_alone(tmp_path, caplog):
    assert glossary(tmp_path / "missing.tsv") is None
    assert "bridge glossary off" in caplog.text
