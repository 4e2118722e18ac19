"""`spillwatch run` and `spillwatch worker` as real processes for the scale tests, and what the
catalog says about them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, text


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

    def kill_machine(self, pid: int) -> str:
        """SIGKILL the process group of the worker ``pid``; returns the worker's name in this fleet."""
        name = next(n for n, p in self.processes.items() if p.pid == pid)
        os.killpg(pid, signal.SIGKILL)
        self.processes[name].wait(timeout=10)
        return name

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


def running_job(engine: Engine, task: str) -> tuple[int, int] | None:
    """(job id, worker pid) of a job of ``task`` being run, if any."""
    with engine.connect() as conn:
        row = conn.execute(text(
            "SELECT j.id, w.name FROM procrastinate_jobs j JOIN procrastinate_workers w ON w.id = j.worker_id "
            "WHERE j.task_name = :task AND j.status = 'doing' ORDER BY j.id LIMIT 1"), {"task": task}).first()
    if row is None:
        return None
    return int(row[0]), int(str(row[1]).rsplit(":", 1)[1])


def job_status(engine: Engine, job_id: int) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT status FROM procrastinate_jobs WHERE id = :id"), {"id": job_id})
                   .scalar_one())
