"""Fixtures for the alert tests: a fast-retry config, a migrated SQLite catalog, real local servers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from core.catalog import open_catalog
from core.config import Alerts, Channel, Config, Route, Site
from core.settings import Settings
from tests.alerts.rows import Person, insert_site, people
from tests.alerts.servers import SlackLikeServer, SmtpServer

FAST = {"alert_timeout": "0.5s", "alert_retry_delay": "0.05s", "alert_retry_max_delay": "0.2s",
        "alert_max_attempts": 4, "alert_poll_interval": "0.05s", "base_url": "https://spillwatch.ngo.example"}

SITE = Site(id="ice", name="ICE detention statistics", seeds=["https://www.ice.gov/"])


@pytest.fixture
def crowd() -> list[Person]:
    return people(12)


@pytest.fixture
def fast_settings(make_settings: Callable[..., Settings]) -> Callable[..., Settings]:
    def factory(**overrides: Any) -> Settings:
        return make_settings(**{**FAST, **overrides})

    return factory


@pytest.fixture
def make_config(fast_settings: Callable[..., Settings]) -> Callable[..., Config]:
    def factory(channels: list[Channel], routes: list[Route] | None = None, **settings: Any) -> Config:
        return Config(settings=fast_settings(**settings), sites=[SITE],
                      alerts=Alerts(channels=channels, routes=routes or []))

    return factory


@pytest.fixture
def engine(fast_settings: Callable[..., Settings]) -> Iterator[Engine]:
    eng = open_catalog(fast_settings())
    with eng.begin() as conn:
        insert_site(conn)
    yield eng
    eng.dispose()


@pytest.fixture
def slack_server() -> Iterator[SlackLikeServer]:
    server = SlackLikeServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()
