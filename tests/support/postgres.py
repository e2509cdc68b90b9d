"""A real PostgreSQL for the tests: initdb + pg_ctl into a temporary directory, on 127.0.0.1 and a free port."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.support.net import free_port

BIN_DIRS = ("/usr/local/bin", "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin")


def find_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for d in BIN_DIRS:
        p = Path(d) / name
        if p.exists():
            return str(p)
    return None


class PostgresServer:
    """One throw-away cluster; `database()` gives each test a fresh database (a SQLAlchemy URL)."""

    def __init__(self) -> None:
        self.initdb, self.pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
        self.root = Path(tempfile.mkdtemp(prefix="batchrag-pg-"))
        self.port = free_port()
        self._n = itertools.count(1)
        # PostgreSQL refuses to run as root: a root test session runs it as `nobody`.
        self.prefix = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []

    @property
    def missing(self) -> str | None:
        if not (self.initdb and self.pg_ctl):
            return "PostgreSQL binaries (initdb, pg_ctl) not found"
        if self.prefix and not shutil.which("runuser"):
            return "running as root without runuser: PostgreSQL cannot start"
        return None

    def _run(self, *cmd: str) -> None:
        subprocess.run([*self.prefix, *cmd], check=True, capture_output=True, timeout=120)

    def start(self) -> PostgresServer:
        data = self.root / "data"
        if self.prefix:
            os.chmod(self.root, 0o777)
        self._run(self.initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        opts = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off"
        self._run(self.pg_ctl, "-D", str(data), "-o", opts, "-l", str(self.root / "log"), "-w", "-t", "60", "start")
        return self

    def url(self, db: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{db}"

    def database(self) -> str:
        """A new, empty database on the cluster."""
        import psycopg

        name = f"t{next(self._n)}"
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run(self.pg_ctl, "-D", str(self.root / "data"), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
