"""What a running service reports about itself on ``/healthz`` (:class:`ServiceState`), updated by
the workers of :mod:`spillwatch.service.loop` and read by :mod:`spillwatch.service.http`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass
class ServiceState:
    """What /healthz reports; updated by the workers."""

    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    stopping: bool = False
    current_crawl: str | None = None
    last_error: str = ""
    crawls_run: int = 0
    files_indexed: int = 0
    paused: str = ""  # why crawls and fetches are paused (disk space), empty when they run
    # worker name -> why it is degraded (it crashed and was restarted); kept until the service restarts
    degraded: dict[str, str] = field(default_factory=dict)
