"""The house holds: a package imports only packages on lower floors, and no module imports itself back.

The import graph is read from the code's own ``import`` statements (module level, inside functions and
under ``TYPE_CHECKING`` alike: a lazy import is still a dependency).  docs/architecture.md draws the
floors; ``FLOORS`` below is the same table, and tests/core/test_architecture_doc.py compares them.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# package -> the project packages it may import (besides itself)
FLOORS: dict[str, frozenset[str]] = {
    "core": frozenset(),
    "matcher": frozenset({"core"}),
    "crawler": frozenset({"core"}),
    "alerts": frozenset({"core"}),
    "indexer": frozenset({"core", "matcher"}),
    "disclosure": frozenset({"core", "matcher", "crawler", "alerts", "indexer"}),
    "web": frozenset({"core", "matcher", "crawler", "alerts", "indexer", "disclosure"}),
    "spillwatch": frozenset({"core", "matcher", "crawler", "alerts", "indexer", "disclosure", "web"}),
}
PACKAGES = frozenset(FLOORS)


def modules() -> Iterator[tuple[str, Path]]:
    for package in sorted(PACKAGES):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts and "versions" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            yield ".".join(parts), path


def imported(module: str, path: Path) -> set[str]:
    """Project modules that ``module`` imports, resolved to the longest existing module name."""
    names: set[str] = set()
    package_parts = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package_parts[: len(package_parts) - node.level + 1] + ([base] if base else []))
            # ``from matcher import sniff`` depends on matcher.sniff, not on matcher/__init__ (graph()
            # falls back to the longest existing module name when the alias is a function or class)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in names if name.split(".")[0] in PACKAGES}


def graph() -> dict[str, set[str]]:
    known = dict(modules())
    edges: dict[str, set[str]] = {}
    for module, path in known.items():
        targets = set()
        for name in imported(module, path):
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
        edges[module] = targets
    return edges


def test_every_package_imports_only_lower_floors() -> None:
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in graph().items()
        for target in targets
        if (src := module.split(".")[0]) != (dst := target.split(".")[0]) and dst not in FLOORS[src]
    )
    assert upward == [], "imports of a package above (or beside) the importer; see docs/architecture.md"


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_circles() -> None:
    assert cycles(graph()) == []


@pytest.mark.parametrize(
    ("edges", "expected"),
    [({"a": {"b"}, "b": {"a"}}, [["a", "b"]]), ({"a": {"b"}, "b": set()}, [])],
)
def test_cycle_finder_finds_circles(edges, expected):
    assert cycles(edges) == expected


def test_upward_import_is_caught(tmp_path):
    source = tmp_path / "x.py"
    source.write_text("from alerts.outbox import enqueue_for_finding\nimport web.app\n", encoding="utf-8")
    assert imported("indexer.x", source) == {"alerts.outbox.enqueue_for_finding", "web.app"}

