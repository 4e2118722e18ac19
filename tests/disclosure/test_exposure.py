"""Exposure windows from captures: opened by the first capture serving the file, closed by the first
proving it gone; errors prove nothing; a reappearance opens a second window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from disclosure.exposure import Observation, describe, human, windows

T0 = datetime(2022, 11, 28, 14, 2, tzinfo=UTC)


def obs(minutes: float, status: int | None, kind: str = "response", person_level: bool = True) -> Observation:
    return Observation(T0 + timedelta(minutes=minutes), status, kind, int(minutes * 10), person_level)


CASES = [
    ("removed by 404", [obs(0, 200), obs(5, 304, "revisit"), obs(291, 200), obs(296, 404)], [(0, 296)]),
    ("410 and redirect away", [obs(0, 200), obs(10, 410)], [(0, 10)]),
    ("redirect away", [obs(0, 200), obs(10, 302)], [(0, 10)]),
    ("a 503 proves nothing", [obs(0, 200), obs(5, 503), obs(10, None), obs(15, 404)], [(0, 15)]),
    ("still online", [obs(0, 200), obs(30, 200)], [(0, None)]),
    ("reappears", [obs(0, 200), obs(5, 404), obs(60, 200), obs(65, 404)], [(0, 5), (60, 65)]),
    ("emptied: no longer person-level", [obs(0, 200), obs(5, 200, person_level=False)], [(0, 5)]),
    ("404 before publication", [obs(0, 404), obs(5, 200)], [(5, None)]),
    ("never served", [obs(0, 404)], []),
]


@pytest.mark.parametrize(("name", "observations", "expected"), CASES, ids=[c[0] for c in CASES])
def test_windows(name: str, observations: list[Observation], expected: list[tuple[int, int | None]]) -> None:
    def minute(at: datetime | None) -> int | None:
        return None if at is None else int((at - T0).total_seconds() // 60)

    got = [(minute(w.start), minute(w.end)) for w in windows(reversed(observations))]  # input order does not matter
    assert got == expected


def test_the_issue_example_reads_as_the_issue_says() -> None:
    (window,) = windows([obs(0, 200), obs(291, 404)])
    assert describe(window) == ("online at least 4 h 51 min, from first capture 2022-11-28 14:02:00 UTC to "
                                "first capture without it 2022-11-28 18:53:00 UTC")
    assert window.start_capture_id == 0 and window.end_capture_id == 2910


@pytest.mark.parametrize(("seconds", "text"), [(38, "38 s"), (150, "2 min 30 s"), (900, "15 min"),
                                               (17460, "4 h 51 min"), (183600, "2 d 3 h")])
def test_human_durations(seconds: int, text: str) -> None:
    assert human(timedelta(seconds=seconds)) == text
