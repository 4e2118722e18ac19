"""The exit statuses of every ``spillwatch`` command, in one table (docs/cli.md lists the same rows;
a test compares the two).

Like grep: 0 is "done, nothing to report", 1 is "done, and there is something to look at or part of
the work failed", 2 is "could not do what was asked" (bad arguments, config, input or data folder).
Signals follow the shell's convention of 128 + the signal number.
"""

from __future__ import annotations

import enum


class Exit(enum.IntEnum):
    """Exit statuses (their meanings: :data:`MEANINGS`)."""

    OK = 0
    ATTENTION = 1
    USAGE = 2
    UNAVAILABLE = 3
    BUSY = 4
    INTERRUPTED = 130
    BROKEN_PIPE = 141


# what each status means, per command where it differs (docs/cli.md's table is checked against this)
MEANINGS: dict[Exit, str] = {
    Exit.OK: "success: crawl fetched pages, index read every file, scan found nothing, search matched",
    Exit.ATTENTION: "look at it: scan found something, search matched nothing, a crawl fetched nothing or "
                    "failed, index could not read some file (the others were indexed)",
    Exit.USAGE: "could not run as asked: bad option or URL, a file that does not exist or is not of the "
                "kind the command reads, an invalid config, a data folder that holds no catalog",
    Exit.UNAVAILABLE: "`demo`: a stage of the chain is not installed in this build",
    Exit.BUSY: "`demo`: another demo runs on this data folder (the lock file names its process)",
    Exit.INTERRUPTED: "interrupted by Ctrl-C (SIGINT); no traceback, files being written are closed",
    Exit.BROKEN_PIPE: "the reader of standard output went away (`spillwatch search x` piped into `head`); quietly",
}
