"""One demo per data folder: ``DATA_DIR/demo.lock``, locked with ``flock`` and holding the pid.

A second ``spillwatch demo`` on the same folder would otherwise delete the running demo's data (the
story starts from an empty ``DATA_DIR/demo``).  The kernel releases the lock when the holder exits,
however it exits, so a crashed demo never leaves a stale lock behind; the pid in the file is only
there to say who holds it.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType


class DemoBusy(Exception):
    """Another process holds the demo lock of this data folder."""

    def __init__(self, path: Path, holder: str) -> None:
        who = f"process {holder}" if holder else "another process"
        super().__init__(f"another demo ({who}) runs on {path.parent}; stop it first (Ctrl-C in its terminal"
                         + (f", or `kill {holder}`" if holder else "") + "), or give this one its own --data-dir")


class DemoLock:
    """Hold the demo lock of ``data_dir`` for the life of the ``with`` block (or of the process)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "demo.lock"
        self._fd: int | None = None

    def __enter__(self) -> DemoLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", errors="replace").strip()
            os.close(fd)
            raise DemoBusy(self.path, holder) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        self._fd = fd
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing the descriptor releases the lock
            self._fd = None
