"""Progress of an index run: a tqdm bar over the bytes of the files (on a terminal only)."""

from __future__ import annotations

import shutil
import sys
from types import TracebackType
from typing import IO

from tqdm import tqdm


class Progress:
    """Bytes-based progress bar; silent (no bar) when ``enabled`` is False or stderr is no terminal."""

    def __init__(self, total_bytes: int, enabled: bool = True, stream: IO[str] | None = None) -> None:
        out = stream or sys.stderr
        self._bar: tqdm[None] | None = None
        if enabled and out.isatty():
            columns = shutil.get_terminal_size((100, 20)).columns or 100
            self._bar = tqdm(total=total_bytes, unit="B", unit_scale=True, unit_divisor=1024, file=out,
                             desc="indexing", leave=True, ncols=min(columns, 120))

    def file(self, name: str) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(name[-40:], refresh=False)

    def advance(self, nbytes: int) -> None:
        if self._bar is not None and nbytes > 0:
            self._bar.update(nbytes)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
