"""``spillwatch worker``: run the jobs ``spillwatch run`` queues (``queue: procrastinate``)."""

from __future__ import annotations

import argparse

from core.errors import ConfigError
from spillwatch.commands.base import Command, Context


class WorkerCommand(Command):
    name = "worker"
    quiet_logs = False  # a long-running service: its log is how operators follow the jobs
    help = "run queued jobs (crawls, bursts, indexing, alerts) with queue: procrastinate, on any machine"
    description = ("Run the jobs that `spillwatch run` defers to the catalog's PostgreSQL (setting queue: "
        "procrastinate): crawls and watch-page bursts (queue crawl), WARC files to index (index), alert "
        "dispatch and maintenance (alerts). Start as many as wanted, on as many machines, with the same "
        "config, data_dir and warc_storage; a site is never crawled by two at once, and the jobs of a "
        "worker that dies are run again by another. SIGTERM lets running jobs finish.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--queues", default="crawl,index,alerts",
                            help="comma-separated queues to take jobs from (default: crawl,index,alerts)")
        parser.add_argument("--concurrency", type=int, default=1, metavar="N",
                            help="jobs this process runs at once (default 1)")

    def run(self, ctx: Context) -> int:
        from spillwatch.jobs.worker import run_worker

        config = ctx.config()
        if config.settings.queue != "procrastinate":
            raise ConfigError(["worker: the setting queue is 'embedded' (spillwatch run does the work itself); "
                               "set queue: procrastinate (and a PostgreSQL database_url) to use workers"])
        queues = [q.strip() for q in ctx.args.queues.split(",") if q.strip()]
        try:
            return run_worker(config, queues, ctx.args.concurrency)
        except ValueError as exc:
            raise ConfigError([f"worker: {exc}"]) from None
