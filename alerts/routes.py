"""Which routes a finding goes to, and when (immediately, in a digest window, after quiet hours).

Pure functions over the config: no database, no network.  A route matches a finding when its site is
listed (or the route says ``"*"``), its kind is listed and its severity is at least the route's
``min_severity``.  A route that does not set ``min_severity`` uses the ``min_alert_severity``
setting.  A config with channels but no routes gets one implicit route named ``default`` that sends
every finding of ``min_alert_severity`` and above to every channel, immediately.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.config import Config, QuietHours, Route
from core.models import Severity

DEFAULT_ROUTE = "default"


@dataclass(frozen=True)
class Target:
    """One delivery a finding needs: a route and one of its channels, due at ``due_at``."""

    route: str
    channel: str
    notifier: str
    mode: str
    due_at: datetime


def effective_routes(config: Config) -> list[Route]:
    """The configured routes, or the implicit ``default`` route when channels exist but no route."""
    if config.alerts.routes:
        return list(config.alerts.routes)
    if not config.alerts.channels:
        return []
    return [Route(name=DEFAULT_ROUTE, channels=[c.name for c in config.alerts.channels],
                  min_severity=config.settings.min_alert_severity)]


def route_min_severity(route: Route, default: str) -> Severity:
    if "min_severity" in route.model_fields_set:
        return Severity.parse(route.min_severity)
    return Severity.parse(default)


def route_matches(route: Route, *, site_id: str | None, kind: str, severity: Severity,
                  default_min_severity: str) -> bool:
    if "*" not in route.sites and (site_id or "") not in route.sites:
        return False
    if kind not in route.kinds:
        return False
    return severity >= route_min_severity(route, default_min_severity)


def _zone(quiet: QuietHours) -> ZoneInfo:
    try:
        return ZoneInfo(quiet.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"quiet_hours.timezone {quiet.timezone!r} is not a known time zone; use an IANA "
                         "name like Europe/Berlin or UTC") from None


def _hhmm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def quiet_hours_end(quiet: QuietHours, moment: datetime) -> datetime | None:
    """If ``moment`` falls in the quiet hours, when they end (UTC-aware); else None."""
    zone = _zone(quiet)
    local = moment.astimezone(zone)
    start, end = _hhmm(quiet.start), _hhmm(quiet.end)
    now = local.timetz().replace(tzinfo=None)
    if start == end:
        return None
    inside = (start <= now < end) if start < end else (now >= start or now < end)
    if not inside:
        return None
    end_day = local.date()
    if start > end and now >= start:
        end_day = end_day + timedelta(days=1)
    finish = datetime.combine(end_day, end, tzinfo=zone)
    return finish.astimezone(moment.tzinfo)


def digest_due(mode: str, moment: datetime, quiet: QuietHours | None) -> datetime:
    """End of the digest window ``moment`` falls in: the next full hour (hourly) or the next midnight
    (daily; in the quiet-hours time zone if the route has quiet hours, else UTC)."""
    if mode == "hourly":
        return moment.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    zone = _zone(quiet) if quiet is not None else moment.tzinfo
    local = moment.astimezone(zone)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0, 0), tzinfo=zone)
    return midnight.astimezone(moment.tzinfo)


def due_time(route: Route, moment: datetime) -> datetime:
    """When a delivery enqueued at ``moment`` on ``route`` becomes due."""
    due = moment if route.mode == "immediate" else digest_due(route.mode, moment, route.quiet_hours)
    if route.quiet_hours is not None:
        end = quiet_hours_end(route.quiet_hours, due)
        if end is not None:
            due = end
    return due


def targets_for(config: Config, *, site_id: str | None, kind: str, severity: Severity,
                moment: datetime) -> list[Target]:
    """Every (route, channel) a finding with these properties goes to, in config order."""
    channels = {c.name: c for c in config.alerts.channels}
    default_min = config.settings.min_alert_severity
    out: list[Target] = []
    for route in effective_routes(config):
        if not route_matches(route, site_id=site_id, kind=kind, severity=severity,
                             default_min_severity=default_min):
            continue
        due = due_time(route, moment)
        for name in route.channels:
            channel = channels.get(name)
            if channel is None:
                continue
            out.append(Target(route.name, channel.name, channel.kind, route.mode, due))
    return out


def find_route(config: Config, name: str) -> Route:
    routes = effective_routes(config)
    for route in routes:
        if route.name == name:
            return route
    known = ", ".join(r.name for r in routes) or "none configured under alerts.routes"
    raise LookupError(f"no route named {name!r}; known: {known}")
