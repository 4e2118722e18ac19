"""HTTP for ``spillwatch run``: the UI and replay origin (:mod:`web`) plus ``/healthz`` and ``/metrics``.

The two operational endpoints are mounted in front of the UI with werkzeug's DispatcherMiddleware,
need no login (they carry no personal data: counts and ages only) and answer even when the UI's
database queries are slow, because they read only a few aggregates.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from core.catalog import schema as s
from core.config import Config
from spillwatch.service.disk import check as check_disk
from spillwatch.service.metrics import ServiceCollector, metrics_text
from spillwatch.service.state import ServiceState

StartResponse = Callable[..., Any]


def _respond(start_response: StartResponse, status: str, body: bytes, content_type: str) -> Iterable[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body))),
                             ("Cache-Control", "no-store")])
    return [body]


class ServiceHttp:
    def __init__(self, config: Config, engine: Engine, state: ServiceState,
                 scheduler_running: Callable[[], bool]) -> None:
        self.config = config
        self.engine = engine
        self.state = state
        self.scheduler_running = scheduler_running
        self.servers: Any = None

    def healthz(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        state = self.state
        report: dict[str, Any] = {
            "status": "ok", "started_at": state.started_at.isoformat(), "stopping": state.stopping,
            "current_crawl": state.current_crawl, "crawls_run": state.crawls_run,
            "files_indexed": state.files_indexed,
            "scheduler": self.scheduler_running(),
        }
        try:
            with self.engine.connect() as conn:
                conn.execute(select(s.service_leases.c.name).limit(1)).all()
            report["catalog"] = "ok"
        except SQLAlchemyError as exc:
            report["catalog"] = f"error: {exc.__class__.__name__}"
            report["status"] = "degraded"
        disk = check_disk(self.config)
        report["disk"] = {"free_bytes": disk.free, "min_free_disk": int(self.config.settings.min_free_disk)}
        report["crawls_paused"] = state.paused or disk.reason
        report["workers_degraded"] = dict(state.degraded)
        reasons = [r for r in (report["crawls_paused"], *state.degraded.values()) if r]
        if reasons and report["status"] == "ok":
            report["status"] = "degraded"
        report["reasons"] = reasons
        if state.stopping or not report["scheduler"]:
            report["status"] = "stopping" if state.stopping else "degraded"
        report["checked_at"] = datetime.now(UTC).isoformat()
        status = "200 OK" if report["status"] == "ok" else "503 Service Unavailable"
        return _respond(start_response, status, json.dumps(report).encode(), "application/json")

    def metrics(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        state = self.state
        disk = check_disk(self.config)
        extra = []
        if self.config.settings.queue == "procrastinate":  # queue depth, job durations and failures, workers
            from spillwatch.jobs.metrics import QueueCollector

            extra.append(QueueCollector(self.engine))
        body = metrics_text(self.engine, [site.id for site in self.config.sites],
                            ServiceCollector(state.paused or disk.reason, disk.free, dict(state.degraded)), *extra)
        return _respond(start_response, "200 OK", body, "text/plain; version=0.0.4; charset=utf-8")

    def start(self) -> None:
        from web import create_app, create_replay_app
        from web.server import serve

        settings = self.config.settings
        ui = create_app(self.config, engine=self.engine)
        ui.wsgi_app = DispatcherMiddleware(ui.wsgi_app, {  # type: ignore[method-assign]
            "/healthz": self.healthz, "/metrics": self.metrics})
        replay = create_replay_app(self.config)
        self.servers = serve(ui, settings.web_host, settings.web_port, replay, settings.replay_host,
                             settings.replay_port, threads=int(settings.web_threads),
                             connection_limit=int(settings.web_connection_limit))

    @property
    def urls(self) -> list[str]:
        return list(self.servers.urls) if self.servers is not None else []

    def stop(self) -> None:
        if self.servers is not None:
            self.servers.stop()
