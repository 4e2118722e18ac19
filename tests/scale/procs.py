"""`spillwatch run` and `spillwatch worker` as real processes for the scale tests, and what the
catalog says about them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select, text

from core.catalog import schema as s


@dataclass
class Fleet:
    """One `spillwatch run` and some workers, each in a session of its own (a SIGKILL of its group is a
    machine lost: the worker and its crawl process die together)."""

    config: Path
    environ: dict[str, str]
    logs: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        with open(self.logs / f"{name}.log", "wb") as log:  # the child keeps its own descriptor
            process = subprocess.Popen([sys.executable, "-m", "spillwatch", "--config", str(self.config), *args],
                                       stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       env={**os.environ, **self.environ, "PYTHONUNBUFFERED": "1"},
                                       start_new_session=True)
        self.processes[name] = process
        return process

    def running(self, task: str, job_id: int) -> str | None:
        """The worker whose log says it started job ``job_id`` (procrastinate logs each start)."""
        started = f"Starting job {task}[{job_id}]"
        for name, process in self.processes.items():
            if process.poll() is None and name != "run" and started in self.log(name):
                return name
        return None

    def kill_machine(self, name: str) -> None:
        """SIGKILL the process group of worker ``name``: the worker and its crawl process die together."""
        process = self.processes[name]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def stop(self) -> dict[str, int | None]:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        codes: dict[str, int | None] = {}
        for name, process in self.processes.items():
            try:
                codes[name] = process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                codes[name] = None
        return codes


def running_job(engine: Engine, task: str, path: str | None = None) -> int | None:
    """The id of a job of ``task`` (for the WARC file ``path``) being run, if any."""
    with engine.connect() as conn:
        found = conn.execute(text("SELECT id FROM procrastinate_jobs WHERE task_name = :task AND status = 'doing' "
                                  "AND (CAST(:path AS text) IS NULL OR args->>'path' = :path) ORDER BY id LIMIT 1"),
                             {"task": task, "path": path}).scalar()
    return None if found is None else int(found)


def job_status(engine: Engine, job_id: int) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT status FROM procrastinate_jobs WHERE id = :id"), {"id": job_id})
                   .scalar_one())


def finished_full_crawls(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(s.crawls.c.site_id).where(
            s.crawls.c.kind == "full", s.crawls.c.status == "finished")).scalars())


def overlapping_crawls(engine: Engine) -> list[tuple[str, int, int]]:
    """Pairs of crawls of one site whose run times overlap (none may)."""
    with engine.connect() as conn:
        rows = conn.execute(select(s.crawls.c.id, s.crawls.c.site_id, s.crawls.c.started_at, s.crawls.c.finished_at)
                            .where(s.crawls.c.status.in_(("finished", "failed", "killed")))).all()
    found = []
    for a in rows:
        for b in rows:
            if a.id < b.id and a.site_id == b.site_id and a.started_at < b.finished_at and b.started_at < a.finished_at:
                found.append((a.site_id, a.id, b.id))
    return found
