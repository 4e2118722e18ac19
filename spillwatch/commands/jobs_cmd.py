"""``spillwatch jobs [--failed] [retry ID]``: the queued jobs of ``queue: procrastinate``."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime

from core.errors import ConfigError
from spillwatch.commands.base import Command, Context


class JobsCommand(Command):
    name = "jobs"
    help = "list queued, running and failed jobs (queue: procrastinate); retry a failed one"
    description = ("List the jobs in the catalog's procrastinate queue, newest first: id, task, queue, status, "
        "attempts, lock and arguments. --failed lists only the jobs that failed after their last attempt; "
        "`spillwatch jobs retry ID` queues a failed job again (a worker's log says why it failed).")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--failed", action="store_true", help="only jobs that failed for good")
        parser.add_argument("--limit", type=int, default=50, help="most jobs listed (default 50)")
        parser.add_argument("action", nargs="?", choices=["retry"], help="retry: queue the failed job ID again")
        parser.add_argument("job_id", nargs="?", type=int, metavar="ID", help="the job to retry")

    def run(self, ctx: Context) -> int:
        from spillwatch.jobs.tasks import build_app

        app = build_app(ctx.config().settings)
        with app.open():
            if ctx.args.action == "retry":
                return _retry(app, ctx.args.job_id)
            jobs = app.job_manager.list_jobs(status="failed" if ctx.args.failed else None)
        jobs = sorted(jobs, key=lambda j: j.id or 0, reverse=True)[: max(1, ctx.args.limit)]
        if not jobs:
            print("no failed jobs" if ctx.args.failed else "no jobs")
            return 0
        print(f"{'ID':>7}  {'TASK':<22} {'QUEUE':<7} {'STATUS':<10} {'TRIES':>5}  {'LOCK':<28} ARGS")
        for job in jobs:
            print(f"{job.id:>7}  {job.task_name:<22} {job.queue:<7} {_status(job):<10} {job.attempts:>5}  "
                  f"{(job.lock or '')[:28]:<28} {json.dumps(job.task_kwargs, sort_keys=True)}")
        return 0


def _status(job: object) -> str:
    status = getattr(job, "status", "")
    return str(getattr(status, "value", status))


def _retry(app: object, job_id: int | None) -> int:
    if job_id is None:
        raise ConfigError(["jobs retry: give the job ID (see `spillwatch jobs --failed`)"])
    manager = app.job_manager  # type: ignore[attr-defined]
    found = manager.list_jobs(id=job_id)
    if not found:
        raise ConfigError([f"jobs retry {job_id}: no such job (see `spillwatch jobs`)"])
    if _status(found[0]) != "failed":
        raise ConfigError([f"jobs retry {job_id}: the job is {_status(found[0])}, not failed; only failed jobs "
                           "are retried by hand (running ones are retried by the workers)"])
    manager.retry_job_by_id(job_id, retry_at=datetime.now(UTC))
    print(f"job {job_id} ({found[0].task_name}) queued again")
    return 0
