"""Exposure windows of a URL from its archived captures: "online at least 4 h 51 min, from first
capture to first capture without it" (docs/disclosure.md "Removal watch").

A window opens at the first capture serving the file (a 2xx response, or a revisit: a 304 answered
to a conditional request still serves it) and closes at the first later capture proving it gone
(404 or 410, or a redirect away).  A capture that proves nothing (a 5xx, a timeout) neither opens
nor closes a window.  The file served again after that opens a new window (a reappearance).  The
bound is a lower one: the file may have been up before the first capture and after the last one
that served it; the removal happened between the last capture serving it and the one proving it
gone, which is why a tight watch interval makes the bound tight.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.timestamps import as_utc

GONE_STATUSES = (404, 410)


@dataclass(frozen=True)
class Observation:
    at: datetime
    status: int | None
    record_type: str  # response | revisit | resource
    capture_id: int | None = None
    person_level: bool = True  # False: the URL still answers but its content has no person-level table


@dataclass
class Window:
    start: datetime  # first capture serving the file
    last_seen: datetime  # last capture serving it
    end: datetime | None = None  # first capture proving it gone (None: still online)
    start_capture_id: int | None = None
    end_capture_id: int | None = None

    @property
    def at_least(self) -> timedelta:
        """From first capture to first capture without it (the window as the issue defines it)."""
        return (self.end or self.last_seen) - self.start

    @property
    def online(self) -> bool:
        return self.end is None


def state(observation: Observation) -> str:
    """``serves``, ``gone`` or ``unknown``."""
    status = observation.status
    if observation.record_type == "revisit" or observation.record_type == "resource":
        return "serves" if observation.person_level else "gone"
    if status is None:
        return "unknown"
    if 200 <= status < 300:
        return "serves" if observation.person_level else "gone"
    if status in GONE_STATUSES or 300 <= status < 400:
        return "gone"
    return "unknown"


def windows(observations: Iterable[Observation]) -> list[Window]:
    found: list[Window] = []
    current: Window | None = None
    for obs in sorted(observations, key=lambda o: (as_utc(o.at), o.capture_id or 0)):
        at = as_utc(obs.at)
        kind = state(obs)
        if kind == "serves":
            if current is None:
                current = Window(start=at, last_seen=at, start_capture_id=obs.capture_id)
                found.append(current)
            current.last_seen = at
        elif kind == "gone" and current is not None:
            current.end, current.end_capture_id = at, obs.capture_id
            current = None
    return found


def human(duration: timedelta) -> str:
    """``4 h 51 min``, ``2 d 3 h``, ``38 s``."""
    seconds = int(duration.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s" if minutes < 10 and secs else f"{minutes} min"
    return f"{secs} s"


def describe(window: Window) -> str:
    if window.end is None:
        return (f"online at least {human(window.at_least)} so far, from first capture "
                f"{window.start:%Y-%m-%d %H:%M:%S} UTC; not seen removed yet")
    return (f"online at least {human(window.at_least)}, from first capture {window.start:%Y-%m-%d %H:%M:%S} UTC "
            f"to first capture without it {window.end:%Y-%m-%d %H:%M:%S} UTC")
