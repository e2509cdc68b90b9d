"""The page's share link `/?answer=<id>` follows the API's rule (AppTest over a real demo library with keys): it opens
for its owner's key, never for another key nor a new key given a revoked one's name; a revoked key's answer opens
for an admin; the sidebar names the key, never its identity."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from batchrag.service.conversations import Conversations
from batchrag.service.keys import Keys
from batchrag.settings import Settings, get_settings
from batchrag.ui.login import SECRET
from batchrag.ui.page import APP_PATH
from tests.support.asking import answer

QUESTION = "Як роботи-собаки перевіряють лінії електропередачі?"


@pytest.fixture
def keyed_page(tmp_path, monkeypatch):
    from batchrag.service.demo import build_demo_library

    d = tmp_path / "data"  # a library of this test's own: keys close its page
    build_demo_library(Settings(data_dir=d))
    for k, v in {"BATCHRAG_DATA_DIR": str(d), "BATCHRAG_REWRITE": "off", "BATCHRAG_LLM_BACKEND": "extractive"}.items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    yield Keys(get_settings())
    get_settings.cache_clear()


def opened(key: str, answer_id: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP_PATH), default_timeout=300)
    at.session_state[SECRET] = key
    if answer_id:
        at.query_params["answer"] = answer_id
    return at.run()


def shows(at: AppTest) -> bool:
    """Whether the page shows the shared answer (else one line says there is none)."""
    assert not at.exception, at.exception
    if at.error:
        assert len(at.error) == 1 and "немає" in at.error[0].value and "\n" not in at.error[0].value
        return False
    return QUESTION in "\n".join(m.value for m in at.markdown)


def test_a_share_link_opens_for_its_owner_and_a_revoked_keys_for_an_admin(keyed_page):
    keys = keyed_page
    olena, taras, ops = keys.create("olena"), keys.create("taras"), keys.create("ops", "admin")
    rec = Conversations(get_settings()).record(None, QUESTION, [answer(get_settings(), QUESTION)],
                                               owner=keys.check(olena).owner)
    list(rec)
    aid = rec.turn.id
    assert shows(opened(olena, aid))
    home = opened(olena)
    assert not home.exception, home.exception
    assert "Ви увійшли: olena (читач)" in [c.value for c in home.sidebar.caption]  # the name, not the identity
    assert not shows(opened(taras, aid))  # another live key's: as the API's 404
    assert not shows(opened(ops, aid))  # an admin's neither, while its key lives

    keys.revoke("olena")
    again = keys.create("olena")
    assert not shows(opened(again, aid))  # the name again, not the identity
    assert not shows(opened(taras, aid))  # an orphan: a reader never
    assert shows(opened(ops, aid))  # an admin does
