"""The procrastinate app of ``queue: procrastinate``: its tasks, queues, locks and retries.

Queues: ``crawl`` (crawls and watch-page bursts), ``index`` (one WARC file each) and ``alerts``
(dispatch, maintenance).  Locks (procrastinate's ``lock``: jobs sharing one run one at a time, in
order): ``site:<id>`` for every crawl and burst of a site — never two crawls of one site at once,
on any machine, so its politeness holds —, ``warc:<path>`` per WARC file, ``dispatch``.  Queueing
locks (``queueing_lock``: at most one waiting job per key) keep the scheduler from queueing a
watch poll, an index job or a dispatch twice.  A failing job is retried with exponential backoff
(``RetryStrategy``) up to ``job_max_attempts``; a job whose worker died is found by
:mod:`spillwatch.jobs.worker` (procrastinate's stalled jobs) and retried.

The app is built per process from the settings (:func:`build_app`); the tasks reach the worker's
:class:`~spillwatch.jobs.host.WorkerHost` through procrastinate's job context.
"""

from __future__ import annotations

import logging
from typing import Any

from procrastinate import App, JobContext, PsycopgConnector, RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy.engine import make_url

from core.errors import ConfigError
from core.settings import Settings
from spillwatch.jobs import work
from spillwatch.jobs.host import WorkerHost

log = logging.getLogger("spillwatch.jobs")

QUEUES = ("crawl", "index", "alerts")
BACKOFF_BASE = 3  # seconds: retries wait 3, 9, 27, 81, 243 s… (procrastinate's exponential_wait)
CRAWL, BURST, INDEX, DISPATCH, MAINTENANCE = (f"spillwatch.{n}" for n in
                                              ("crawl", "burst", "index", "dispatch", "maintenance"))


def conninfo(catalog_url: str) -> str:
    """The libpq connection string of a PostgreSQL catalog URL (SQLAlchemy spelling)."""
    url = make_url(catalog_url)
    if not url.drivername.startswith("postgresql"):
        raise ConfigError([f"queue: procrastinate needs a PostgreSQL catalog; database_url is {url.drivername} "
                           "(set SPILLWATCH_DATABASE_URL=postgresql+psycopg://…, or queue: embedded)"])
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def build_app(settings: Settings) -> App:
    logging.getLogger("procrastinate.blueprints").setLevel(logging.WARNING)  # "Adding tasks…" on every start
    app = App(connector=PsycopgConnector(conninfo=conninfo(settings.catalog_url)))
    retry = RetryStrategy(max_attempts=max(1, int(settings.job_max_attempts)), exponential_wait=BACKOFF_BASE)

    @app.task(name=CRAWL, queue="crawl", pass_context=True, retry=retry)
    def crawl(context: JobContext, crawl_id: int) -> None:
        outcome = work.crawl_request(_host(context), crawl_id)
        for path in outcome.to_index:
            defer_index(context.app, path, crawl_id)
        for site in outcome.burst_sites:
            defer_burst(context.app, site)
        defer_dispatch(context.app)

    @app.task(name=BURST, queue="crawl", pass_context=True, retry=retry)
    def burst(context: JobContext, site_id: str) -> None:
        if work.burst(_host(context), site_id):
            defer_burst(context.app, site_id)  # more may be due: the next batch as a job of its own
            defer_dispatch(context.app)

    @app.task(name=INDEX, queue="index", pass_context=True, retry=retry)
    def index(context: JobContext, path: str, crawl_id: int | None = None) -> None:
        work.index_warc(_host(context), path, crawl_id)
        defer_dispatch(context.app)

    @app.task(name=DISPATCH, queue="alerts", pass_context=True, retry=retry)
    def dispatch(context: JobContext) -> None:
        work.dispatch(_host(context))

    @app.task(name=MAINTENANCE, queue="alerts", pass_context=True, retry=retry)
    def maintenance(context: JobContext) -> None:
        work.maintenance(_host(context))

    return app


def _host(context: JobContext) -> WorkerHost:
    host = context.additional_context.get("host")
    if not isinstance(host, WorkerHost):
        raise RuntimeError("a spillwatch job ran outside `spillwatch worker` (no worker host in its context)")
    return host


def _defer(app: App, task: str, lock: str, queueing_lock: str, **kwargs: Any) -> bool:
    """Defer one job; False when an identical one is already waiting (its queueing lock)."""
    try:
        app.configure_task(task, lock=lock, queueing_lock=queueing_lock).defer(**kwargs)
    except AlreadyEnqueued:
        return False
    return True


def defer_crawl(app: App, crawl_id: int, site_id: str) -> bool:
    return _defer(app, CRAWL, f"site:{site_id}", f"crawl:{crawl_id}", crawl_id=crawl_id)


def defer_burst(app: App, site_id: str) -> bool:
    return _defer(app, BURST, f"site:{site_id}", f"burst:{site_id}", site_id=site_id)


def defer_index(app: App, path: str, crawl_id: int | None = None) -> bool:
    return _defer(app, INDEX, f"warc:{path}", f"index:{path}", path=path, crawl_id=crawl_id)


def defer_dispatch(app: App) -> bool:
    return _defer(app, DISPATCH, "dispatch", "dispatch")


def defer_maintenance(app: App) -> bool:
    return _defer(app, MAINTENANCE, "maintenance", "maintenance")
