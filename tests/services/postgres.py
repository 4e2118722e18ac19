"""A real PostgreSQL server for the catalog tests (Debian's ``postgresql`` package).

``initdb`` makes a throw-away cluster in a temporary folder, owned by a non-root user when the
suite runs as root; the server listens on 127.0.0.1 and a free port with trust authentication and
is stopped at the end of the session.
"""

from __future__ import annotations

import glob
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.services.procs import chown_tree, free_port, open_path_for, service_user, wait_until

START_TIMEOUT = 60.0


def pg_bindir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if not candidates:
        raise RuntimeError("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin); "
                           "install Debian's postgresql package (the test command does this)")
    return Path(candidates[0]).parent


@dataclass
class PostgresServer:
    workdir: Path
    port: int = 0
    startup_seconds: float = 0.0

    @property
    def datadir(self) -> Path:
        return self.workdir / "data"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        owner = service_user()
        return subprocess.run(list(args), check=True, capture_output=True,
                              user=owner[0] if owner else None, group=owner[1] if owner else None,
                              cwd=self.workdir, env={**os.environ, "LC_ALL": "C.UTF-8"})

    def ready(self) -> bool:
        result = subprocess.run([str(pg_bindir() / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                                capture_output=True)
        return result.returncode == 0

    def start(self) -> PostgresServer:
        owner = service_user()
        bindir = pg_bindir()
        self.port = free_port()
        sockets = self.workdir / "sockets"
        sockets.mkdir(parents=True, exist_ok=True)
        chown_tree(self.workdir, owner)
        open_path_for(self.workdir, owner)
        started = time.monotonic()
        self._run(str(bindir / "initdb"), "-D", str(self.datadir), "-U", "postgres", "--auth=trust",
                  "--encoding=UTF8", "--no-sync")
        self._run(str(bindir / "pg_ctl"), "-D", str(self.datadir), "-l", str(self.workdir / "server.log"),
                  "-o", f"-p {self.port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
        wait_until(self.ready, START_TIMEOUT, "PostgreSQL", self.workdir / "server.log")
        self.startup_seconds = time.monotonic() - started
        return self

    def create_database(self, name: str) -> str:
        self._run(str(pg_bindir() / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if self.datadir.exists():
            self._run(str(pg_bindir() / "pg_ctl"), "-D", str(self.datadir), "-m", "fast", "stop")


def start_server(workdir: Path | None = None) -> PostgresServer:
    return PostgresServer(workdir or Path(tempfile.mkdtemp(prefix="spillwatch-pg-"))).start()
