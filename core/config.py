"""The YAML config file: settings, sites (with schedules and watch pages) and alert routes.

Structure is validated by pydantic models with ``extra="forbid"`` so that a typo is an error, never
silently ignored.  Every problem is reported as ``file:line: key.path: what is wrong, what is
expected``; line numbers come from PyYAML's node tree, which keeps the position of every key.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core.errors import ConfigError
from core.models import FindingKind, Severity
from core.settings import Settings, parse_duration, resolve

SITE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
# The vocabularies of the config file, each listed once: document types the crawler follows, the
# notifier kinds (alerts/notifiers/ registers one class per kind; tests/alerts/test_registry.py
# checks both sides), finding kinds and severities from core.models.
DOCUMENT_TYPES = ("html", "pdf", "csv", "tsv", "xls", "xlsx", "ods", "docx", "json", "zip")
FINDING_KINDS = tuple(kind.value for kind in FindingKind)
SEVERITIES = Severity.names()
NOTIFIER_KINDS = ("email", "slack", "webhook", "apprise")
# How a site's HTML pages are fetched (docs/crawler.md "Rendered crawling"): `plain` by Scrapy only;
# `browser` also rendered by headless Chromium; `auto` rendered when the page has scripts and little
# text (crawler/render.py `needs_render`).
RENDER_MODES = ("plain", "auto", "browser")


def _one_of(value: str, choices: tuple[str, ...], what: str) -> str:
    if value not in choices:
        raise ValueError(f"unknown {what} {value!r}; expected one of: {', '.join(map(repr, choices))}")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_duration(value: str | int | float) -> str | int | float:
    parse_duration(value)
    return value


def _check_regexes(values: list[str]) -> list[str]:
    for pattern in values:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"{pattern!r} is not a valid regular expression ({exc})") from None
    return values


class Schedule(_Strict):
    """When a site's full crawl runs: a cron expression or a fixed interval."""

    cron: str | None = None
    interval: str | int | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Schedule:
        if (self.cron is None) == (self.interval is None):
            raise ValueError("give exactly one of 'cron' (e.g. '0 */6 * * *') or 'interval' (e.g. '6h')")
        if self.interval is not None:
            _check_duration(self.interval)
        if self.cron is not None and len(self.cron.split()) != 5:
            raise ValueError(f"cron {self.cron!r} must have 5 fields: minute hour day month weekday")
        return self


class WatchPage(_Strict):
    """A page where releases appear, polled often; new linked documents are fetched at once."""

    url: str
    interval: str | int = "5m"
    render: str | None = None  # plain, auto or browser; None: as the site

    @field_validator("render")
    @classmethod
    def _render_mode(cls, value: str | None) -> str | None:
        return None if value is None else _one_of(value, RENDER_MODES, "render mode")

    _duration = field_validator("interval")(_check_duration)


class Site(_Strict):
    id: str
    name: str = ""
    seeds: list[str] = Field(min_length=1)
    allowed_domains: list[str] = Field(default_factory=list)
    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    max_depth: int = Field(default=5, ge=0)
    max_pages: int = Field(default=10_000, ge=1)
    follow_types: list[str] = Field(default_factory=lambda: list(DOCUMENT_TYPES))
    sitemaps: bool = True
    obey_robots: bool = True
    allow_private_addresses: bool = False
    download_delay: str | int | float | None = None
    render: str = "plain"
    schedule: Schedule | None = None
    watch_pages: list[WatchPage] = Field(default_factory=list)
    # where to report a disclosure on this site (an email address or an https URL), besides the
    # contacts of its /.well-known/security.txt (docs/disclosure.md)
    disclosure_contact: str | None = None

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not SITE_ID.match(value):
            raise ValueError(f"{value!r} is not a site id; use lowercase letters, digits, '-' and '_'")
        return value

    @field_validator("seeds")
    @classmethod
    def _seed_urls(cls, values: list[str]) -> list[str]:
        for url in values:
            if not re.match(r"^https?://[^/\s]+", url):
                raise ValueError(f"{url!r} is not an http(s) URL")
        return values

    _regexes = field_validator("include", "exclude")(_check_regexes)

    @field_validator("download_delay")
    @classmethod
    def _delay(cls, value: str | int | float | None) -> str | int | float | None:
        return None if value is None else _check_duration(value)

    @field_validator("render")
    @classmethod
    def _render_mode(cls, value: str) -> str:
        return _one_of(value, RENDER_MODES, "render mode")

    @field_validator("follow_types")
    @classmethod
    def _known_types(cls, values: list[str]) -> list[str]:
        return [_one_of(value, DOCUMENT_TYPES, "document type") for value in values]


