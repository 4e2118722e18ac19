"""Data at rest is private (docs/architecture.md §5 rule 8): folders 0700, files 0600.

The data folder holds the very personal data Spillwatch finds: WARC files with the leaked documents,
the catalog, the search index (full extracted text) and their SQLite WAL files.  The program sets
its umask to 077 before it creates anything, so every file and folder it (or a crawl subprocess,
which inherits the umask) creates is private; :func:`make_private` fixes an existing install on
start and logs what it changed.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_UMASK = 0o077


def set_private_umask() -> int:
    """From now on new files are 0600 and new folders 0700; returns the previous umask."""
    return os.umask(PRIVATE_UMASK)


def make_private(root: Path) -> int:
    """Take group and other permissions away from ``root`` and everything under it (symbolic links
    are not followed); returns how many paths were changed and logs it when any were."""
    if not root.is_dir():
        return 0
    changed, problems = _tighten(root, 0, 0)
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in [*dirs, *files]:
            changed, problems = _tighten(Path(folder) / name, changed, problems)
    if changed:
        log.warning("data_dir: made %d path(s) in %s private (0700 folders, 0600 files); they were readable "
                    "by other local users", changed, root)
    if problems:
        log.warning("data_dir: %d path(s) in %s could not be made private (not owned by this user?); fix "
                    "them with chmod -R go-rwx %s", problems, root, root)
    return changed


def _tighten(path: Path, changed: int, problems: int) -> tuple[int, int]:
    try:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode) or not stat.S_IMODE(info.st_mode) & 0o077:
            return changed, problems
        path.chmod(stat.S_IMODE(info.st_mode) & 0o700)
    except OSError:
        return changed, problems + 1
    return changed + 1, problems
