"""A crawl process lives no longer than the process that started it, and no two crawls of one site
run at once on any machine.

Why: a worker killed on its own (SIGKILL of its pid, not of its process group or machine) would
leave its crawl subprocess running, and the retried crawl job would start a second crawl of the same
site beside the orphan (docs/scaling.md).  Two guards, both taken by the crawl process itself
(``python -m crawler run``):

- :func:`die_with_parent` — on Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)``: the kernel kills the crawl
  the moment its parent dies.  Called at the crawl's start rather than in a ``preexec_fn``: Python's
  documentation warns that ``preexec_fn`` is not safe in a process with threads (the worker and the
  service run crawls from threads).  The window between ``fork`` and this call is closed by comparing
  ``getppid()`` with the parent's pid, which the parent passes in :data:`PARENT_PID_ENV`.  Through
  ``ctypes`` on libc: the only well-kept binding (``python-prctl``) needs libcap headers to build, for
  one call.  The killed crawl's ``.open`` WARC files are repaired by the next crawl of the site on
  that machine (:mod:`crawler.repair`; its lock file is released with the process).
- :func:`site_lock` — with a PostgreSQL catalog, a session advisory lock per site held for the
  crawl's whole life, so that a crawl that outlived its parent anyway (another OS, a kernel without
  the call) makes a second crawl of the site wait until it ends, on any machine.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

PARENT_PID_ENV = "SPILLWATCH_CRAWL_PARENT_PID"
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
LOCK_NAMESPACE = "spillwatch-crawl:"
WAIT_LOG_EVERY = 30.0  # seconds between "still waiting" lines


def die_with_parent(parent_pid: int | None) -> bool:
    """Have the kernel SIGKILL this process when its parent dies (Linux); False elsewhere.

    ``parent_pid`` is the pid of the process that started this one; when it is no longer the parent
    (it died before the call), this process kills itself at once."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"prctl(PR_SET_PDEATHSIG) failed: {os.strerror(errno)}")
    if parent_pid is not None and os.getppid() != parent_pid:
        os.kill(os.getpid(), signal.SIGKILL)  # the parent died between fork and prctl
    return True


def parent_pid_from_env() -> int | None:
    value = os.environ.get(PARENT_PID_ENV, "")
    return int(value) if value.isdigit() else None


@contextmanager
def site_lock(catalog_url: str | None, site_id: str | None, *, poll: float = 1.0) -> Iterator[None]:
    """Hold the site's crawl lock (PostgreSQL advisory lock) while the block runs; wait while another
    process, on any machine, holds it.  Nothing to hold without a PostgreSQL catalog or a site."""
    if not catalog_url or not site_id or not catalog_url.startswith(("postgresql", "postgres")):
        yield
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(catalog_url, poolclass=NullPool)
    key = {"key": LOCK_NAMESPACE + site_id}
    try:
        with engine.connect() as conn:
            started = next_log = time.monotonic()
            while not conn.execute(text("SELECT pg_try_advisory_lock(hashtextextended(:key, 0))"), key).scalar():
                conn.commit()
                if time.monotonic() >= next_log:
                    log.warning("another crawl of site %s is running (on this or another machine); waiting for "
                                "it to end (%.0f s so far)", site_id, time.monotonic() - started)
                    next_log = time.monotonic() + WAIT_LOG_EVERY
                time.sleep(poll)
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(hashtextextended(:key, 0))"), key)
                conn.commit()
    finally:
        engine.dispose()
