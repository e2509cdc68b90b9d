"""The data directory is created 0700 and the SQLite database (with its -wal and -shm) 0600; an existing directory or
database open to other users is warned about once per process, in one line on stderr, and left as it is."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from contextlib import contextmanager
from datetime import date

from batchrag.domain.types import ParsedArticle, ParsedPage
from batchrag.settings import Settings
from batchrag.store import Store, open_store
from batchrag.store.files import open_private, write_private_text


def _page() -> ParsedPage:
    arts = [ParsedArticle(url=f"https://x/issue-1/#{n}", title=n, text="Private enough.", issue=1,
                          issue_slug="issue-1", date=date(2020, 1, 1)) for n in ("a", "b")]
    return ParsedPage(url="https://x/issue-1/", kind="issue", articles=arts, issue=1, issue_slug="issue-1",
                      date=date(2020, 1, 1), title="Issue 1")


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextmanager
def _umask(mask: int):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def test_a_fresh_data_dir_is_0700_and_the_database_0600(tmp_path, caplog):
    data = tmp_path / "home" / "data"
    with _umask(0o022), caplog.at_level(logging.WARNING, "batchrag.store.files"):  # a usual umask: 0755, 0644
        store = open_store(Settings(data_dir=data))
        store.save_page(_page())
        assert _mode(data) == 0o700
        db = data / "articles.db"
        assert _mode(db) == 0o600
        for extra in ("articles.db-wal", "articles.db-shm"):  # WAL mode: alive while the store is open
            assert _mode(data / extra) == 0o600, extra
        assert store.stats()["articles"] == 2  # the empty file made first is a good database
    assert caplog.records == []  # what we made ourselves needs no warning


def test_a_database_file_elsewhere_is_private_too(tmp_path, caplog):
    home = tmp_path / "home"
    home.mkdir()
    os.chmod(home, 0o755)  # a folder of the owner's choosing (DATABASE_URL): its mode is theirs, only the file is ours
    with _umask(0o022), caplog.at_level(logging.WARNING, "batchrag.store.files"):
        Store(f"sqlite:///{tmp_path / 'elsewhere' / 'x.db'}").save_page(_page())
        Store(f"sqlite:///{home / 'x.db'}").save_page(_page())
    assert _mode(tmp_path / "elsewhere") == 0o700 and _mode(tmp_path / "elsewhere" / "x.db") == 0o600
    assert _mode(home / "x.db") == 0o600 and caplog.records == []


def test_an_existing_shared_data_dir_and_database_are_warned_about_once_and_left_alone(tmp_path, caplog):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    (data / "articles.db").touch()
    os.chmod(data / "articles.db", 0o644)
    s = Settings(data_dir=data)
    with caplog.at_level(logging.WARNING, "batchrag.store.files"):
        for _ in range(3):  # every process opens the store many times: one warning per path all the same
            open_store(s).save_page(_page())
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2 and all("\n" not in line for line in lines), lines
    assert f"the data directory {data} is open to other local users (mode 755): chmod 700 {data}" in lines[0]
    assert "the article database" in lines[1] and "chmod 600" in lines[1]
    assert _mode(data) == 0o755 and _mode(data / "articles.db") == 0o644  # the owner's to change, not ours


def test_the_warning_is_one_line_on_stderr_of_a_real_process(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    os.chmod(data, 0o750)
    code = ("import sys; from batchrag.settings import Settings; from batchrag.store import open_store\n"
            "for _ in range(3): open_store(Settings(data_dir=sys.argv[1])).stats()")
    done = subprocess.run([sys.executable, "-c", code, str(data)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        f"warning: the data directory {data} is open to other local users (mode 750): chmod 700 {data}"]
    assert _mode(data / "articles.db") == 0o600  # the new database in the shared folder is private all the same


def test_exports_are_0600_new_or_written_over(tmp_path):
    with _umask(0o000):  # the explicit mode, not the umask, makes them private
        new = write_private_text(tmp_path / "new.md", "приватне")
        old = tmp_path / "old.jsonl"
        old.write_text("{}")
        os.chmod(old, 0o644)
        with open_private(old) as fp:
            fp.write('{"a": 1}\n')
    assert _mode(new) == 0o600 and new.read_text(encoding="utf-8") == "приватне"
    assert _mode(old) == 0o600 and old.read_text() == '{"a": 1}\n'
