"""A URL's captures as a reader wants them: runs of identical revisits and 304s collapsed into one row
("unchanged, 148 checks 02:58–03:06"), paged, and counted per day for the capture calendar (pywb-style:
years, months, days with counts).

Collapsing is by content: a capture starts a new row when its payload digest differs from the row's;
a 304 or a revisit record without a digest of its own continues the row before it.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from core.catalog.schema import captures

MAX_CAPTURES = 10_000  # newest captures read for the timeline; the calendar counts every capture


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass
class Run:
    """One content of the URL and the checks that found it unchanged afterwards."""

    first: dict[str, Any]  # the capture that brought this content
    checks: list[dict[str, Any]] = field(default_factory=list)  # later captures of the same content

    @property
    def digest(self) -> str:
        return str(self.first["payload_digest"] or "")

    @property
    def last(self) -> dict[str, Any]:
        return self.checks[-1] if self.checks else self.first

    def holds(self, capture_id: int) -> bool:
        return self.first["id"] == capture_id or any(c["id"] == capture_id for c in self.checks)


def _continues(run: Run, capture: dict[str, Any]) -> bool:
    digest = capture["payload_digest"] or ""
    if capture["status"] == 304 or (capture["record_type"] == "revisit" and not digest):
        return True
    return bool(digest) and digest == run.digest


def collapse(rows: list[dict[str, Any]]) -> list[Run]:
    """Captures (any order) as runs of the same content, newest run first."""
    runs: list[Run] = []
    for capture in sorted(rows, key=lambda c: (_utc(c["captured_at"]), c["id"])):
        if runs and _continues(runs[-1], capture):
            runs[-1].checks.append(capture)
        else:
            runs.append(Run(capture))
    runs.reverse()
    return runs


def url_captures(conn: Connection, surt: str, limit: int = MAX_CAPTURES) -> tuple[list[dict[str, Any]], int]:
    """(the newest ``limit`` captures of a URL, how many it has in all)."""
    total = conn.execute(select(func.count()).select_from(captures).where(captures.c.surt == surt)).scalar_one()
    rows = conn.execute(select(captures.c.id, captures.c.captured_at, captures.c.status, captures.c.payload_digest,
                               captures.c.record_type)
                        .where(captures.c.surt == surt).order_by(captures.c.captured_at.desc(), captures.c.id.desc())
                        .limit(limit)).mappings()
    return [dict(r) for r in rows], int(total)


@dataclass
class Day:
    day: date
    count: int
    capture_id: int  # the day's first capture


@dataclass
class Month:
    year: int
    month: int
    weeks: list[list[Day | date | None]]  # Monday first; a date without captures, None outside the month
    count: int

    @property
    def name(self) -> str:
        return f"{calendar.month_name[self.month]} {self.year}"


@dataclass
class Year:
    year: int
    count: int
    months: list[Month]


def capture_days(conn: Connection, surt: str) -> dict[date, Day]:
    """Captures per UTC day of a URL, with each day's first capture (every capture counted)."""
    days: dict[date, Day] = {}
    rows = conn.execute(select(captures.c.id, captures.c.captured_at).where(captures.c.surt == surt)
                        .order_by(captures.c.captured_at, captures.c.id))
    for capture_id, when in rows:
        day = _utc(when).date()
        if day in days:
            days[day].count += 1
        else:
            days[day] = Day(day, 1, int(capture_id))
    return days


def calendar_of(days: dict[date, Day]) -> list[Year]:
    """The months that have captures, grouped by year (newest year first), as week grids."""
    months = sorted({(d.year, d.month) for d in days}, reverse=True)
    years: dict[int, Year] = {}
    grid = calendar.Calendar(firstweekday=calendar.MONDAY)
    for year, month in months:
        weeks: list[list[Day | date | None]] = []
        for week in grid.monthdatescalendar(year, month):
            weeks.append([days.get(d, d) if d.month == month else None for d in week])
        count = sum(d.count for d in days.values() if (d.day.year, d.day.month) == (year, month))
        entry = years.setdefault(year, Year(year, 0, []))
        entry.months.append(Month(year, month, weeks, count))
        entry.count += count
    return list(years.values())
