"""A scale-out set-up: a PostgreSQL catalog with ``queue: procrastinate``, WARC files on a real S3
server, two local agency sites with watch pages, an SMTP server for the alerts."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from core.catalog.db import create_catalog_engine, upgrade
from core.config import Alerts, Channel, Config, Route, Site, WatchPage
from core.settings import Settings
from spillwatch.demo.agency_site import AgencySite
from tests.alerts.servers import SmtpServer
from tests.conftest import _postgres_database
from tests.scale.procs import Fleet
from tests.services.procs import free_port

SITES = ("north", "south")


@dataclass
class ScaleSetup:
    config: Config
    sites: dict[str, AgencySite]
    smtp: SmtpServer
    environ: dict[str, str]
    database_url: str
    bucket: str

    def write_config(self, path: Path) -> Path:
        """The same config as a YAML file, for `spillwatch` processes."""
        settings = self.config.settings
        lines = ["settings:"]
        for name in ("data_dir", "queue", "warc_storage", "s3_endpoint_url", "search_backend", "smtp_host",
                     "smtp_port", "smtp_security", "download_delay", "alert_poll_interval", "job_max_attempts",
                     "web_port", "replay_port"):
            lines.append(f"  {name}: {_yaml_value(settings, name)}")
        lines += ["  allow_private_addresses: true", "sites:"]
        for site in self.config.sites:
            lines += [f"  - id: {site.id}", f"    seeds: [{site.seeds[0]}]", "    allow_private_addresses: true",
                      "    obey_robots: false", "    max_pages: 100", "    download_delay: 0",
                      "    schedule: {interval: 1h}", "    watch_pages:",
                      f"      - url: {site.watch_pages[0].url}", f"        interval: {site.watch_pages[0].interval}"]
        lines += ["alerts:", "  channels:", "    - name: mail", "      kind: email",
                  "      to: [watch@ngo.example.org]", "  routes:", "    - name: all", "      channels: [mail]"]
        path.write_text("\n".join(lines) + "\n")
        return path


def _yaml_value(settings: Settings, name: str) -> str:
    value = getattr(settings, name)
    raw = settings.data_dir if name == "data_dir" else value
    if name in ("download_delay", "alert_poll_interval"):
        return f"{value}s"
    return f'"{raw}"' if isinstance(raw, str) else str(raw)


@pytest.fixture
def scale_setup(postgres_server: Any, s3_server: Any, make_settings: Callable[..., Settings],
                monkeypatch: pytest.MonkeyPatch) -> Iterator[ScaleSetup]:
    for name, value in s3_server.environ.items():
        monkeypatch.setenv(name, value)
    bucket = s3_server.create_bucket(f"warcs-{uuid.uuid4().hex[:10]}")
    database_url = _postgres_database(postgres_server)
    smtp = SmtpServer().start()
    settings = make_settings(
        database_url=database_url, queue="procrastinate", warc_storage=f"s3://{bucket}/spillwatch",
        s3_endpoint_url=s3_server.url, search_backend="sqlite", smtp_host="127.0.0.1", smtp_port=smtp.port,
        smtp_security="none", download_delay="0", alert_poll_interval="0.2s", job_max_attempts=5,
        web_port=free_port(), replay_port=free_port())
    with ExitStack() as stack:
        sites = {name: stack.enter_context(AgencySite(test_routes=True, slow_seconds=6.0)) for name in SITES}
        stack.callback(smtp.stop)
        config = Config(
            settings=settings,
            sites=[Site(id=name, seeds=[site.base_url + "/"], allow_private_addresses=True, max_pages=100,
                        download_delay=0, watch_pages=[WatchPage(url=site.base_url + "/statistics/", interval="5s")])
                   for name, site in sites.items()],
            alerts=Alerts(channels=[Channel(name="mail", kind="email", to=["watch@ngo.example.org"])],
                          routes=[Route(name="all", channels=["mail"])]),
        )
        yield ScaleSetup(config, sites, smtp, {**s3_server.environ, "SPILLWATCH_DATABASE_URL": database_url},
                         database_url, bucket)


@pytest.fixture
def fleet(scale_setup: ScaleSetup, tmp_path: Path) -> Iterator[Fleet]:
    logs = tmp_path / "logs"
    logs.mkdir()
    fleet = Fleet(scale_setup.write_config(tmp_path / "spillwatch.yml"), scale_setup.environ, logs)
    try:
        yield fleet
    finally:
        fleet.stop()


@pytest.fixture
def engine(scale_setup: ScaleSetup) -> Iterator[Engine]:
    catalog = create_catalog_engine(scale_setup.database_url)
    upgrade(catalog)
    yield catalog
    catalog.dispose()
