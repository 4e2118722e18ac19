"""Compare Spillwatch's captures with ``cdxj-indexer`` (pywb's indexer) on the same WARC files:
every http(s) response/resource/revisit record it lists must be a Spillwatch capture with the same
SURT, time, offset and length, or a named per-record problem of Spillwatch at that offset."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from indexer.errors import RecordProblem

Key = tuple[str, int]  # (file, offset)


def reference_lines(path: Path) -> list[str]:
    """cdxj-indexer's lines for one file (its own process: a file it cannot read is no line)."""
    done = subprocess.run([sys.executable, "-c", "from cdxj_indexer.main import main; main()", str(path)],
                          capture_output=True, text=True, timeout=600, check=False)
    return [line for line in done.stdout.splitlines() if line.strip()]


def _entries(lines: Iterable[str], folder_of: dict[str, str]) -> dict[Key, tuple[str, str, str, str]]:
    found: dict[Key, tuple[str, str, str, str]] = {}
    for line in lines:
        urlkey, timestamp, body = line.split(" ", 2)
        data = json.loads(body)
        if not str(data.get("url", "")).lower().startswith(("http://", "https://")):
            continue
        name = str(data["filename"])
        found[(folder_of.get(Path(name).name, name), int(data["offset"]))] = (
            urlkey, timestamp, str(data["length"]), str(data.get("status", "")))
    return found


@dataclass
class Comparison:
    reference: int = 0  # http(s) captures cdxj-indexer lists
    same: int = 0  # ... that Spillwatch indexed with the same SURT, time, offset, length
    named_problems: list[str] = field(default_factory=list)  # ... that Spillwatch reports as a problem
    missing: list[str] = field(default_factory=list)  # ... neither (must be empty)
    different: list[str] = field(default_factory=list)
    extra: int = 0  # Spillwatch captures cdxj-indexer does not list (decompressed whole-file gzip…)


def compare(files: list[Path], exported: Iterable[str], problems: Iterable[RecordProblem]) -> Comparison:
    folder_of = {p.name: str(p) for p in files}
    ours = _entries(exported, folder_of)
    reference: dict[Key, tuple[str, str, str, str]] = {}
    for path in files:
        reference.update(_entries(reference_lines(path), folder_of))
    named = {(str(Path(p.path)), p.offset): p.message for p in problems}
    result = Comparison(reference=len(reference), extra=len(set(ours) - set(reference)))
    for key, value in sorted(reference.items()):
        mine = ours.get(key)
        if mine is None and key in named:
            result.named_problems.append(f"{Path(key[0]).name} @{key[1]}: {named[key][:120]}")
        elif mine is None:
            result.missing.append(f"{Path(key[0]).name} @{key[1]}: {value}")
        elif mine[:3] != value[:3]:
            result.different.append(f"{Path(key[0]).name} @{key[1]}: ours {mine}, cdxj-indexer {value}")
        else:
            result.same += 1
    return result
