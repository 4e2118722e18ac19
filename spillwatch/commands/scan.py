"""``spillwatch scan PATH... [--json] [--min-severity S] [--explain]``: run the matcher over local files.

Directories are walked recursively.  The default output is a readable report per file;
``--json`` prints one JSON object per input file (docs/architecture.md §3).  ``--explain`` adds, for every table
of a file (flagged or not), what its rows describe and the top signals for and against a list of
people (with ``--json``: an ``explain`` list in each object).  Exit status: 0 nothing found,
1 something found, 2 a file could not be scanned (errors win, as with grep).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from core.models import Finding, Severity
from spillwatch.commands.base import Command, Context

if TYPE_CHECKING:
    from matcher.isolation import IsolatedScanner
    from matcher.scan import ScanResult

DEFAULT_MAX_MEMORY = 2 * 1024**3  # 2GiB (an int: argparse parses only a string default with `type`)


class ScanCommand(Command):
    name = "scan"
    help = "scan local files for person-level tables, hidden content and failed redactions"
    description = ("Scan files (directories recursively) for lists of people, hidden content and failed "
        "redactions. Exit 0 when nothing is found, 1 when something is found, 2 when a file could not be "
        "scanned.")
    needs_config = False

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="file or directory")
        parser.add_argument("--json", action="store_true", help="one JSON object per file: path, media_type, "
                            "findings, errors")
        parser.add_argument("--min-severity", default="low", type=_severity, metavar="S",
                            help="report findings of this severity and above: low, medium, high, critical "
                            "(default low)")
        parser.add_argument("--max-memory", default=DEFAULT_MAX_MEMORY, type=_size, metavar="SIZE",
                            help="memory cap of the scanning process (default 2GiB)")
        parser.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                            help="wall-clock limit per file (default: 1.5 x the matcher's time budget + 10 s)")
        parser.add_argument("--explain", action="store_true",
                            help="for every table, what its rows describe (person, organisation, place, work, animal, "
                            "event, aggregate) and the top signals for and against a list of people")
        parser.add_argument("--in-process", action="store_true",
                            help="scan in this process, without the memory cap and timeout (for debugging)")

    def run(self, ctx: Context) -> int:
        from matcher.isolation import IsolatedScanner

        # what was made so far (modules, classes, the matcher's tables) lives as long as the process: out
        # of the collector's sight, no collection walks it again (the one at exit cost ~15 ms) and the
        # forked worker shares its memory pages (Python's recipe for fork: the gc.freeze docs)
        gc.freeze()
        paths = list(iter_files(ctx.args.paths))
        # fork: this process is single-threaded, so the worker starts with the matcher imported (a few
        # ms, not a second of imports) and is still capped in memory and time (docs/matcher.md)
        with IsolatedScanner(memory_bytes=ctx.args.max_memory, timeout_seconds=ctx.args.timeout,
                             start_method="fork") as scanner:
            if not ctx.args.in_process and any(os.path.isfile(p) for p in paths):
                scanner.warm()  # before the progress bar's monitor thread exists
            tally = _scan_all(ctx, scanner, paths)
        many = len(paths) > 1 or any(os.path.isdir(p) for p in ctx.args.paths)
        if many:
            print(tally.summary(), file=sys.stderr if ctx.args.json else sys.stdout)
        if tally.failed:
            return 2
        return 1 if tally.with_findings else 0


def _size(value: str) -> int:
    from core.settings import parse_size

    try:
        return parse_size(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _severity(value: str) -> Severity:
    try:
        return Severity.parse(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def iter_files(paths: list[str]) -> Iterator[str]:
    for path in paths:
        if os.path.isdir(path):
            for folder, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    yield os.path.join(folder, name)
        else:
            yield path


@dataclass
class Tally:
    """What a scan of several files comes to: its summary line."""

    started: float = field(default_factory=time.monotonic)
    files: int = 0
    with_findings: int = 0
    failed: int = 0
    severities: Counter[str] = field(default_factory=Counter)

    def add(self, findings: list[Finding], errors: list[str]) -> None:
        self.files += 1
        self.with_findings += bool(findings)
        self.failed += bool(errors)
        self.severities.update(f.severity.name for f in findings)

    def summary(self) -> str:
        worst = ", ".join(f"{self.severities[name]} {name}" for name in Severity.names(worst_first=True)
                          if self.severities[name])
        found = f"{self.with_findings} with findings ({worst})" if self.with_findings else "nothing found"
        failed = f", {self.failed} could not be scanned" if self.failed else ""
        return f"scanned {self.files} file(s) in {time.monotonic() - self.started:.1f} s: {found}{failed}"


def _scan_all(ctx: Context, scanner: IsolatedScanner, paths: list[str]) -> Tally:
    tally = Tally()
    # a bar over the files on a terminal only (tqdm is imported then only); reports and JSON lines on
    # stdout stay clean
    if len(paths) < 2 or not sys.stderr.isatty():
        for path in paths:
            _scan_and_print(ctx, scanner, path, tally, contextlib.nullcontext())
        return tally
    from tqdm import tqdm

    with tqdm(paths, unit="file", desc="scanning", file=sys.stderr, leave=False) as bar:
        for path in bar:
            _scan_and_print(ctx, scanner, path, tally, tqdm.external_write_mode(file=sys.stderr))
    return tally


def _scan_and_print(ctx: Context, scanner: IsolatedScanner, path: str, tally: Tally,
                    printing: contextlib.AbstractContextManager[object]) -> None:
    result = _scan_one(ctx, scanner, path)
    findings = [f for f in result.findings if f.severity >= ctx.args.min_severity]
    tally.add(findings, result.errors)
    with printing:
        _print_result(ctx, path, result, findings)


def _scan_one(ctx: Context, scanner: IsolatedScanner, path: str) -> ScanResult:
    from matcher.scan import ScanResult, scan_file

    if not os.path.exists(path):
        return ScanResult(media_type="", errors=[f"{path}: no such file or directory; check the path"])
    return scan_file(path) if ctx.args.in_process else scanner.scan_file(path)


def _print_result(ctx: Context, path: str, result: ScanResult, findings: list[Finding]) -> None:
    explained = []
    if ctx.args.explain:
        from matcher.explain import explain_tables

        # the explanation is recomputed here from the tables' sample rows (pure and small); it
        # quotes headers and column numbers, never a cell value
        explained = explain_tables(result.tables)
    if ctx.args.json:
        document = {"path": path, "media_type": result.media_type,
                    "findings": [f.to_dict() for f in findings], "errors": result.errors}
        if ctx.args.explain:
            document["explain"] = [e.to_dict() for e in explained]
        print(json.dumps(document, ensure_ascii=False), flush=True)
        return
    if not result.media_type and not findings and result.errors:  # not read at all: one line on stderr
        for error in result.errors:
            print(f"scan: {error}", file=sys.stderr)
        return
    report(path, result.media_type, findings, result.errors, sys.stdout)
    for explanation in explained:
        sys.stdout.write("".join(f"  {line}\n" for line in explanation.lines()))
    sys.stdout.flush()


def report(path: str, media_type: str, findings: list[Finding], errors: list[str], out: TextIO) -> None:
    status = f"{len(findings)} finding(s)" if findings else "nothing found"
    out.write(f"{path} [{media_type or 'unknown'}]: {status}\n")
    for finding in findings:
        out.write(f"  {finding.severity.name.upper()} {finding.kind.value} at {finding.locator or 'file'}: "
                  f"{finding.rows:,} rows, score {finding.score:.2f}\n")
        for reason in finding.reasons:
            out.write(f"    - {reason}\n")
        if finding.columns:
            out.write("    columns: " + ", ".join(f"{c.header} ({c.type})" for c in finding.columns) + "\n")
        for row in finding.sample:
            out.write("    sample: " + " | ".join(row) + "\n")
    for error in errors:
        out.write(f"  ERROR {error}\n")
    out.flush()
