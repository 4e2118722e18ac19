"""The YAML config file: settings, sites (with schedules and watch pages) and alert routes.

Structure is validated by pydantic models with ``extra="forbid"`` so that a typo is an error, never
silently ignored.  Every problem is reported as ``file:line: key.path: what is wrong, what is
expected``; line numbers come from PyYAML's node tree, which keeps the position of every key.

This module holds :class:`Config` (what a command gets) and :func:`load_config`; the models are
those of :mod:`core.config_sites`, :mod:`core.config_alerts` and :mod:`core.config_disclosure`, their
vocabularies in :mod:`core.config_vocabulary`, and the YAML parsing in :mod:`core.config_file`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.config_alerts import Alerts, Channel, QuietHours, Route
from core.config_disclosure import Disclosure, Mirror
from core.config_file import ConfigFile, line_for, parse_config_text
from core.config_sites import SITE_ID, Schedule, Site, WatchPage
from core.config_vocabulary import (
    DOCUMENT_TYPES,
    FINDING_KINDS,
    MIRROR_KINDS,
    NOTIFIER_KINDS,
    RENDER_MODES,
    SEVERITIES,
)
from core.errors import ConfigError
from core.settings import Settings, resolve


@dataclass
class Config:
    """Everything a command needs: resolved settings plus the sites and alert routes."""

    settings: Settings
    sites: list[Site] = field(default_factory=list)
    alerts: Alerts = field(default_factory=Alerts)
    path: Path | None = None
    disclosure: Disclosure = field(default_factory=Disclosure)

    def site(self, site_id: str) -> Site:
        for site in self.sites:
            if site.id == site_id:
                return site
        known = ", ".join(s.id for s in self.sites) or "none configured"
        where = self.path or "the config file"
        raise ConfigError([f"{where}: sites: no site with id {site_id!r}; known: {known}"])


def load_config(
    path: str | Path | None,
    environ: Mapping[str, str] | None = None,
    cli_values: Mapping[str, Any] | None = None,
) -> Config:
    """Read the config file (if any), then resolve settings with env and command-line overrides."""
    environ = os.environ if environ is None else environ
    if path is None:
        settings = resolve({}, environ, cli_values)
        return Config(settings=settings)
    file_path = Path(path)
    label = str(file_path)
    try:
        text = file_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{label}: file not found; pass an existing file to --config"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{label}: cannot read ({exc}); the config must be a UTF-8 YAML file"]) from None
    parsed, raw_settings, positions, problems = parse_config_text(text, label)
    try:
        settings = resolve(raw_settings, environ, cli_values, file_label=label)
    except ConfigError as exc:
        for problem in exc.problems:
            if problem.startswith(f"{label}: "):
                rest = problem[len(label) + 2:].removeprefix("settings.")
                key = rest.split(":", 1)[0]
                problem = f"{label}:{line_for(positions, ('settings', key))}: settings.{rest}"
            problems.append(problem)
    if parsed is not None and not problems:
        admin = str(settings.admin_alert_route)
        routes = sorted(route.name for route in parsed.alerts.routes)
        if admin and admin not in routes:  # the service's own notices would go nowhere
            problems.append(f"{label}:{line_for(positions, ('settings', 'admin_alert_route'))}: "
                            f"settings.admin_alert_route: no route named {admin!r}; expected one of: "
                            f"{', '.join(routes) or 'none defined under alerts.routes'}")
    if problems or parsed is None:
        raise ConfigError(problems)
    return Config(settings=settings, sites=list(parsed.sites), alerts=parsed.alerts, path=file_path,
                  disclosure=parsed.disclosure)


__all__ = [
    "DOCUMENT_TYPES", "FINDING_KINDS", "MIRROR_KINDS", "NOTIFIER_KINDS", "RENDER_MODES", "SEVERITIES", "SITE_ID",
    "Alerts", "Channel", "Config", "ConfigFile", "Disclosure", "Mirror", "QuietHours", "Route", "Schedule", "Site",
    "WatchPage", "load_config", "parse_config_text",
]
