"""Private files: the data directory (0700), the SQLite database (0600) and the exports a reader writes (0600).

Conversations, keys' hashes and the library live under data/: no other local user should read them. What the project
creates it creates private, with explicit modes rather than a process-wide umask (the API and the page write from
many threads at once, and a umask is the whole process's). What already exists open to others is not changed behind
the owner's back: it is warned about, once per path and process, in one line on stderr (docs/security.md)."""

from __future__ import annotations

import logging
import os
import shutil
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600

log = logging.getLogger(__name__)
_warned: set[str] = set()
_warned_lock = threading.Lock()


def warn_if_shared(path: Path, what: str) -> bool:
    """Warn once per process when `path` exists and its group or others may read, write or enter it; True then."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:  # gone, or not ours to stat: nothing to say about it
        return False
    if not mode & 0o077:
        return False
    key = str(path.resolve())
    with _warned_lock:
        if key in _warned:
            return True
        _warned.add(key)
    fix = "chmod 700" if path.is_dir() else "chmod 600"
    log.warning("warning: %s %s is open to other local users (mode %o): %s %s", what, path, mode, fix, path)
    return True


def private_dir(path: Path, what: str = "the data directory", warn: bool = True) -> Path:
    """`path` created 0700 (its missing parents with the usual modes), or, when it exists and `warn`, warned about
    if shared."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir(mode=PRIVATE_DIR)
        os.chmod(path, PRIVATE_DIR)  # mkdir's mode passes through the umask; this one is exact
    except FileExistsError:  # there already (or another process made it a moment ago): the owner's to decide
        if warn:
            warn_if_shared(path, what)
    return path


def private_file(path: Path, what: str = "the file") -> Path:
    """An empty `path` created 0600 when missing (O_EXCL: never opens another process's new file twice), or, when it
    exists, warned about if shared. SQLite gives its -wal and -shm files the database's own mode."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        warn_if_shared(path, what)
    return path


def private_sqlite(url: str) -> None:
    """A new SQLite database file and its folder made private (0600, 0700) before SQLite creates the file its own way
    (0644; an empty file is an empty database), an existing one shared with others warned about. Another database
    (PostgreSQL) keeps no file here."""
    if not url.startswith("sqlite:///"):
        return
    name = url.removeprefix("sqlite:///").split("?", 1)[0]
    if name in ("", ":memory:"):
        return
    path = Path(name)
    # A folder of the owner's choosing (DATABASE_URL=sqlite:////home/me/x.db) may well be 0755: the file is what
    # must be private; a folder we make is 0700.
    private_dir(path.parent, warn=False)
    private_file(path, "the article database")


@contextmanager
def open_private(path: Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """`path` opened for writing ("w" text, "wb" bytes), truncated, and 0600 whether it is new or was there before
    (an export of the library or a conversation is the owner's, wherever it is written)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)  # an existing file keeps its mode through os.open: set it
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, mode, encoding=None if "b" in mode else encoding) as fp:
        yield fp


def write_private_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """`path` written with `text`, 0600 (Path.write_text, private)."""
    with open_private(path, "w", encoding) as fp:
        fp.write(text)
    return path


def copy_private(src: Path, dst: Path) -> Path:
    """`src`'s bytes copied to `dst`, 0600 (shutil.copyfile, private)."""
    with src.open("rb") as fin, open_private(dst, "wb") as fout:
        shutil.copyfileobj(fin, fout)
    return dst
