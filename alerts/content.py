"""What an alert says, built from catalog rows — and only what may leave (docs/architecture.md §5 rule 4).

An :class:`AlertContent` holds the site, page, file name and URL, times, severity, number of records,
column *types*, whether the finding is hidden content or a failed redaction, a masked sample, the other
kinds found in the same file and a link to the file's incident in the UI. It deliberately leaves out
column headers, the matcher's free-text reasons and page titles and link texts: a headerless CSV turns a
person's row into "headers", and free text may quote a value. URLs and file names are masked
(:mod:`alerts.masking`): agencies name files after people. The sample is masked by the matcher;
:func:`safe_cell` is a second net that stars digits of anything still shaped like a date or a long
number and caps every cell's length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import Connection, select

from alerts.masking import mask_file_name, mask_locator, mask_url
from core.catalog.schema import captures, findings, links, sites
from core.config import Config
from core.models import Severity
from core.timestamps import as_utc

KIND_LABELS = {
    "person_table": "Table of people",
    "hidden_content": "Hidden content (hidden sheets, rows, columns or white text)",
    "failed_redaction": "Failed redaction (text under black boxes)",
}
SAMPLE_ROWS = 3
SAMPLE_COLUMNS = 8
CELL_LIMIT = 40
_DATE_SHAPED = re.compile(r"\b\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\b")
_LONG_NUMBER = re.compile(r"\d{5,}")
_TYPE_NAME = re.compile(r"[^a-z0-9_ -]+")
_SPACE = re.compile(r"\s+")


class BrokenFinding(ValueError):
    """A finding row that cannot be turned into an alert; the message names the row and the field."""


def _star_digits(match: re.Match[str]) -> str:
    return re.sub(r"\d", "*", match.group(0))


def safe_cell(value: Any) -> str:
    """One sample cell as it may appear in an alert: single line, capped, with any surviving full date
    or long number starred (defence in depth; the matcher masks first)."""
    text = _SPACE.sub(" ", "" if value is None else str(value)).strip()
    text = _DATE_SHAPED.sub(_star_digits, text)
    text = _LONG_NUMBER.sub(_star_digits, text)
    return text if len(text) <= CELL_LIMIT else text[: CELL_LIMIT - 1] + "…"


def safe_text(value: str, limit: int = 200) -> str:
    text = _SPACE.sub(" ", value).strip()
    text = _LONG_NUMBER.sub(_star_digits, _DATE_SHAPED.sub(_star_digits, text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class AlertContent:
    finding_id: int
    event: str  # new | escalated | reappeared | test
    site_id: str
    site_name: str
    url: str
    file_name: str
    page_url: str | None
    first_seen: datetime | None
    reappeared_at: datetime | None
    severity: str
    kind: str
    kind_label: str
    records: int
    column_types: list[str]
    locator: str
    hidden_content: bool
    failed_redaction: bool
    sample: list[list[str]] = field(default_factory=list)
    link: str = ""
    incident_id: int | None = None
    also_found: list[str] = field(default_factory=list)  # labels of the file's other finding kinds

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of one finding in webhook payloads."""
        return {
            "finding_id": self.finding_id,
            "event": self.event,
            "site": {"id": self.site_id, "name": self.site_name},
            "url": self.url,
            "file_name": self.file_name,
            "page_url": self.page_url,
            "first_seen": self.first_seen.isoformat() if self.first_seen else None,
            "reappeared_at": self.reappeared_at.isoformat() if self.reappeared_at else None,
            "severity": self.severity,
            "kind": self.kind,
            "records": self.records,
            "column_types": list(self.column_types),
            "locator": self.locator,
            "hidden_content": self.hidden_content,
            "failed_redaction": self.failed_redaction,
            "sample": [list(r) for r in self.sample],
            "link": self.link,
            "incident_id": self.incident_id,
            "also_found": list(self.also_found),
        }


def file_name_of(url: str) -> str:
    """The file's name as an alert may show it: masked like a sample (see :mod:`alerts.masking`)."""
    path = unquote(urlsplit(url).path)
    name = PurePosixPath(path).name
    return mask_file_name(name) if name else (urlsplit(url).hostname or mask_url(url))


def _column_types(finding_id: int, raw: Any) -> list[str]:
    if not isinstance(raw, list):
        raise BrokenFinding(f"finding {finding_id}: columns is {type(raw).__name__}, expected a list of "
                            "{header, type, confidence}")
    out: list[str] = []
    for column in raw:
        if not isinstance(column, dict):
            raise BrokenFinding(f"finding {finding_id}: columns holds a {type(column).__name__}, expected "
                                "objects with a 'type'")
        kind = _TYPE_NAME.sub("", str(column.get("type", "")).lower())[:40]
        if kind and kind not in out:
            out.append(kind)
    return out


def _sample(finding_id: int, raw: Any) -> list[list[str]]:
    if raw in (None, ""):
        return []
    if not isinstance(raw, list) or not all(isinstance(r, list) for r in raw):
        raise BrokenFinding(f"finding {finding_id}: sample is not a list of rows")
    return [[safe_cell(c) for c in r[:SAMPLE_COLUMNS]] for r in raw[:SAMPLE_ROWS]]


