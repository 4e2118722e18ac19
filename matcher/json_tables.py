"""JSON: arrays of records, at the top level or nested under keys such as ``data``/``results``
(any key, a few levels deep); nested objects are flattened one level (``address.city``)."""

from __future__ import annotations

import json
from typing import Any

from matcher.errors import ScanError
from matcher.extracted import Extracted
from matcher.header_row import split_header
from matcher.limits import Limits
from spillwatch.models import Table

MAX_DEPTH = 4


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)[:200]


def _flatten(record: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            for inner, inner_value in value.items():
                flat[f"{key}.{inner}"] = inner_value
        else:
            flat[str(key)] = value
    return flat


def _record_arrays(node: Any, path: str, depth: int, found: list[tuple[str, list[Any]]]) -> None:
    if depth > MAX_DEPTH:
        return
    if isinstance(node, list):
        records = [x for x in node[:50] if isinstance(x, dict)]
        if node and len(records) >= 0.8 * min(len(node), 50):
            found.append((path, node))
            return
        if node and all(isinstance(x, list) for x in node[:50]):
            found.append((path, node))  # array of arrays: first row may be a header
        return
    if isinstance(node, dict):
        for key, value in node.items():
            _record_arrays(value, f"{path}.{key}" if path else str(key), depth + 1, found)


def extract_json(data: bytes, limits: Limits, locator: str, deadline: float) -> Extracted:
    try:
        document = json.loads(data.decode("utf-8-sig", errors="replace"))
    except (ValueError, RecursionError):
        raise ScanError(f"{locator}: not valid JSON; check that the download is complete") from None
    arrays: list[tuple[str, list[Any]]] = []
    _record_arrays(document, "", 0, arrays)
    out = Extracted()
    for path, array in arrays:
        where = f"JSON {path or 'top-level array'}"
        if array and isinstance(array[0], list):
            rows = [[_cell(c) for c in row] for row in array[: limits.sample_rows + 1]]
            header, start = split_header(rows)
            out.tables.append(Table(header=header, rows=rows[start:], locator=where, row_count=len(array) - start))
            continue
        header_keys: dict[str, None] = {}
        sample = [_flatten(r) for r in array[: limits.sample_rows] if isinstance(r, dict)]
        for record in sample:
            for key in record:
                header_keys.setdefault(key, None)
                if len(header_keys) > limits.max_columns:
                    raise ScanError(f"{locator}: records with more than {limits.max_columns:,} keys; not scanned")
        header = list(header_keys)
        rows = [[_cell(record.get(key)) for key in header] for record in sample]
        count = sum(1 for r in array[: limits.max_json_records] if isinstance(r, dict))
        out.tables.append(Table(header=header, rows=rows, locator=where, row_count=count))
    return out
