"""`batchrag serve` beyond loopback: refused with no key and no password, unless --no-auth (with a warning)."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from batchrag.cli import app, server_cmds
from batchrag.cli.server_cmds import open_page
from batchrag.service.keys import Keys
from batchrag.settings import get_settings


def test_serve_refuses_a_page_beyond_loopback_that_nobody_logs_in_to(monkeypatch):
    started = []
    monkeypatch.setattr(server_cmds, "run_page", lambda *a, **k: started.append(a) or 0)  # never a real streamlit
    r = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0"])
    assert r.exit_code == 1 and len(r.stderr.strip().splitlines()) == 1, r.output
    assert r.stderr.startswith("error: refusing to serve the page on 0.0.0.0 with no key and no password")
    assert "batchrag keys create" in r.stderr and "BATCHRAG_SERVE__UI_PASSWORD" in r.stderr and "--no-auth" in r.stderr
    assert not started and not (get_settings().store.data_dir / "lancedb").exists()  # refused before any work


def test_a_key_a_password_or_no_auth_lets_the_page_start(monkeypatch, capsys):
    monkeypatch.setenv("BATCHRAG_SERVE__NO_AUTH", "false")  # --no-auth tells the page through it: undone after
    s = get_settings()
    open_page(s, "127.0.0.1", no_auth=False)  # loopback: as ever
    with pytest.raises(typer.Exit):
        open_page(s, "0.0.0.0", no_auth=False)
    open_page(s, "0.0.0.0", no_auth=True)
    assert "warning: --no-auth: the page on 0.0.0.0 is open to anyone" in capsys.readouterr().err
    open_page(s.with_changes(ui_password="pw"), "0.0.0.0", no_auth=False)
    Keys(s).create("ops", "admin")
    open_page(s, "192.168.0.7", no_auth=False)
    assert "warning" not in capsys.readouterr().err



def test_serve_sync_every_syncs_beside_the_page_and_a_bad_duration_is_one_line(monkeypatch):
    import time

    from batchrag.service import Library
    from batchrag.store import open_store
    from tests.support.later_issue import LATER_STORY, start_later_site

    monkeypatch.setenv("BATCHRAG_SERVE__SYNC_EVERY_S", "0")  # the command sets it for its workers: undone after
    bad = CliRunner().invoke(app, ["serve", "--sync-every", "soon"])
    assert bad.exit_code == 1 and bad.stderr.strip() == "error: bad duration 'soon': use e.g. 6h, 30m, 90s or 1d"
    site = start_later_site()
    for k, v in {"BASE_URL": site.base_url, "RATE_LIMIT_PER_HOST": "0", "DOWNLOAD_IMAGES": "false",
                 "EMBEDDER": "use-m3", "LLM_BACKEND": "extractive"}.items():
        monkeypatch.setenv(f"BATCHRAG_{k}", v)
    get_settings.cache_clear()
    Library(get_settings()).crawl()  # the library as it was yesterday
    site.publish()  # today's issue

    def titles() -> set[str]:
        return {a.title for a in open_store(get_settings()).iter_articles()}

    def page_running(*_a, **_k):  # stands in for streamlit: the page runs while the schedule syncs beside it
        deadline = time.time() + 90
        while LATER_STORY not in titles():
            if time.time() > deadline:
                return 3
            time.sleep(0.3)
        return 0

    assert titles() and LATER_STORY not in titles()
    monkeypatch.setattr(server_cmds, "run_page", page_running)
    try:
        r = CliRunner().invoke(app, ["serve", "--sync-every", "1h"])
    finally:
        site.stop()
    assert r.exit_code == 0, r.output
    assert "syncing the library every 1h" in r.stderr and LATER_STORY in titles()
