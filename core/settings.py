"""The one settings table and the code that resolves it.

Precedence, lowest first: the defaults below < the ``settings:`` section of the YAML config file
< environment variables ``SPILLWATCH_<NAME>`` < command-line options.  Secrets (``secret=True``)
come from the environment only: a secret in the config file or on the command line is an error,
because config files get committed and command lines show up in ``ps``.

Modelled on Scrapy's documented defaults table: adding a setting means adding one row here and
one line to ``config/spillwatch.example.yml`` and the README (a test enforces both).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import ConfigError
from core.models import Severity

ENV_PREFIX = "SPILLWATCH_"


def _parse_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"{raw!r} is not a boolean; expected true or false")


_SIZE_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "kib": 2**10, "mib": 2**20, "gib": 2**30}


def parse_size(raw: Any) -> int:
    """``200MB``, ``1 GiB``, ``1048576`` → bytes."""
    if isinstance(raw, bool):
        raise ValueError(f"{raw!r} is not a size; expected bytes like 200MB or 1048576")
    if isinstance(raw, int):
        return raw
    text = str(raw).strip().lower().replace(" ", "")
    number = text.rstrip("abcdefghijklmnopqrstuvwxyz")
    unit = text[len(number):]
    if unit not in _SIZE_UNITS or not number:
        raise ValueError(f"{raw!r} is not a size; expected bytes like 200MB, 1GiB or 1048576")
    return int(float(number) * _SIZE_UNITS[unit])


_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(raw: Any) -> float:
    """``90``, ``90s``, ``5m``, ``6h``, ``1d`` → seconds."""
    if isinstance(raw, bool):
        raise ValueError(f"{raw!r} is not a duration; expected seconds or 30s, 5m, 6h, 1d")
    if isinstance(raw, int | float):
        return float(raw)
    text = str(raw).strip().lower()
    try:
        if text and text[-1] in _DURATION_UNITS:
            return float(text[:-1]) * _DURATION_UNITS[text[-1]]
        return float(text)
    except ValueError:
        raise ValueError(f"{raw!r} is not a duration; expected seconds or 30s, 5m, 6h, 1d") from None


def _parse_int(raw: Any) -> int:
    if isinstance(raw, bool):
        raise ValueError(f"{raw!r} is not an integer")
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise ValueError(f"{raw!r} is not an integer") from None


def _parse_float(raw: Any) -> float:
    if isinstance(raw, bool):
        raise ValueError(f"{raw!r} is not a number")
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"{raw!r} is not a number") from None


def _parse_str(raw: Any) -> str:
    if isinstance(raw, dict | list):
        raise ValueError("expected a single text value, not a mapping or list")
    return "" if raw is None else str(raw)


# The names of the search backends, for validating the setting on the ground floor; the
# implementations register under the same names in indexer.search.BACKENDS (a test compares them).
SEARCH_BACKENDS = ("sqlite", "elasticsearch")


def _choice(*choices: str) -> Callable[[Any], str]:
    def parse(raw: Any) -> str:
        text = _parse_str(raw).strip().lower()
        if text not in choices:
            raise ValueError(f"{raw!r} is not allowed; expected one of: {', '.join(choices)}")
        return text

    return parse


def _severity(raw: Any) -> str:
    return _choice(*Severity.names())(raw)


def _parse_severity_durations(raw: Any) -> dict[str, float]:
    """``critical=5m,high=15m`` → {"critical": 300.0, "high": 900.0}; every severity must be named."""
    if isinstance(raw, dict):
        pairs = [(str(k), v) for k, v in raw.items()]
    else:
        pairs = []
        for part in _parse_str(raw).split(","):
            name, sep, value = part.partition("=")
            if not sep:
                raise ValueError(f"{part.strip()!r} is not severity=duration, e.g. critical=5m")
            pairs.append((name, value))
    parsed = {_severity(name): parse_duration(value) for name, value in pairs}
    missing = [name for name in Severity.names() if name not in parsed]
    if missing:
        raise ValueError(f"no interval for {', '.join(missing)}; name every severity, e.g. "
                         "critical=5m,high=15m,medium=1h,low=6h")
    return parsed


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[Any], Any] = _parse_str
    secret: bool = False

    @property
    def env_var(self) -> str:
        return ENV_PREFIX + self.name.upper()


# The table.  Keep it sorted by topic; the README's settings section mirrors it.
SETTINGS: tuple[Setting, ...] = (
    # storage
    Setting("data_dir", "./spillwatch-data", "Folder for the catalog, WARC files, search index and outbox.",
            _parse_str),
    Setting("database_url", "", "SQLAlchemy URL of the catalog; empty means the SQLite file "
            "DATA_DIR/catalog.sqlite3. Use postgresql+psycopg://user:pass@host/db for PostgreSQL.",
            _parse_str, secret=True),
    Setting("search_backend", "sqlite", "Search index: 'sqlite' (FTS5 inside the catalog's folder) or "
            "'elasticsearch'.", _choice(*SEARCH_BACKENDS)),
    Setting("elasticsearch_url", "http://127.0.0.1:9200", "Elasticsearch 8.x address, or several nodes of "
            "one cluster separated by commas (a request failing on one node is retried on another).", _parse_str),
    Setting("elasticsearch_index", "spillwatch-captures", "Name of the Elasticsearch index (an index "
            "template with the same prefix is installed on start).", _parse_str),
    Setting("elasticsearch_username", "", "Elasticsearch user for basic auth (empty: no auth).", _parse_str),
    Setting("elasticsearch_password", "", "Elasticsearch password for basic auth.", _parse_str, secret=True),
    Setting("elasticsearch_ca_certs", "", "CA bundle to verify Elasticsearch's TLS certificate.", _parse_str),
    Setting("elasticsearch_timeout", "30s", "Timeout of one Elasticsearch request.", parse_duration),
    Setting("search_time_budget", "5s", "Longest time one search may take (UI, API, CLI); a slower one is "
            "stopped and answered 'refine your search' (0: no limit).", parse_duration),
    Setting("search_rank_window", 2000, "With the sqlite backend, a search matching more documents than "
            "this ranks them, and counts its facets, among its this many most recently indexed matches (the "
            "total stays exact and the page says so): FTS5 must score every match to rank them, 0.5 s for a "
            "common word in a million documents. 0: rank every match. Elasticsearch always ranks every "
            "match.", _parse_int),
    Setting("search_max_prefix_terms", 5000, "Most distinct indexed words one prefix query (word*) may "
            "expand to with the sqlite backend; a broader prefix is answered 'refine your search' (0: no "
            "limit).", _parse_int),
    # scale-out (docs/scaling.md)
    Setting("queue", "embedded", "Where jobs run: 'embedded' (`spillwatch run` does all the work itself) or "
            "'procrastinate' (a PostgreSQL catalog only: `spillwatch run` defers jobs to the catalog's "
            "procrastinate queue and `spillwatch worker` processes on any machine run them).",
            _choice("embedded", "procrastinate")),
    Setting("warc_storage", "file", "Where closed WARC files are kept: 'file' (the data folder) or "
            "s3://BUCKET/PREFIX (uploaded when closed; credentials from AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY in the environment).", _parse_str),
    Setting("s3_endpoint_url", "", "S3-compatible endpoint (MinIO, SeaweedFS, Ceph…); empty: AWS.", _parse_str),
    Setting("s3_region", "", "S3 region; empty: the AWS client's default.", _parse_str),
    Setting("job_max_attempts", 5, "Attempts of one queued job (queue: procrastinate) before it stays failed; "
            "retries wait exponentially longer.", _parse_int),
    # logging
    Setting("log_level", "info", "Log level: debug, info, warning or error.",
            _choice("debug", "info", "warning", "error")),
    Setting("log_json", False, "Write logs as one JSON object per line.", _parse_bool),
    # crawling
    Setting("user_agent", "Spillwatch/0.1 (+{contact_url})", "User-Agent of every request; {contact_url} "
            "is replaced by contact_url.", _parse_str),
    Setting("contact_url", "https://github.com/spillwatch/spillwatch", "Where site owners learn who crawls "
            "them and how to reach you; sent in the User-Agent.", _parse_str),
    Setting("allow_private_addresses", False, "Let webhooks, and the crawler for its seed hosts only, reach "
            "loopback and private addresses (redirects elsewhere stay refused). Only for tests and the demo.",
            _parse_bool),
    Setting("max_response_size", "200MB", "Largest response body kept; larger ones are stored truncated "
            "and logged.", parse_size),
    Setting("warc_rotate_size", "1GB", "Start a new WARC file when the current one reaches this size.",
            parse_size),
    Setting("crawl_time_limit", "6h", "Hard time limit of one crawl subprocess.", parse_duration),
    Setting("download_delay", "1s", "Default delay between requests to one host (a site may override).",
            parse_duration),
    Setting("download_timeout", "60s", "Timeout of one download.", parse_duration),
    Setting("min_free_disk", "1GB", "Crawls and fetches pause while the disk holding the data folder or a "
            "site's WARC folder has less free space than this (alerts and the UI go on; /healthz, /metrics "
            "and admin_alert_route say so); 0: never pause.", parse_size),
    Setting("fetch_max_attempts", 6, "Attempts to fetch a newly linked document (watch-page burst) before it "
            "is given up with the reason.", _parse_int),
    Setting("fetch_retry_delay", "1m", "Delay before the first retry of a failed document fetch; doubled on "
            "each attempt.", parse_duration),
    Setting("fetch_retry_max_delay", "1h", "Longest delay between two attempts of one document fetch.",
            parse_duration),
    Setting("crawl_retry_max_attempts", 5, "Attempts of a full crawl failed by a WARC write error (disk full), "
            "the failed one included, before it is left to the site's schedule; 0: no early retry.", _parse_int),
    Setting("crawl_retry_delay", "5m", "Delay before a full crawl failed by a WARC write error is run again "
            "(once free space is above min_free_disk); doubled on each attempt.", parse_duration),
    Setting("crawl_retry_max_delay", "1h", "Longest delay between two attempts of a full crawl failed by a WARC "
            "write error.", parse_duration),
    # rendering (sites with `render: browser` or `render: auto`)
    Setting("chromium_path", "/usr/bin/chromium", "Chromium that renders pages (Debian's `chromium`); "
            "Playwright never downloads a browser.", _parse_str),
    Setting("render_page_timeout", "30s", "Longest time one page may take to render (navigation, network "
            "idle, screenshot) before it is given up.", parse_duration),
    Setting("render_pages", 2, "Pages rendered at once: the size of the page pool of the crawl's one "
            "browser.", _parse_int),
    Setting("render_max_pages", 1000, "Most pages one crawl renders; further pages are crawled plain.",
            _parse_int),
    Setting("render_memory_limit", "1536MB", "Memory of the crawl process and its browser together (PSS, "
            "summed) beyond which the crawl is stopped cleanly.", parse_size),
    # indexing
    Setting("change_threshold", 0.02, "Significance (0..1, text distance after masking times, dates and "
            "tokens) from which a new payload of a URL counts as 'changed' rather than 'unchanged'.",
            _parse_float),
    Setting("visual_change_threshold", 0.05, "Share of pixels (0..1) of a rendered page's screenshot that must "
            "change for a new payload whose text changed less than change_threshold to count as 'changed' "
            "(a picture, colour or layout change); 1.0: never, the text alone decides.", _parse_float),
    Setting("removed_after_crawls", 2, "A URL that no page links to any more counts as removed after this "
            "many crawls in a row (404/410 counts at once).", _parse_int),
    Setting("index_max_payload", "200MB", "Largest payload the indexer reads from one WARC record; the rest "
            "is not extracted or scanned (and the capture says so).", parse_size),
    Setting("index_read_ahead_size", "8MB", "WARC files at least this large are read, sniffed and their pages "
            "extracted by read-ahead processes while the indexer writes (more CPU cores than one); 0: "
            "never.", parse_size),
    Setting("index_read_ahead_processes", 2, "Read-ahead processes per WARC file (each reads every n-th "
            "1 MiB segment); 0: none, the indexer reads by itself.", _parse_int),
    Setting("index_max_attempts", 3, "Index runs of `spillwatch run` that may start on one WARC file without "
            "finishing it before the file is marked 'failed' (with the reason, on the dashboard and in "
            "/metrics) and left alone; `spillwatch index FILE` tries it again.", _parse_int),
    # alerts
    Setting("min_alert_severity", "medium", "Default lowest severity that is alerted (routes may "
            "override).", _severity),
    Setting("smtp_host", "", "SMTP server for the email notifier (empty: email off).", _parse_str),
    Setting("smtp_port", 587, "SMTP port.", _parse_int),
    Setting("smtp_security", "starttls", "SMTP transport security: starttls, tls or none.",
            _choice("starttls", "tls", "none")),
    Setting("smtp_username", "", "SMTP login (empty: no auth).", _parse_str),
    Setting("smtp_password", "", "SMTP password.", _parse_str, secret=True),
    Setting("smtp_allow_plain_auth", False, "Allow an SMTP login over a connection without TLS "
            "(smtp_security: none), which sends the password in the clear; off: such a channel is refused.",
            _parse_bool),
    Setting("smtp_from", "spillwatch@localhost", "From address of alert emails.", _parse_str),
    Setting("slack_webhook_url", "", "Default Slack incoming-webhook URL for slack channels that name "
            "none.", _parse_str, secret=True),
    Setting("webhook_secret", "", "HMAC-SHA256 key for X-Spillwatch-Signature on webhook alerts.",
            _parse_str, secret=True),
    Setting("alert_timeout", "15s", "Timeout of one alert send (SMTP conversation step or HTTP request); "
            "a delivery left 'sending' for 3x this long by a crashed dispatcher is sent again.",
            parse_duration),
    Setting("alert_max_attempts", 8, "Attempts before a delivery is dead-lettered (see `spillwatch alerts "
            "list --failed` and `alerts retry`).", _parse_int),
    Setting("alert_retry_delay", "30s", "Delay before the first retry of a failed delivery; doubled on each "
            "attempt, with random jitter.", parse_duration),
    Setting("alert_retry_max_delay", "1h", "Longest delay between two attempts of one delivery.",
            parse_duration),
    Setting("admin_alert_route", "", "Alert route (a name under alerts.routes) that receives the service's own "
            "problems: crawls paused for disk space, WARC files given up, crashed workers (empty: log only).",
            _parse_str),
    Setting("alert_poll_interval", "5s", "How often the dispatcher looks for due deliveries.", parse_duration),
    Setting("alert_max_message_size", "1MB", "Largest rendered alert template (email subject, text or "
            "HTML); a template that renders more fails the delivery instead of sending it.", parse_size),
    Setting("alert_template_dir", "", "Folder of Jinja2 templates overriding the built-in alert templates "
            "(email.txt, email.html, email_subject.txt); rendered in the sandbox.", _parse_str),
    Setting("purge_closed_after", "0", "Purge the archived payloads of findings this long after they were "
            "dismissed or removed (`spillwatch run` checks hourly; see `spillwatch purge`); 0: never.",
            parse_duration),
    # web
    Setting("web_host", "127.0.0.1", "Address the web UI listens on.", _parse_str),
    Setting("web_port", 8470, "Port of the web UI.", _parse_int),
    Setting("web_threads", 8, "Worker threads of each web server (UI, replay); more requests wait in its "
            "queue. The server is waitress.", _parse_int),
    Setting("web_connection_limit", 100, "Open connections each web server accepts at once; more wait to be "
            "accepted.", _parse_int),
    Setting("replay_host", "127.0.0.1", "Address of the separate replay origin.", _parse_str),
    Setting("replay_port", 8471, "Port of the separate replay origin (must differ from web_port).",
            _parse_int),
    Setting("base_url", "", "Public URL of the web UI, used for links in alerts (empty: "
            "http://web_host:web_port).", _parse_str),
    Setting("secret_key", "", "Key signing session cookies and CSRF tokens (empty: generated once and "
            "kept in DATA_DIR).", _parse_str, secret=True),
    Setting("replay_base_url", "", "Public URL of the replay origin as browsers reach it (empty: "
            "http://replay_host:replay_port).", _parse_str),
    Setting("session_lifetime", "12h", "Longest a web login lasts, however active (then log in again).",
            parse_duration),
    Setting("session_idle_timeout", "30m", "A web login unused this long ends (sessions live on the server: "
            "logout, password or role change and disabling end them at once).", parse_duration),
    Setting("two_factor", "admins", "Who must log in with a TOTP code: 'admins' (others may enrol on their "
            "Account page) or 'all'.", _choice("admins", "all")),
    Setting("password_min_score", 3, "Lowest zxcvbn strength score (0-4) a new password must reach (and 12 or "
            "more characters).", _parse_int),
    Setting("login_lockout_failures", 10, "Failed logins (passwords or codes, from any address) after which an "
            "account is locked for login_lockout_time; an admin setting a new password unlocks it.", _parse_int),
    Setting("login_lockout_time", "15m", "How long an account stays locked after login_lockout_failures.",
            parse_duration),
    Setting("login_max_failures", 5, "Failed logins allowed per user and address in 15 minutes before "
            "further attempts are refused (HTTP 429).", _parse_int),
    # disclosure (issue 18: docs/disclosure.md)
    Setting("removal_watch_intervals", "critical=5m,high=15m,medium=1h,low=6h", "How often an incident's file "
            "and linking page are re-checked until removed, per severity (severity=duration, comma-separated).",
            _parse_severity_durations),
    Setting("mirror_timeout", "30s", "Timeout of one question to a public archive (mirror sweep).", parse_duration),
    Setting("evidence_signing_key", "", "PEM file of the Ed25519 private key that signs evidence packages "
            "(create one with `spillwatch evidence keygen`); empty: evidence cannot be signed.", _parse_str),
    Setting("evidence_tsa_url", "", "RFC 3161 time-stamping authority that stamps evidence packages "
            "(empty: packages are signed but not time-stamped).", _parse_str),
    Setting("evidence_tsa_ca_file", "", "PEM file of the certificate(s) trusted to issue the TSA's certificate; "
            "`spillwatch verify` checks time stamps against it.", _parse_str),
    Setting("trusted_proxies", 0, "Reverse proxies in front of the web UI whose X-Forwarded-For/-Proto/-Host "
            "headers are trusted (0: none; 1 behind one nginx).", _parse_int),
)

SETTINGS_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


class Settings:
    """Resolved settings: attribute access by name, with the source each value came from."""

    if TYPE_CHECKING:
        # Typed attributes so mypy checks every use of a setting; tests/core/test_settings.py checks
        # that this block names every setting of SETTINGS with the type its parser returns.
        # Regenerate with `python -m core.settings --annotations`.
        data_dir: str
        database_url: str
        search_backend: str
        elasticsearch_url: str
        elasticsearch_index: str
        elasticsearch_username: str
        elasticsearch_password: str
        elasticsearch_ca_certs: str
        elasticsearch_timeout: float
        search_time_budget: float
        search_rank_window: int
        search_max_prefix_terms: int
        queue: str
        warc_storage: str
        s3_endpoint_url: str
        s3_region: str
        job_max_attempts: int
        log_level: str
        log_json: bool
        user_agent: str
        contact_url: str
        allow_private_addresses: bool
        max_response_size: int
        warc_rotate_size: int
        crawl_time_limit: float
        download_delay: float
        download_timeout: float
        min_free_disk: int
        fetch_max_attempts: int
        fetch_retry_delay: float
        fetch_retry_max_delay: float
        crawl_retry_max_attempts: int
        crawl_retry_delay: float
        crawl_retry_max_delay: float
        chromium_path: str
        render_page_timeout: float
        render_pages: int
        render_max_pages: int
        render_memory_limit: int
        change_threshold: float
        visual_change_threshold: float
        removed_after_crawls: int
        index_max_payload: int
        index_read_ahead_size: int
        index_read_ahead_processes: int
        index_max_attempts: int
        min_alert_severity: str
        smtp_host: str
        smtp_port: int
        smtp_security: str
        smtp_username: str
        smtp_password: str
        smtp_allow_plain_auth: bool
        smtp_from: str
        slack_webhook_url: str
        webhook_secret: str
        alert_timeout: float
        alert_max_attempts: int
        alert_retry_delay: float
        alert_retry_max_delay: float
        admin_alert_route: str
        alert_poll_interval: float
        alert_max_message_size: int
        alert_template_dir: str
        purge_closed_after: float
        web_host: str
        web_port: int
        web_threads: int
        web_connection_limit: int
        replay_host: str
        replay_port: int
        base_url: str
        secret_key: str
        replay_base_url: str
        session_lifetime: float
        session_idle_timeout: float
        two_factor: str
        password_min_score: int
        login_lockout_failures: int
        login_lockout_time: float
        login_max_failures: int
        removal_watch_intervals: dict
        mirror_timeout: float
        evidence_signing_key: str
        evidence_tsa_url: str
        evidence_tsa_ca_file: str
        trusted_proxies: int

    def __init__(self, values: Mapping[str, Any], sources: Mapping[str, str]) -> None:
        self._values = dict(values)
        self._sources = dict(sources)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["_values"][name]
        except KeyError:
            raise AttributeError(f"no setting named {name!r}") from None

    def get(self, name: str) -> Any:
        return self._values[name]

    def source(self, name: str) -> str:
        return self._sources[name]

    def replace(self, **overrides: Any) -> Settings:
        """A copy with some values replaced (parsed like command-line values)."""
        values = dict(self._values)
        sources = dict(self._sources)
        for name, raw in overrides.items():
            setting = SETTINGS_BY_NAME[name]
            values[name] = setting.parse(raw)
            sources[name] = "override"
        return Settings(values, sources)

    @property
    def data_path(self) -> Path:
        return Path(self._values["data_dir"]).expanduser()

    @property
    def catalog_url(self) -> str:
        url: str = self._values["database_url"]
        if url:
            return url
        return f"sqlite:///{(self.data_path / 'catalog.sqlite3').resolve()}"

    @property
    def effective_user_agent(self) -> str:
        return str(self._values["user_agent"]).replace("{contact_url}", self._values["contact_url"])

    @property
    def effective_base_url(self) -> str:
        return self._values["base_url"] or f"http://{self._values['web_host']}:{self._values['web_port']}"

    def redacted(self) -> dict[str, Any]:
        """Values for display: secrets shown as ``***`` when set."""
        return {
            name: ("***" if SETTINGS_BY_NAME[name].secret and value else value)
            for name, value in self._values.items()
        }


def _suggest(name: str) -> str:
    close = difflib.get_close_matches(name, SETTINGS_BY_NAME, n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def resolve(
    file_values: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    cli_values: Mapping[str, Any] | None = None,
    file_label: str = "config file",
) -> Settings:
    """Merge defaults < file < environment < command line; raise ConfigError listing every problem."""
    file_values = file_values or {}
    environ = environ or {}
    cli_values = {k: v for k, v in (cli_values or {}).items() if v is not None}
    problems: list[str] = []
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name in file_values:
        if name not in SETTINGS_BY_NAME:
            problems.append(f"{file_label}: settings.{name}: unknown setting{_suggest(name)}; "
                            "see `spillwatch settings` for the list")
    for name in cli_values:
        if name not in SETTINGS_BY_NAME:
            problems.append(f"command line: {name}: unknown setting{_suggest(name)}; "
                            "see `spillwatch settings` for the list")
    for setting in SETTINGS:
        raw: Any = setting.default
        source = "default"
        if setting.name in file_values:
            if setting.secret:
                problems.append(
                    f"{file_label}: settings.{setting.name}: secrets are read from the environment only; "
                    f"remove it here and set {setting.env_var}"
                )
            else:
                raw, source = file_values[setting.name], file_label
        if setting.env_var in environ:
            raw, source = environ[setting.env_var], f"env {setting.env_var}"
        if setting.name in cli_values:
            if setting.secret:
                problems.append(
                    f"command line: {setting.name}: secrets are read from the environment only; "
                    f"set {setting.env_var}"
                )
            else:
                raw, source = cli_values[setting.name], "command line"
        try:
            values[setting.name] = setting.parse(raw)
        except ValueError as exc:
            problems.append(f"{source}: {setting.name}: {exc}")
            values[setting.name] = setting.parse(setting.default)
        sources[setting.name] = source
    if values["replay_port"] == values["web_port"] and values["replay_host"] == values["web_host"]:
        problems.append("replay_port: must differ from web_port so replay runs in a separate origin")
    if problems:
        raise ConfigError(problems)
    return Settings(values, sources)


def typed_attributes() -> str:
    """The ``if TYPE_CHECKING:`` attribute lines of :class:`Settings`, one per setting."""
    return "\n".join(f"        {s.name}: {type(s.parse(s.default)).__name__}" for s in SETTINGS)


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--annotations"]:
        print(typed_attributes())
