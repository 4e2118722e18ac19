"""What every view needs, built once per app by the factory and kept in ``app.extensions``.

No module-level state: two apps in one process (tests, the service and a second instance) each have
their own catalog engine, search backend, login limiter and hooks.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import Engine

from core.config import Config
from core.settings import Settings
from web.ratelimit import LoginLimiter

if TYPE_CHECKING:
    from indexer.search import SearchBackend

EXTENSION = "spillwatch"

# "crawl now": called with a site id, returns a message for the user (e.g. "crawl queued").
CrawlTrigger = Callable[[str], str]


@dataclass
class WebState:
    config: Config
    engine: Engine
    limiter: LoginLimiter
    replay_url: str
    crawl_now: CrawlTrigger
    _search: SearchBackend | None = None
    _search_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def settings(self) -> Settings:
        return self.config.settings

    def search(self) -> SearchBackend:
        """The search backend, opened on first use (the UI starts even while it is down)."""
        with self._search_lock:
            if self._search is None:
                from indexer.search import open_search

                self._search = open_search(self.settings)
            return self._search

    def close(self) -> None:
        with self._search_lock:
            if self._search is not None:
                self._search.close()
                self._search = None
        self.engine.dispose()


def state() -> WebState:
    """The :class:`WebState` of the app handling the current request."""
    found: WebState = current_app.extensions[EXTENSION]
    return found
