"""Matcher decisions as data: every file in ``tests/matcher/cases/`` is scanned and compared with the
expectation in its sidecar ``<file>.expect.yml`` (keys: ``person_table`` true/false, optional
``severity``, optional ``entity``: what the rows of one of its tables describe, as
``spillwatch scan --explain`` reports it, and ``why``: the class of input the case stands for).

Add a case by dropping a synthetic file and its sidecar into the folder; no code to change."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from matcher.explain import explain_tables
from matcher.scan import scan_bytes

CASES_DIR = Path(__file__).parent / "cases"
CASES = sorted(p for p in CASES_DIR.glob("*") if p.is_file() and not p.name.startswith(".")
               and not p.name.endswith(".expect.yml"))


def _expectation(path: Path) -> dict[str, object]:
    sidecar = path.with_name(path.name + ".expect.yml")
    assert sidecar.exists(), f"{path.name}: add {sidecar.name} with person_table: true/false and why"
    expected = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
    assert isinstance(expected, dict) and "person_table" in expected and "why" in expected, sidecar.name
    return expected


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_case(path: Path) -> None:
    expected = _expectation(path)
    result = scan_bytes(path.read_bytes(), path.name)
    assert result.errors == [], result.errors
    people = [f for f in result.findings if f.kind.name == "person_table"]
    reasons = [f.reasons for f in result.findings]
    assert bool(people) == expected["person_table"], reasons
    if "severity" in expected:
        assert people and people[0].severity.name == expected["severity"], reasons
    if "entity" in expected:
        explained = explain_tables(result.tables)
        assert expected["entity"] in {e.entity for e in explained}, [e.lines() for e in explained]
