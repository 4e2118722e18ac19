"""Scans in a child process with a memory cap and a wall-clock timeout (docs/architecture.md §5: "time and
memory per file").

The in-process limits (:class:`matcher.limits.Limits`) bound what the matcher's own code reads,
but a hostile PDF can still keep pdfminer busy inside one page, and a C library can allocate
before any Python check runs.  :class:`IsolatedScanner` runs each scan in one reusable worker
process whose address space is capped with ``RLIMIT_AS``; a worker that overruns its time is
killed and replaced, and the file gets a clear error instead of a hung or dead scan.

The worker is spawned (a fresh interpreter that imports the matcher again) by default, which is
safe from threaded callers such as the service.  A single-threaded caller (``spillwatch scan``) may
ask for ``start_method="fork"``: the child then starts with the matcher already imported, in a few
milliseconds instead of the second or so a spawned interpreter needs, under the same memory cap and
timeout.  The worker ignores Ctrl-C: the caller decides, and a child printing its own
KeyboardInterrupt traceback helps nobody.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import signal
import sys
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import Any, Literal

from matcher.limits import DEFAULT_LIMITS, Limits
from matcher.scan import ScanResult, scan_bytes, scan_file

GiB = 1024**3


def _worker(conn: Connection, memory_bytes: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request is None:
            return
        kind, args, limits = request
        try:
            if kind == "file":
                result = scan_file(args[0], limits)
            else:
                result = scan_bytes(args[0], args[1], args[2], limits)
        except RecursionError:
            # the readers report deep nesting as their own per-file error; a nesting that slips past
            # them must cost this file, not the worker (and must not print a traceback)
            label = args[0] if kind == "file" else (args[1] or "<bytes>")
            result = ScanResult(media_type="", errors=[
                f"{label}: nested too deeply to read (over the parser's depth limit); not scanned. "
                "Open it to check what it is"])
        conn.send(result)


class IsolatedScanner:
    """``scan_file`` / ``scan_bytes`` in a capped child process.  Use as a context manager."""

    def __init__(self, limits: Limits = DEFAULT_LIMITS, memory_bytes: int = 2 * GiB,
                 timeout_seconds: float | None = None, start_method: Literal["spawn", "fork"] = "spawn") -> None:
        self.limits = limits
        self.memory_bytes = memory_bytes
        # the child's own budget is checked between pages/sheets; the hard timeout leaves it room
        self.timeout = timeout_seconds or limits.time_budget_seconds * 1.5 + 10
        # spawn by default: the caller may be a threaded service (APScheduler, Flask), and forking a
        # process whose other threads hold locks can deadlock the child
        self._context = (multiprocessing.get_context("fork") if start_method == "fork"
                         else multiprocessing.get_context("spawn"))
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None

    def _start(self) -> Connection:
        if self._process is None or not self._process.is_alive() or self._conn is None:
            # a forked child would flush a copy of what the parent has buffered when it exits
            sys.stdout.flush()
            sys.stderr.flush()
            parent, child = self._context.Pipe()
            self._process = self._context.Process(target=_worker, args=(child, self.memory_bytes), daemon=True)
            self._process.start()
            child.close()
            self._conn = parent
        return self._conn

    def _stop(self) -> None:
        if self._process is not None and self._process.is_alive():
            self._process.kill()
        if self._process is not None:
            self._process.join(5)
        if self._conn is not None:
            self._conn.close()
        self._process = self._conn = None

    def _call(self, kind: str, args: tuple[Any, ...], label: str) -> ScanResult:
        conn = self._start()
        try:
            conn.send((kind, args, self.limits))
            if not conn.poll(self.timeout):
                self._stop()
                return ScanResult(media_type="", errors=[
                    f"{label}: not scanned within {self.timeout:.0f} s; the file may be built to stall parsers. "
                    "Raise the timeout to try again"])
            result: ScanResult = conn.recv()
            return result
        except (EOFError, BrokenPipeError, ConnectionResetError):
            self._stop()
            return ScanResult(media_type="", errors=[
                f"{label}: the scanning process died (memory cap {self.memory_bytes / GiB:.1f} GiB or a parser "
                "crash); not scanned. Raise the memory cap to try again"])

    def warm(self) -> None:
        """Start the worker now (before the caller starts threads of its own, with ``fork``)."""
        self._start()

    def scan_file(self, path: str | os.PathLike[str]) -> ScanResult:
        return self._call("file", (os.fspath(path),), os.fspath(path))

    def scan_bytes(self, data: bytes, filename: str = "", media_type: str = "") -> ScanResult:
        return self._call("bytes", (data, filename, media_type), filename or "<bytes>")

    def close(self) -> None:
        if self._conn is not None and self._process is not None and self._process.is_alive():
            # a worker that is already gone cannot be asked to stop; _stop below reaps it either way
            with contextlib.suppress(BrokenPipeError, OSError):
                self._conn.send(None)
        self._stop()

    def __enter__(self) -> IsolatedScanner:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
