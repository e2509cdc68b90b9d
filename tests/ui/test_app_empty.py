"""The app on an empty library: explains what to do, refuses questions politely, never crashes."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from batchrag.ui.page import APP_PATH


def _texts(at) -> str:
    parts = [m.value for m in at.markdown] + [w.value for w in at.warning] + [e.value for e in at.error]
    return "\n".join(str(p) for p in parts)


def test_empty_library_explains_and_answers_questions_with_instructions():
    at = AppTest.from_file(str(APP_PATH), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value.startswith("The Batch")
    text = _texts(at)
    assert "Бібліотека порожня" in text and "batchrag demo" in text
    assert any(b.label == "Побудувати демо-бібліотеку" for b in at.button)
    assert any(b.label == "Оновити бібліотеку" for b in at.button)
    at.chat_input[0].set_value("Що нового у відкритих моделях?").run()
    assert not at.exception
    assert any("індекс ще не побудовано" in e.value for e in at.error)


def test_shim_starts_the_same_app():
    from pathlib import Path

    shim = Path(__file__).resolve().parents[2] / "app" / "ui" / "app.py"
    at = AppTest.from_file(str(shim), default_timeout=60).run()
    assert not at.exception and at.title[0].value.startswith("The Batch")


def test_build_button_makes_the_demo_library(data_dir):
    at = AppTest.from_file(str(APP_PATH), default_timeout=300).run()
    at.button(key="build").click().run()
    assert not at.exception
    assert not [w for w in at.warning if "порожня" in w.value]
    side = "\n".join(m.value for m in at.sidebar.markdown)
    assert "В індексі: **0**" not in side and (data_dir / "articles.db").exists()
