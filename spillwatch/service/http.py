"""HTTP for ``spillwatch run``: the UI and replay origin (:mod:`web`) plus ``/healthz`` and ``/metrics``.

The two operational endpoints are mounted in front of the UI with werkzeug's DispatcherMiddleware,
need no login (they carry no personal data: counts and ages only) and answer even when the UI's
database queries are slow, because they read only a few aggregates.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from spillwatch.catalog import schema as s
from spillwatch.service.disk import check as check_disk
from spillwatch.service.metrics import ServiceCollector, metrics_text

if TYPE_CHECKING:
    from spillwatch.service.loop import Service

StartResponse = Callable[..., Any]


def _respond(start_response: StartResponse, status: str, body: bytes, content_type: str) -> Iterable[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body))),
                             ("Cache-Control", "no-store")])
    return [body]


class ServiceHttp:
    def __init__(self, service: Service) -> None:
        self.service = service
        self.servers: Any = None

    def healthz(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        state = self.service.state
        report: dict[str, Any] = {
            "status": "ok", "started_at": state.started_at.isoformat(), "stopping": state.stopping,
            "current_crawl": state.current_crawl, "crawls_run": state.crawls_run,
            "files_indexed": state.files_indexed,
            "scheduler": bool(self.service.scheduler is not None and self.service.scheduler.running),
        }
        try:
            with self.service.engine.connect() as conn:
                conn.execute(select(s.service_leases.c.name).limit(1)).all()
            report["catalog"] = "ok"
        except SQLAlchemyError as exc:
            report["catalog"] = f"error: {exc.__class__.__name__}"
            report["status"] = "degraded"
        disk = check_disk(self.service.config)
        report["disk"] = {"free_bytes": disk.free, "min_free_disk": int(self.service.settings.min_free_disk)}
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
        state = self.service.state
        disk = check_disk(self.service.config)
        body = metrics_text(self.service.engine, [site.id for site in self.service.config.sites],
                            ServiceCollector(state.paused or disk.reason, disk.free, dict(state.degraded)))
        return _respond(start_response, "200 OK", body, "text/plain; version=0.0.4; charset=utf-8")

    def start(self) -> None:
        from web import create_app, create_replay_app
        from web.server import serve

        settings = self.service.settings
        ui = create_app(self.service.config, engine=self.service.engine)
        ui.wsgi_app = DispatcherMiddleware(ui.wsgi_app, {  # type: ignore[method-assign]
            "/healthz": self.healthz, "/metrics": self.metrics})
        replay = create_replay_app(self.service.config)
        self.servers = serve(ui, settings.web_host, settings.web_port, replay, settings.replay_host,
                             settings.replay_port, threads=int(settings.web_threads),
                             connection_limit=int(settings.web_connection_limit))

    @property
    def urls(self) -> list[str]:
        return list(self.servers.urls) if self.servers is not None else []

    def stop(self) -> None:
        if self.servers is not None:
            self.servers.stop()
