"""The progress bar: drawn on a terminal only."""

from __future__ import annotations

import io

from indexer.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_on_a_terminal_and_silence_elsewhere() -> None:
    terminal = Terminal()
    with Progress(2048, stream=terminal) as progress:
        progress.file("crawl-1.warc.gz")
        progress.advance(1024)
        progress.advance(1024)
    assert "indexing" in terminal.getvalue() and "100%" in terminal.getvalue()
    pipe = io.StringIO()
    with Progress(2048, stream=pipe) as progress:
        progress.advance(2048)
    assert pipe.getvalue() == ""
    disabled = Terminal()
    with Progress(10, enabled=False, stream=disabled) as progress:
        progress.advance(10)
    assert disabled.getvalue() == ""
