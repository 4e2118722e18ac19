"""What is reported when one file's index run fails: a replaced file, a file that cannot be read,
or an internal error that stopped its run (the other files are indexed either way)."""

from __future__ import annotations

import logging
from pathlib import Path

from indexer.errors import RecordProblem
from indexer.parse_errors import is_bad_input
from indexer.warc_files import FileReplaced

# the index run's lines keep the logger name they had when the run was one module
log = logging.getLogger("indexer.pipeline")


def file_problem(path: Path, exc: Exception, offset: int) -> RecordProblem:
    """The problem reported for the file ``exc`` stopped at ``offset``; an internal error is logged
    by its type, its traceback at level debug."""
    name = exc.__class__.__name__
    if isinstance(exc, FileReplaced):
        return RecordProblem(str(path), 0, str(exc), exc.hint)
    if is_bad_input(exc):
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else " ".join(str(exc).split())[:200]
        return RecordProblem(str(path), offset, f"cannot read the file: {name}: {detail or name}",
                             "check that it exists, that this user may read it and that it is a "
                             f"WARC/ARC file (`warcio check {path}`), then index it again")
    # the exception text may quote archived content: its type goes into the report and the
    # log line, the traceback only into the debug log
    log.error("%s: indexing stopped by an internal error (%s); the traceback is logged at level debug",
              path, name)
    log.debug("indexing %s failed", path, exc_info=True)
    return RecordProblem(str(path), offset, f"indexing stopped by an internal error ({name}): a bug "
                         "in Spillwatch, not necessarily in the file; the other files were indexed",
                         "please report it with the output of `spillwatch --set log_level=debug "
                         f"index {path}`")
