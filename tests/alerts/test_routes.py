"""Routes as data: which findings go where, and when (pure functions, no servers)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from alerts.routes import DEFAULT_ROUTE, digest_due, due_time, effective_routes, quiet_hours_end, targets_for
from core.config import Alerts, Channel, Config, QuietHours, Route
from core.models import Severity

T = datetime(2022, 11, 28, 15, 4, 30, tzinfo=UTC)  # a Monday afternoon, UTC
MAIL = Channel(name="mail", kind="email", to=["a@ngo.example"])
SLACK = Channel(name="slack", kind="slack")


def _config(fast_settings, routes, **settings):
    return Config(settings=fast_settings(**settings), alerts=Alerts(channels=[MAIL, SLACK], routes=routes))


CASES = [
    # (route kwargs, site, kind, severity, matches)
    ({}, "ice", "person_table", "medium", True),
    ({}, "ice", "person_table", "low", False),
    ({"min_severity": "low"}, "ice", "person_table", "low", True),
    ({"min_severity": "critical"}, "ice", "person_table", "high", False),
    ({"sites": ["cbp"]}, "ice", "person_table", "critical", False),
    ({"sites": ["cbp", "ice"]}, "ice", "person_table", "critical", True),
    ({"kinds": ["failed_redaction"]}, "ice", "hidden_content", "critical", False),
    ({"kinds": ["failed_redaction"]}, "ice", "failed_redaction", "critical", True),
]


@pytest.mark.parametrize(("route", "site", "kind", "severity", "matches"), CASES)
def test_route_matching(fast_settings, route, site, kind, severity, matches):
    config = _config(fast_settings, [Route(name="r", channels=["mail"], **route)])
    targets = targets_for(config, site_id=site, kind=kind, severity=Severity.parse(severity), moment=T)
    assert bool(targets) is matches


def test_route_without_min_severity_uses_the_setting(fast_settings):
    config = _config(fast_settings, [Route(name="r", channels=["mail"])], min_alert_severity="high")
    assert not targets_for(config, site_id="ice", kind="person_table", severity=Severity.medium, moment=T)
    assert targets_for(config, site_id="ice", kind="person_table", severity=Severity.high, moment=T)


def test_default_route_when_channels_but_no_routes(fast_settings):
    config = _config(fast_settings, [])
    (route,) = effective_routes(config)
    assert (route.name, route.channels, route.mode, route.min_severity) == (DEFAULT_ROUTE, ["mail", "slack"],
                                                                           "immediate", "medium")
    targets = targets_for(config, site_id=None, kind="person_table", severity=Severity.medium, moment=T)
    assert [(t.channel, t.notifier, t.due_at) for t in targets] == [("mail", "email", T), ("slack", "slack", T)]


def test_digest_windows():
    assert digest_due("hourly", T, None) == datetime(2022, 11, 28, 16, 0, tzinfo=UTC)
    assert digest_due("daily", T, None) == datetime(2022, 11, 29, 0, 0, tzinfo=UTC)
    berlin = QuietHours(start="22:00", end="07:00", timezone="Europe/Berlin")
    assert digest_due("daily", T, berlin) == datetime(2022, 11, 28, 23, 0, tzinfo=UTC)  # Berlin midnight


@pytest.mark.parametrize(("moment", "end"), [
    (datetime(2022, 11, 28, 21, 30, tzinfo=UTC), datetime(2022, 11, 29, 6, 0, tzinfo=UTC)),  # 22:30 Berlin
    (datetime(2022, 11, 29, 3, 0, tzinfo=UTC), datetime(2022, 11, 29, 6, 0, tzinfo=UTC)),  # 04:00 Berlin
    (datetime(2022, 11, 29, 6, 0, tzinfo=UTC), None),  # 07:00 Berlin: quiet hours are over
    (T, None),
])
def test_quiet_hours_across_midnight(moment, end):
    assert quiet_hours_end(QuietHours(start="22:00", end="07:00", timezone="Europe/Berlin"), moment) == end


def test_quiet_hours_same_day_window_and_daily_digest_after_quiet_hours():
    lunch = QuietHours(start="12:00", end="14:00")
    assert quiet_hours_end(lunch, datetime(2022, 11, 28, 12, 59, tzinfo=UTC)) == datetime(
        2022, 11, 28, 14, 0, tzinfo=UTC)
    night = QuietHours(start="22:00", end="07:00", timezone="Europe/Berlin")
    route = Route(name="d", channels=["mail"], mode="daily", quiet_hours=night)
    # the daily window ends at Berlin midnight, inside the quiet hours: sent when they end, 07:00 Berlin
    assert due_time(route, T) == datetime(2022, 11, 29, 6, 0, tzinfo=UTC)
    immediate = Route(name="i", channels=["mail"], quiet_hours=night)
    assert due_time(immediate, T) == T


def test_immediate_delivery_inside_quiet_hours_waits_for_their_end(fast_settings):
    night = QuietHours(start="22:00", end="07:00", timezone="Europe/Berlin")
    config = _config(fast_settings, [Route(name="n", channels=["mail"], quiet_hours=night)])
    late = datetime(2022, 11, 28, 22, 30, tzinfo=UTC)  # 23:30 in Berlin
    (target,) = targets_for(config, site_id="ice", kind="person_table", severity=Severity.critical, moment=late)
    assert target.due_at == datetime(2022, 11, 29, 6, 0, tzinfo=UTC)
