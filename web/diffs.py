"""Diffs between two captures of a URL: a line diff of the extracted text, and rows added/removed
for tables (matched by table position and locator, rows compared as whole rows).

The indexer computes change significance itself; this module only renders what changed for people.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field

from spillwatch.models import Table

MAX_LINES = 20_000
MAX_ROWS_SHOWN = 200


@dataclass
class DiffLine:
    op: str  # " " same, "+" added, "-" removed, "@" hunk header
    text: str


@dataclass
class TextDiff:
    lines: list[DiffLine]
    added: int
    removed: int
    truncated: bool = False


def text_diff(old: str, new: str, context: int = 3) -> TextDiff:
    old_lines = old.splitlines()[:MAX_LINES]
    new_lines = new.splitlines()[:MAX_LINES]
    truncated = len(old.splitlines()) > MAX_LINES or len(new.splitlines()) > MAX_LINES
    out: list[DiffLine] = []
    added = removed = 0
    for line in difflib.unified_diff(old_lines, new_lines, lineterm="", n=context):
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            out.append(DiffLine("@", line))
        elif line.startswith("+"):
            added += 1
            out.append(DiffLine("+", line[1:]))
        elif line.startswith("-"):
            removed += 1
            out.append(DiffLine("-", line[1:]))
        else:
            out.append(DiffLine(" ", line[1:]))
    return TextDiff(out, added, removed, truncated)


@dataclass
class TableDiff:
    locator: str
    header: list[str]
    added: list[list[str]] = field(default_factory=list)
    removed: list[list[str]] = field(default_factory=list)
    added_count: int = 0
    removed_count: int = 0
    header_changed: bool = False


def _multiset_minus(a: list[list[str]], b: list[list[str]]) -> list[list[str]]:
    remaining = Counter(tuple(r) for r in b)
    out: list[list[str]] = []
    for row in a:
        key = tuple(row)
        if remaining[key]:
            remaining[key] -= 1
        else:
            out.append(row)
    return out


def table_diffs(old: list[Table], new: list[Table]) -> list[TableDiff]:
    """Per table: rows added and removed (as multisets: a duplicated row counts twice)."""
    old_by_locator = {t.locator: t for t in old}
    diffs: list[TableDiff] = []
    used: set[str] = set()
    for index, table in enumerate(new):
        before = old_by_locator.get(table.locator)
        if before is None and index < len(old) and old[index].locator not in used:
            before = old[index]
        if before is not None:
            used.add(before.locator)
        old_rows = before.rows if before else []
        added = _multiset_minus(table.rows, old_rows)
        removed = _multiset_minus(old_rows, table.rows)
        diffs.append(TableDiff(table.locator, list(table.header), added[:MAX_ROWS_SHOWN], removed[:MAX_ROWS_SHOWN],
                               len(added), len(removed), before is not None and before.header != table.header))
    for table in old:
        if table.locator not in used and table.locator not in {t.locator for t in new}:
            diffs.append(TableDiff(table.locator, list(table.header), [], table.rows[:MAX_ROWS_SHOWN], 0,
                                   len(table.rows)))
    return [d for d in diffs if d.added_count or d.removed_count or d.header_changed]
