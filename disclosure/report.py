"""The printable incident report: HTML with print styles (A4, page numbers), rendered in Jinja2's
sandbox with autoescape (docs/architecture.md §5 rule 2: archived text is never marked safe).

A PDF renderer was not added: WeasyPrint needs Pango and friends from the system, and the browser's
"Print to PDF" of this page gives the same result; the HTML is what goes into the evidence package.
The report carries counts, column types, times and hashes — never a cell value or a sample.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from disclosure.exposure import describe
from disclosure.subject import Subject

TEMPLATES = Path(__file__).with_name("templates")


@dataclass
class PackageInfo:
    name: str
    hash: str
    fingerprint: str
    stamp: str = ""


def environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined)


def timeline(subject: Subject, extra: list[tuple[datetime, str]] | None = None) -> list[tuple[datetime, str]]:
    """Dated events of the file: first and last capture serving it, removal proofs, the link's
    appearance and disappearance, finding events, and any ``extra`` (the incident's own)."""
    events: list[tuple[datetime, str]] = list(extra or [])
    for window in subject.windows:
        events.append((window.start, "first capture serving the file"))
        if window.end is not None:
            events.append((window.last_seen, "last capture serving the file"))
            events.append((window.end, "first capture without the file (removal proof)"))
    for page in subject.pages:
        events.append((page.first_linked, f"linked from {page.page_url}"))
        if page.unlinked_at is not None:
            events.append((page.unlinked_at, f"link gone from {page.page_url}"))
    for finding in subject.findings:
        events.append((finding["first_seen"], f"{finding['severity']} {finding['kind']} finding #{finding['id']} "
                                              f"({finding['rows']} rows)"))
    return sorted(events, key=lambda e: e[0])


def render(subject: Subject, *, title: str = "", contacts: Sequence[Any] = (), copies: Sequence[dict[str, Any]] = (),
           swept: bool = False, extra_events: list[tuple[datetime, str]] | None = None,
           package: PackageInfo | None = None, capture_rows: list[dict[str, Any]] | None = None) -> str:
    rows = capture_rows if capture_rows is not None else subject.file_captures
    return environment().get_template("report.html").render(
        title=title or subject.url, generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"), subject=subject,
        windows=[describe(w) for w in subject.windows], timeline=timeline(subject, extra_events),
        contacts=list(contacts), copies=list(copies), swept=swept, package=package,
        captures=sorted(rows, key=lambda r: (r["captured_at"], r["id"])))
