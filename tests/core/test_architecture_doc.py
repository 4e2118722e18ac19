"""docs/architecture.md against the code: its tables of floors, search backends, finding kinds,
notifier kinds and severities list exactly what the registries hold (datasette's test_docs idea)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from alerts.notifiers import NOTIFIERS
from core.config import NOTIFIER_KINDS
from core.models import FindingKind, Severity
from core.settings import SEARCH_BACKENDS
from indexer.search import BACKENDS, backend_class
from tests.core.test_floors import FLOORS

DOC = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


def table(first_header: str) -> list[list[str]]:
    """Rows of the markdown table whose header row starts with ``| first_header |``."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_header} |"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def names(cell: str) -> list[str]:
    return re.findall(r"`([a-z_]+)/?`", cell)


def test_floors_table_matches_the_import_rules() -> None:
    documented = {}
    for row in table("floor"):
        package = names(row[1])
        if package and package[0] in FLOORS:
            allowed = set() if "nothing" in row[3] else set(names(row[3]))
            documented[package[0]] = allowed if "every package" not in row[3] else set(FLOORS) - {package[0]}
    assert documented == {package: set(allowed) for package, allowed in FLOORS.items()}


def test_search_backends_are_listed_once_and_documented() -> None:
    assert [row[0].strip("`") for row in table("search backend")] == list(BACKENDS) == list(SEARCH_BACKENDS)
    for name in BACKENDS:
        assert backend_class(name).name == name


@pytest.mark.parametrize(
    ("header", "expected"),
    [("finding kind", [k.value for k in FindingKind]), ("severity", list(Severity.names(worst_first=True))),
     ("notifier kind", list(NOTIFIERS))],
)
def test_kind_tables_match_the_registries(header, expected) -> None:
    assert [row[0].strip("`") for row in table(header)] == expected


def test_notifier_registry_matches_the_config_vocabulary() -> None:
    assert list(NOTIFIERS) == list(NOTIFIER_KINDS)
    assert all(cls.kind == kind for kind, cls in NOTIFIERS.items())
