"""JSON: the tables a document holds, wherever they sit (a few levels deep under any key).

* arrays of records (``[{...}, {...}]``); nested objects are flattened one level (``address.city``);
* record maps keyed by id (``{"123": {...}, "124": {...}}``, pandas ``orient="index"``): one row per
  entry, the key in a first column with an empty header (typed by its values);
* column maps (pandas ``orient="columns"``: ``{"name": {"0": ..., "1": ...}, ...}``) and column
  lists (``{"name": [...], "age": [...]}``, pandas ``orient="list"``): transposed;
* row lists keyed by id (``{"123": ["Ana", "1980-01-02"], ...}``): one row per key, no header;
* arrays of arrays (the first row may be a header, :mod:`matcher.header_row`), with the header from
  a sibling ``columns`` list when there is one (pandas ``orient="split"``); cells that are objects
  with a ``text``/``value`` (tabula's cell JSON) give that text;
* JSON Lines (``.jsonl``/``.ndjson``: one object per line) as an array of records;
* lists of table objects that each hold a grid (tabula's JSON: ``[{"data": [[...]]}, ...]``): the
  grids, with those of one width joined like the pages of one table.

A document nested deeper than the parser allows is refused with its own error (no table is that
deep; such files are built to crash parsers).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass
from itertools import islice
from typing import Any

from core.models import Table
from matcher.errors import ScanError
from matcher.extracted import Extracted
from matcher.header_row import fit_header, split_header
from matcher.limits import Limits

MAX_DEPTH = 4  # levels walked to find tables
PROBE = 50  # entries looked at to decide what a list or an object holds
CELL_KEYS = ("text", "value")
KEY_COLUMN = ""  # header of a record map's key column: empty, so its values decide its type


@dataclass
class Found:
    path: str
    kind: str  # "records", "grid", "map", "columns"
    node: Any
    header: list[str] | None = None  # a grid's header given beside it (``columns``)


def _compact(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)[:200]
    except RecursionError:
        # a value nested almost as deep as the parser allows: its text is of no use for typing
        return ""


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, dict):
        for key in CELL_KEYS:
            inner = value.get(key)
            if isinstance(inner, str | int | float) and not isinstance(inner, bool):
                return str(inner)  # a cell object (tabula: {"top":…, "left":…, "text": "…"})
    return _compact(value)


def _flatten(record: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            for inner, inner_value in value.items():
                flat[f"{key}.{inner}"] = inner_value
        else:
            flat[str(key)] = value
    return flat


def _is_grid(node: Any) -> bool:
    return isinstance(node, list) and len(node) >= 2 and all(isinstance(x, list) for x in node[:PROBE])


def _index_like(keys: list[str]) -> bool:
    return bool(keys) and sum(1 for k in keys if k.strip().lstrip("-").isdigit()) >= 0.8 * len(keys)


def _scalar_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(not isinstance(c, dict | list) for c in value[:PROBE])


def _map_kind(node: dict[str, Any]) -> str:
    """``map`` (records keyed by id), ``columns`` (columns keyed by name, rows by index),
    ``list_columns`` (``{"name": [...], "age": [...]}``), ``list_rows`` (``{"123": [...], ...}``)
    or ``""``."""
    values = list(islice(node.values(), PROBE))
    lists = [x for x in values if _scalar_list(x)]
    if len(node) >= 2 and lists and len(lists) >= 0.8 * len(values):
        outer_ids = _index_like([str(k) for k in islice(node, PROBE)])
        if outer_ids and len(node) >= 3:
            return "list_rows"
        if not outer_ids and len({len(x) for x in lists}) == 1 and len(lists[0]) >= 2:
            return "list_columns"
        return ""
    if len(node) < 3:
        return ""
    dicts = [x for x in values if isinstance(x, dict) and x]
    if len(dicts) < 0.8 * len(values):
        return ""
    keys = Counter(str(k) for d in dicts for k in islice(d, PROBE))
    shared = [k for k, n in keys.items() if n >= 0.5 * len(dicts)]
    if not shared:
        return ""
    scalars = all(not isinstance(x, dict | list) for d in dicts for x in islice(d.values(), PROBE))
    if scalars and _index_like(shared) and not _index_like([str(k) for k in islice(node, PROBE)]):
        return "columns"
    return "map" if len(shared) >= 2 else ""


def _find(node: Any, path: str, depth: int, found: list[Found]) -> None:
    if depth > MAX_DEPTH:
        return
    if isinstance(node, list):
        _find_in_list(node, path, depth, found)
    elif isinstance(node, dict):
        kind = _map_kind(node)
        if kind:
            found.append(Found(path, kind, node))
            return
        columns = node.get("columns")
        for key, value in node.items():
            where = f"{path}.{key}" if path else str(key)
            if _is_grid(value) and isinstance(columns, list) and all(isinstance(c, str) for c in columns):
                found.append(Found(where, "grid", value, header=list(columns)))
                continue
            _find(value, where, depth + 1, found)


def _find_in_list(node: list[Any], path: str, depth: int, found: list[Found]) -> None:
    if not node:
        return
    probe = node[:PROBE]
    records = [x for x in probe if isinstance(x, dict)]
    if len(records) >= 0.8 * len(probe):
        holders = [r for r in records if any(_is_grid(value) for value in r.values())]
        if len(holders) < 0.8 * len(records):
            found.append(Found(path, "records", node))
            return
        # table objects, each holding a grid (tabula): the grids are the tables
        for i, item in enumerate(node):
            if isinstance(item, dict):
                _find(item, f"{path}[{i}]", depth + 1, found)
        return
    if all(isinstance(x, list) for x in probe):
        found.append(Found(path, "grid", node))


def _json_lines(text: str, limits: Limits) -> list[Any] | None:
    """The records of a JSON Lines document (one object per line), or None if it is not one.  A
    last line cut short (a truncated download) is left out."""
    lines = [ln for ln in islice(text.splitlines(), limits.max_json_records + 1) if ln.strip()]
    records: list[Any] = []
    for number, line in enumerate(lines):
        try:
            record = json.loads(line)
        except ValueError:
            if number == len(lines) - 1 and len(lines) > 1:
                break
            return None
        if not isinstance(record, dict):
            return None
        records.append(record)
    return records if len(records) >= 2 else None


def _loads(data: bytes, locator: str, limits: Limits) -> Any:
    text = data.decode("utf-8-sig", errors="replace")
    try:
        try:
            return json.loads(text)
        except ValueError:
            records = _json_lines(text, limits)
    except RecursionError:
        raise ScanError(
            f"{locator}: JSON nested deeper than the parser's depth limit (about {sys.getrecursionlimit():,} "
            "levels); not scanned. No table is nested that deep: the file may be built to crash parsers, "
            "open it to check what it is"
        ) from None
    if records is None:
        raise ScanError(f"{locator}: not valid JSON; check that the download is complete")
    return records


def extract_json(data: bytes, limits: Limits, locator: str, deadline: float) -> Extracted:
    found: list[Found] = []
    _find(_loads(data, locator, limits), "", 0, found)
    return Extracted(tables=[_table(item, limits, locator) for item in _join_grids(found)])


def _table(item: Found, limits: Limits, locator: str) -> Table:
    """The table one found structure holds (records, grid, map or columns)."""
    where = f"JSON {item.path or 'top level'}"
    node = item.node
    if item.kind == "grid":
        return _grid_table(item, limits, where)
    if item.kind == "columns":
        count = max(len(values) for values in node.values() if isinstance(values, dict))
        return records_table(_transpose(node, limits), count, limits, locator, where)
    if item.kind == "list_columns":
        columns = {str(k): col for k, col in node.items() if isinstance(col, list)}
        count = max(map(len, columns.values()))
        records = [{k: col[i] if i < len(col) else None for k, col in columns.items()}
                   for i in range(min(count, limits.sample_rows))]
        return records_table(records, count, limits, locator, where)
    if item.kind == "list_rows":
        keyed = [(k, r) for k, r in islice(node.items(), limits.max_json_records) if isinstance(r, list)]
        rows = [[str(key), *(_cell(c) for c in row[: limits.max_columns])] for key, row in keyed[: limits.sample_rows]]
        return Table(header=[KEY_COLUMN] * max(map(len, rows)), rows=rows, locator=where, row_count=len(keyed))
    if item.kind == "map":
        entries = [(k, r) for k, r in islice(node.items(), limits.max_json_records) if isinstance(r, dict)]
        records = [{KEY_COLUMN: key, **record} for key, record in entries[: limits.sample_rows]]
        return records_table(records, len(entries), limits, locator, where)
    count = sum(1 for r in node[: limits.max_json_records] if isinstance(r, dict))
    return records_table(node, count, limits, locator, where)


def _transpose(columns: dict[str, dict[str, Any]], limits: Limits) -> list[dict[str, Any]]:
    index: dict[str, None] = {}
    for values in columns.values():
        if isinstance(values, dict):
            for key in islice(values, limits.sample_rows):
                index.setdefault(str(key), None)
    return [{name: values.get(i) if isinstance(values, dict) else None for name, values in columns.items()}
            for i in islice(index, limits.sample_rows)]


def records_table(records: list[Any], count: int, limits: Limits, locator: str, where: str) -> Table:
    header_keys: dict[str, None] = {}
    sample = [_flatten(r) for r in records[: limits.sample_rows] if isinstance(r, dict)]
    for record in sample:
        for key in record:
            header_keys.setdefault(key, None)
            if len(header_keys) > limits.max_columns:
                raise ScanError(f"{locator}: records with more than {limits.max_columns:,} keys; not scanned")
    header = list(header_keys)
    rows = [[_cell(record.get(key)) for key in header] for record in sample]
    return Table(header=header, rows=rows, locator=where, row_count=count)


def _grid_table(item: Found, limits: Limits, where: str) -> Table:
    grid: list[Any] = item.node
    rows = [[_cell(c) for c in row[: limits.max_columns]] for row in grid[: limits.sample_rows + 1]
            if isinstance(row, list)]
    if item.header is not None:
        header, start = [str(h) for h in item.header], 0
    else:
        header, start = split_header(rows)
    sample = rows[start:][: limits.sample_rows]
    return Table(header=fit_header(header, sample), rows=sample, locator=where, row_count=len(grid) - start)


def _join_grids(found: list[Found]) -> list[Found]:
    """Grids of one width that follow each other in a list of table objects (the pages of one
    table, as tabula writes them) become one grid; a repeated first row is dropped."""
    out: list[Found] = []
    for item in found:
        last = out[-1] if out else None
        if (last is not None and item.kind == last.kind == "grid" and item.header is None and last.header is None
                and "[" in item.path and _width(item.node) == _width(last.node)):
            repeated = item.node and last.node and _texts(item.node[0]) == _texts(last.node[0])
            rows = item.node[1:] if repeated else item.node
            out[-1] = Found(last.path if last.path.endswith("…") else f"{last.path}…", "grid", last.node + rows)
            continue
        out.append(item)
    return out


def _texts(row: Any) -> list[str]:
    return [_cell(c) for c in row] if isinstance(row, list) else []


def _width(grid: list[Any]) -> int:
    return max((len(r) for r in grid[:PROBE] if isinstance(r, list)), default=0)
