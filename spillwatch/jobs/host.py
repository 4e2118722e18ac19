"""What one worker process opens once and its jobs share (:class:`WorkerHost`).

It offers the same attributes as the service (:class:`spillwatch.service.bursts.BurstHost`), so the
burst code of ``spillwatch run`` runs unchanged inside a job.  Nothing here is a module global: the
worker builds one host and hands it to procrastinate as the jobs' additional context.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from core.catalog import open_catalog
from core.config import Config
from core.warc_store import FileStore, S3Store, open_store
from spillwatch.service.state import ServiceState

log = logging.getLogger("spillwatch.jobs")


class WorkerHost:
    def __init__(self, config: Config, *, engine: Engine | None = None, search: Any = None,
                 scan: Any = None, notifier_factory: Any = None) -> None:
        from indexer.search import open_search

        self.config = config
        self.settings = config.settings
        self.engine: Engine = engine if engine is not None else open_catalog(self.settings)
        self._own_engine = engine is None
        self.search = search if search is not None else open_search(self.settings)
        self._own_search = search is None
        self.scanner: Any = None
        if scan is None:
            # the matcher in a capped child process, as in the service (docs/architecture.md §5 rule 5)
            from matcher.isolation import IsolatedScanner

            self.scanner = IsolatedScanner()
            scan = self.scanner.scan_bytes
        self.scan = scan
        self.store: FileStore | S3Store = open_store(self.settings)
        self.stop_event = threading.Event()
        self.state = ServiceState()
        self.notifier_factory = notifier_factory
        # index runs of this process one at a time (the SQLite search backend has one writer; the
        # catalog's WARC-file rows are claimed per file anyway)
        self.index_lock = threading.Lock()
        self.events: list[tuple[str, dict[str, Any]]] = []

    def _event(self, name: str, **data: Any) -> None:
        self.events.append((name, data))
        log.debug("%s %s", name, data)

    def _index(self, paths: list[str], crawl_id: int | None = None) -> Any:
        from indexer.pipeline import IndexSummary, index_paths

        total = IndexSummary()
        for path in paths:
            with self.index_lock, self._file_lock(path):
                if isinstance(self.store, S3Store) and Path(path).is_file() and not self.store.exists(Path(path)):
                    self.store.publish(Path(path))  # written here (a burst, a watch poll): kept on S3 first
                local = self.store.local_copy(Path(path))
                summary = index_paths([local], self.config, self.engine, self.search, crawl_id=crawl_id,
                                      scan=self.scan, max_attempts=int(self.settings.index_max_attempts))
            total.files += summary.files
            total.files_failed += summary.files_failed
            total.findings += summary.findings
            total.captures += summary.captures
            total.problems += summary.problems
        self.state.files_indexed += len(paths)
        self._event("indexed", files=len(paths), findings=total.findings, captures=total.captures)
        return total

    @contextmanager
    def _file_lock(self, path: str) -> Iterator[None]:
        """One index run of a WARC file at a time across machines: a PostgreSQL advisory lock on its
        path, held for the run (an index job, and the inline index run of a watch poll or burst, can
        meet on one file); a second run waits, then finds the file done and changes nothing."""
        if self.engine.dialect.name != "postgresql":
            yield
            return
        with self.engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(hashtextextended(:path, 0))"), {"path": path})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(hashtextextended(:path, 0))"), {"path": path})
                conn.commit()

    def dispatcher(self) -> Any:
        from alerts.dispatcher import Dispatcher

        if self.notifier_factory is not None:
            return Dispatcher(self.engine, self.config, notifier_factory=self.notifier_factory)
        return Dispatcher(self.engine, self.config)

    def close(self) -> None:
        self.stop_event.set()
        if self.scanner is not None:
            self.scanner.close()
        if self._own_search:
            self.search.close()
        if self._own_engine:
            self.engine.dispose()