class Channel(_Strict):
    """Where alerts go. Secrets (webhook URLs, HMAC keys) are named by environment variable."""

    name: str
    kind: str
    to: list[str] = Field(default_factory=list)
    url_env: str | None = None
    secret_env: str | None = None
    rate_limit_per_minute: int = Field(default=20, ge=1)

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        return _one_of(value, NOTIFIER_KINDS, "notifier kind")

    @model_validator(mode="after")
    def _kind_fields(self) -> Channel:
        if self.kind == "email" and not self.to:
            raise ValueError("an email channel needs 'to': a list of addresses")
        if self.kind != "email" and self.to:
            raise ValueError(f"'to' is for email channels; a {self.kind} channel uses 'url_env'")
        if self.kind in ("webhook", "apprise") and not self.url_env:
            raise ValueError(f"a {self.kind} channel needs 'url_env': the environment variable holding its URL")
        for env_name in (self.url_env, self.secret_env):
            if env_name is not None and not re.match(r"^[A-Z_][A-Z0-9_]*$", env_name):
                raise ValueError(f"{env_name!r} is not an environment variable name")
        return self


class QuietHours(_Strict):
    start: str
    end: str
    timezone: str = "UTC"

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not re.match(r"^([01]\d|2[0-3]):[0-5]\d$", value):
            raise ValueError(f"{value!r} is not a time; expected HH:MM, e.g. 22:00")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a known time zone; use an IANA name like Europe/Berlin or UTC"
                             ) from None
        return value


class Route(_Strict):
    name: str
    channels: list[str] = Field(min_length=1)
    sites: list[str] = Field(default_factory=lambda: ["*"])
    kinds: list[str] = Field(default_factory=lambda: list(FINDING_KINDS))
    min_severity: str = "medium"
    mode: Literal["immediate", "hourly", "daily"] = "immediate"
    quiet_hours: QuietHours | None = None

    @field_validator("kinds")
    @classmethod
    def _known_kinds(cls, values: list[str]) -> list[str]:
        return [_one_of(value, FINDING_KINDS, "finding kind") for value in values]

    @field_validator("min_severity")
    @classmethod
    def _known_severity(cls, value: str) -> str:
        return _one_of(value, SEVERITIES, "severity")


# How a public archive is asked whether it holds a copy (docs/disclosure.md "Mirror sweep"): the
# CDX server API (the Wayback Machine's, pywb's) or a Memento TimeMap.
MIRROR_KINDS = ("cdx", "memento")


