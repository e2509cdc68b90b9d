"""PostgreSQL as the shared store: a library moved from SQLite by export + import, then every command on it."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from batchrag.cli import app
from batchrag.settings import get_settings
from batchrag.store import Store, open_store
from tests.support.corpus import ARTICLES


def test_export_from_sqlite_import_into_postgres_moves_the_library(tmp_path, postgres, monkeypatch):
    run = CliRunner()
    sqlite = open_store(get_settings())
    with ARTICLES.open(encoding="utf-8") as fp:
        assert sqlite.import_jsonl(fp)["failed"] == 0
    dump = tmp_path / "library.jsonl"
    assert run.invoke(app, ["export", str(dump)]).exit_code == 0

    url = postgres.database()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("BATCHRAG_EMBEDDER", "use-m3")
    get_settings.cache_clear()
    out = run.invoke(app, ["import", str(dump)])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output.strip().splitlines()[-1])["new"] == 15
    pg = Store(url)
    assert pg.stats()["articles"] == sqlite.stats()["articles"] == 15
    assert pg.article_hashes() and sorted(pg.article_hashes().values()) == sorted(sqlite.article_hashes().values())
    a = next(iter(sqlite.iter_articles()))
    b = pg.get_article_by_url(a.url)
    assert (b.title, b.text, b.date, b.tags, [i.url for i in b.images]) == (
        a.title, a.text, a.date, a.tags, [i.url for i in a.images])

    # Every command works on it: stats, index, search, ask, a second import (nothing new), export.
    assert json.loads(run.invoke(app, ["stats"]).output)["articles"] == 15
    out = run.invoke(app, ["index", "--json"])
    assert out.exit_code == 0, out.output
    out = run.invoke(app, ["search", "melting glaciers satellites", "--json", "--k", "2"])
    assert out.exit_code == 0 and json.loads(out.output)[0]["title"] == "Satellites and Neural Nets Track Melting Glaciers"
    out = run.invoke(app, ["ask", "Як тануть льодовики?", "--json", "--backend", "extractive"])
    assert out.exit_code == 0 and json.loads(out.output)["sources"]
    assert json.loads(run.invoke(app, ["import", str(dump)]).output.strip().splitlines()[-1])["unchanged"] == 15
    again = tmp_path / "again.jsonl"
    assert run.invoke(app, ["export", str(again)]).exit_code == 0
    assert sorted(again.read_text().splitlines()) == sorted(dump.read_text().splitlines())