def finding_link(base_url: str, finding_id: int) -> str:
    return f"{base_url.rstrip('/')}/findings/{finding_id}"


def incident_link(base_url: str, incident_id: int) -> str:
    return f"{base_url.rstrip('/')}/incidents/{incident_id}"


def _kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


def _also_found(conn: Connection, incident_id: int | None, kind: str) -> list[str]:
    """Short labels of the other kinds of finding in the same file (its incident)."""
    if incident_id is None:
        return []
    kinds = conn.execute(select(findings.c.kind).where(findings.c.incident_id == incident_id)
                         .distinct()).scalars().all()
    return sorted(_kind_label(str(k)).split(" (")[0] for k in kinds if str(k) != kind)


def _site_name(conn: Connection, config: Config, site_id: str) -> str:
    for site in config.sites:
        if site.id == site_id:
            return site.name or site.id
    name = conn.execute(select(sites.c.name).where(sites.c.id == site_id)).scalar()
    return str(name) if name else site_id


def _page_url(conn: Connection, url: str) -> str | None:
    """The archived page that links to the file (most recent capture), if the indexer recorded one."""
    row = conn.execute(
        select(captures.c.url).join(links, links.c.capture_id == captures.c.id)
        .where(links.c.target_url == url).order_by(captures.c.captured_at.desc()).limit(1)
    ).first()
    return mask_url(str(row.url)) if row else None


def load_alert(conn: Connection, finding_id: int, event: str, config: Config) -> AlertContent:
    """Read one finding (and its site and linking page) into alert content; raises BrokenFinding."""
    row = conn.execute(select(findings).where(findings.c.id == finding_id)).first()
    if row is None:
        raise BrokenFinding(f"finding {finding_id} no longer exists in the catalog")
    if not isinstance(row.rows, int) or row.rows < 0:
        raise BrokenFinding(f"finding {finding_id}: rows is {row.rows!r}, expected a count")
    kind = str(row.kind)
    site_id = str(row.site_id or "")
    url = str(row.url)
    incident_id = int(row.incident_id) if row.incident_id is not None else None
    base_url = config.settings.effective_base_url
    return AlertContent(
        finding_id=finding_id,
        event=event,
        site_id=site_id,
        site_name=_site_name(conn, config, site_id) if site_id else "(no site)",
        url=mask_url(url),
        file_name=file_name_of(url),
        page_url=_page_url(conn, url),
        first_seen=as_utc(row.first_seen),
        reappeared_at=as_utc(row.reappeared_at),
        severity=str(row.severity).lower(),
        kind=kind,
        kind_label=_kind_label(kind),
        records=row.rows,
        column_types=_column_types(finding_id, row.columns),
        locator=safe_text(mask_locator(str(row.locator or "")), 120),
        hidden_content=kind == "hidden_content",
        failed_redaction=kind == "failed_redaction",
        sample=_sample(finding_id, row.sample),
        link=incident_link(base_url, incident_id) if incident_id is not None else finding_link(base_url, finding_id),
        incident_id=incident_id,
        also_found=_also_found(conn, incident_id, kind),
    )


def example_alert(config: Config, moment: datetime) -> AlertContent:
    """The synthetic, already-masked finding a test message shows."""
    return AlertContent(
        finding_id=0,
        event="test",
        site_id="example",
        site_name="Example agency (test message)",
        url=mask_url("https://www.example.gov/statistics/detention-2022.xlsx"),
        file_name=mask_file_name("detention-2022.xlsx"),
        page_url=mask_url("https://www.example.gov/statistics/detention"),
        first_seen=moment,
        reappeared_at=None,
        severity="critical",
        kind="person_table",
        kind_label=KIND_LABELS["person_table"],
        records=6250,
        column_types=["person_name", "birth_date", "nationality", "detention_facility"],
        locator="sheet 'Sheet2' (hidden)",
        hidden_content=False,
        failed_redaction=False,
        sample=[["M**** H*******", "1987-**-**", "H*******", "F******* C*****"],
                ["J*** D**", "1990-**-**", "G********", "S***** P***"]],
        link=f"{config.settings.effective_base_url.rstrip('/')}/findings",
    )


@dataclass(frozen=True)
class Envelope:
    """One message to send: a single finding (immediate) or several (digest), for one channel."""

    key: str  # idempotency key of the (first) delivery; used for Message-ID and X-Spillwatch-Delivery
    route: str
    channel: str
    mode: str  # immediate | hourly | daily
    items: list[AlertContent]
    generated_at: datetime
    test: bool = False
    notice: tuple[str, str] | None = None  # (subject, text) of a service notice (alerts.ops), no finding

    @property
    def digest(self) -> bool:
        return self.mode != "immediate"

    @property
    def top_severity(self) -> str:
        order = list(Severity.names())
        known = [i.severity for i in self.items if i.severity in order]
        return max(known, key=order.index) if known else "unknown"