class Mirror(_Strict):
    """A public archive the mirror sweep asks: ``url`` is its CDX endpoint or TimeMap prefix."""

    name: str
    kind: str = "cdx"
    url: str
    replay_url: str = ""  # cdx kind: where a copy is viewed, {replay_url}{timestamp}/{url} (e.g. Wayback's /web/)

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        return _one_of(value, MIRROR_KINDS, "mirror kind")

    @field_validator("url", "replay_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value


class Disclosure(_Strict):
    """The disclosure workflow: public archives swept for copies, and the endpoints they are
    allowed on (the egress guard applies; ``allow_private_addresses`` only for tests and the demo)."""

    mirrors: list[Mirror] = Field(default_factory=list)
    allow_private_addresses: bool = False


class Alerts(_Strict):
    channels: list[Channel] = Field(default_factory=list)
    routes: list[Route] = Field(default_factory=list)


class ConfigFile(_Strict):
    settings: dict[str, Any] = Field(default_factory=dict)
    sites: list[Site] = Field(default_factory=list)
    alerts: Alerts = Field(default_factory=Alerts)
    disclosure: Disclosure = Field(default_factory=Disclosure)


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


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that also rejects duplicate keys (a silent override hides typos)."""


def _positions(node: yaml.Node, path: tuple[Any, ...], out: dict[tuple[Any, ...], int],
               problems: list[tuple[int, str]]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                problems.append((key_node.start_mark.line + 1,
                                 f"{_dotted(path + (key,))}: duplicate key; keep only one"))
            seen.add(key)
            out[path + (key,)] = key_node.start_mark.line + 1
            _positions(value_node, path + (key,), out, problems)
            out[path + (key,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _positions(item, path + (index,), out, problems)


def _dotted(path: tuple[Any, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _describe(error: Mapping[str, Any], model_fields: list[str]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown key; expected one of: {', '.join(model_fields)}"
    if kind == "missing":
        return "required key is missing"
    message = str(error["msg"])
    message = message.removeprefix("Value error, ")
    return message[0].lower() + message[1:] if message else message


def _fields_at(path: tuple[Any, ...]) -> list[str]:
    """Allowed keys of the model that owns the mapping at ``path`` (for 'unknown key' messages)."""
    model: Any = ConfigFile
    for part in path:
        if isinstance(part, int):
            continue
        annotation = model.model_fields.get(part)
        if annotation is None:
            break
        candidate = annotation.annotation
        for arg in getattr(candidate, "__args__", ()) or (candidate,):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                candidate = arg
                break
            for inner in getattr(arg, "__args__", ()):
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    candidate = inner
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            model = candidate
        else:
            break
    return list(model.model_fields)


def parse_config_text(
    text: str, label: str
) -> tuple[ConfigFile | None, dict[str, Any], dict[tuple[Any, ...], int], list[str]]:
    """Parse and validate YAML text.

    Returns the validated file (None when its structure is invalid), the raw ``settings:`` mapping,
    the line of every key, and every structural problem as a ``file:line: key: message`` line.
    """
    try:
        root = yaml.compose(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        return None, {}, {}, [f"{label}:{line}: (yaml): {problem}; fix the YAML syntax"]
    positions: dict[tuple[Any, ...], int] = {}
    dup_problems: list[tuple[int, str]] = []
    if root is not None:
        _positions(root, (), positions, dup_problems)
    data = yaml.load(text, Loader=_LineLoader) if root is not None else {}
    if data is None:
        data = {}
    problems = [f"{label}:{line}: {msg}" for line, msg in dup_problems]
    if not isinstance(data, dict):
        return None, {}, positions, [f"{label}:1: (top level): expected a mapping with keys settings, "
                                     "sites, alerts"]
    given = data.get("settings")
    raw_settings: dict[str, Any] = given if isinstance(given, dict) else {}
    try:
        parsed: ConfigFile | None = ConfigFile.model_validate(data)
    except ValidationError as exc:
        parsed = None
        for error in exc.errors():
            loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            # pydantic adds union/literal branch names to loc; keep only real keys and indices
            loc = tuple(p for p in loc if isinstance(p, int) or p in _all_keys(data, loc))
            line = _line_for(positions, loc)
            problems.append(f"{label}:{line}: {_dotted(loc)}: {_describe(error, _fields_at(loc[:-1]))}")
    if parsed is not None:
        problems.extend(_semantic_problems(parsed, positions, label))
    return parsed, raw_settings, positions, problems


def _all_keys(data: Any, loc: tuple[Any, ...]) -> set[str]:
    keys: set[str] = set()
    node = data
    for part in loc:
        if isinstance(node, dict):
            keys.update(str(k) for k in node)
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            break
    if isinstance(node, dict):
        keys.update(str(k) for k in node)
    return keys


def _line_for(positions: Mapping[tuple[Any, ...], int], loc: tuple[Any, ...]) -> int:
    for end in range(len(loc), -1, -1):
        if loc[:end] in positions:
            return positions[loc[:end]]
    return 1


def _semantic_problems(cfg: ConfigFile, positions: Mapping[tuple[Any, ...], int], label: str) -> list[str]:
    """Cross-references that a per-field model cannot check."""
    problems: list[str] = []
    site_ids: set[str] = set()
    loc: tuple[str | int, ...]
    for index, site in enumerate(cfg.sites):
        if site.id in site_ids:
            loc = ("sites", index, "id")
            problems.append(f"{label}:{_line_for(positions, loc)}: {_dotted(loc)}: duplicate site id "
                            f"{site.id!r}; each site needs its own id")
        site_ids.add(site.id)
    channel_names = {c.name for c in cfg.alerts.channels}
    for index, route in enumerate(cfg.alerts.routes):
        for c_index, name in enumerate(route.channels):
            if name not in channel_names:
                loc = ("alerts", "routes", index, "channels", c_index)
                known = ", ".join(sorted(channel_names)) or "none defined under alerts.channels"
                problems.append(f"{label}:{_line_for(positions, loc)}: {_dotted(loc)}: no channel named "
                                f"{name!r}; expected one of: {known}")
        for s_index, site_id in enumerate(route.sites):
            if site_id != "*" and site_id not in site_ids:
                loc = ("alerts", "routes", index, "sites", s_index)
                problems.append(f"{label}:{_line_for(positions, loc)}: {_dotted(loc)}: no site with id "
                                f"{site_id!r}; use a configured site id or '*'")
    return problems


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
                problem = f"{label}:{_line_for(positions, ('settings', key))}: settings.{rest}"
            problems.append(problem)
    if parsed is not None and not problems:
        admin = str(settings.admin_alert_route)
        routes = sorted(route.name for route in parsed.alerts.routes)
        if admin and admin not in routes:  # the service's own notices would go nowhere
            problems.append(f"{label}:{_line_for(positions, ('settings', 'admin_alert_route'))}: "
                            f"settings.admin_alert_route: no route named {admin!r}; expected one of: "
                            f"{', '.join(routes) or 'none defined under alerts.routes'}")
    if problems or parsed is None:
        raise ConfigError(problems)
    return Config(settings=settings, sites=list(parsed.sites), alerts=parsed.alerts, path=file_path,
                  disclosure=parsed.disclosure)
