"""``spillwatch worker``: run queued jobs (``queue: procrastinate``), on any number of machines.

One process runs up to ``concurrency`` jobs at once (procrastinate runs each synchronous task in a
thread), from the queues named (all by default).  It sends a heartbeat every ``HEARTBEAT_SECONDS``;
every ``RECOVER_SECONDS`` it looks for jobs left ``doing`` by a worker whose heartbeat stopped longer
than ``STALLED_SECONDS`` ago (killed, machine lost) and puts them back in the queue: at least once,
and the jobs are idempotent (:mod:`spillwatch.jobs.work`).

SIGTERM/SIGINT: running crawls are told to stop (they close their WARC files), running jobs finish,
then the process exits 0.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
from collections.abc import Sequence
from typing import Any

import psycopg
from procrastinate import App
from procrastinate.exceptions import ProcrastinateException

from core.config import Config
from spillwatch.jobs.host import WorkerHost
from spillwatch.jobs.tasks import QUEUES, build_app

log = logging.getLogger("spillwatch.jobs")

HEARTBEAT_SECONDS = 2.0
STALLED_SECONDS = 10.0
RECOVER_SECONDS = 5.0


def run_worker(config: Config, queues: Sequence[str] = QUEUES, concurrency: int = 1, *,
               notifier_factory: Any = None) -> int:
    unknown = sorted(set(queues) - set(QUEUES))
    if unknown:
        raise ValueError(f"--queues: unknown queue(s) {', '.join(unknown)}; expected some of {', '.join(QUEUES)}")
    app = build_app(config.settings)
    host = WorkerHost(config, notifier_factory=notifier_factory)
    try:
        asyncio.run(_main(app, host, list(queues), max(1, concurrency)))
    finally:
        host.close()
    return 0


async def _main(app: App, host: WorkerHost, queues: list[str], concurrency: int) -> None:
    name = f"{socket.gethostname()}:{os.getpid()}"
    async with app.open_async():
        worker = asyncio.create_task(app.run_worker_async(
            queues=queues, concurrency=concurrency, name=name, additional_context={"host": host},
            install_signal_handlers=False, update_heartbeat_interval=HEARTBEAT_SECONDS,
            stalled_worker_timeout=STALLED_SECONDS, listen_notify=True))
        recover = asyncio.create_task(_recover_stalled(app))
        loop = asyncio.get_running_loop()

        def stop(signum: int) -> None:
            log.info("received %s: finishing running jobs and stopping", signal.Signals(signum).name)
            host.stop_event.set()  # running crawls get SIGTERM and close their WARC files
            worker.cancel()

        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop, sig)
        log.info("spillwatch worker %s: queues %s, concurrency %d", name, ",".join(queues), concurrency)
        try:
            await worker
        except asyncio.CancelledError:
            pass  # the graceful stop asked for by a signal
        finally:
            recover.cancel()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)
    log.info("spillwatch worker %s: stopped", name)


async def _recover_stalled(app: App) -> None:
    """Put back in the queue the jobs of workers whose heartbeat stopped (procrastinate's stalled jobs)."""
    while True:
        await asyncio.sleep(RECOVER_SECONDS)
        try:
            stalled = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_SECONDS)
            for job in stalled:
                log.warning("job %s (%s) was left running by a worker that stopped; it runs again",
                            job.id, job.task_name)
                await app.job_manager.retry_job(job)
        except (ProcrastinateException, psycopg.Error) as exc:  # the database is away: tried again next round
            log.error("looking for stalled jobs failed (%s: %s); trying again in %.0f s",
                      exc.__class__.__name__, exc, RECOVER_SECONDS)
