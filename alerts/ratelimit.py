"""Per-channel rate limit: at most N messages in any 60-second window (sliding log), plus a "blocked
until" time set when a receiver answers 429 with Retry-After.  In memory, per dispatcher."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

WINDOW = 60.0


class RateLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic, window: float = WINDOW) -> None:
        self.clock = clock
        self.window = window
        self._sent: dict[str, deque[float]] = {}
        self._blocked_until: dict[str, float] = {}

    def _log(self, key: str, now: float) -> deque[float]:
        log = self._sent.setdefault(key, deque())
        while log and log[0] <= now - self.window:
            log.popleft()
        return log

    def wait_time(self, key: str, per_window: int) -> float:
        """Seconds until ``key`` may send again (0 when it may send now)."""
        now = self.clock()
        log = self._log(key, now)
        wait = max(0.0, self._blocked_until.get(key, 0.0) - now)
        if len(log) >= per_window:
            wait = max(wait, log[0] + self.window - now)
        return wait

    def acquire(self, key: str, per_window: int) -> bool:
        """Take one message slot for ``key`` if one is free."""
        if self.wait_time(key, per_window) > 0:
            return False
        self._sent[key].append(self.clock())
        return True

    def block(self, key: str, seconds: float) -> None:
        """The receiver asked for a pause (HTTP 429 Retry-After)."""
        until = self.clock() + max(0.0, seconds)
        self._blocked_until[key] = max(self._blocked_until.get(key, 0.0), until)
