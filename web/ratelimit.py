"""Login rate limiting: failed attempts per user name and per client address in a sliding window."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 15 * 60
# One address may try several user names (a shared office NAT), but not endlessly.
ADDRESS_FACTOR = 4
# Above this many tracked keys, expired ones are swept (a flood of made-up names must not grow memory).
SWEEP_ABOVE = 10_000


class LoginLimiter:
    """Counts failures; ``blocked`` says whether another attempt is refused and for how long."""

    def __init__(self, max_failures: int, window: float = WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max(1, max_failures)
        self.window = window
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _keys(name: str, address: str) -> list[tuple[str, int]]:
        return [(f"user:{name.strip().lower()}|{address}", 1), (f"addr:{address}", ADDRESS_FACTOR)]

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def blocked(self, name: str, address: str) -> float:
        """Seconds until the next attempt is allowed; 0 when it is allowed now."""
        now = self.clock()
        wait = 0.0
        with self._lock:
            for key, factor in self._keys(name, address):
                times = self._recent(key, now)
                if len(times) >= self.max_failures * factor:
                    wait = max(wait, times[0] + self.window - now)
        return wait

    def failed(self, name: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            for key, _factor in self._keys(name, address):
                self._recent(key, now).append(now)
            if len(self._failures) > SWEEP_ABOVE:
                self._sweep(now)

    def _sweep(self, now: float) -> None:
        for key in list(self._failures):
            if not self._recent(key, now):
                del self._failures[key]
        while len(self._failures) > SWEEP_ABOVE:  # all recent: forget the oldest
            oldest = min(self._failures, key=lambda k: self._failures[k][-1])
            del self._failures[oldest]

    @property
    def tracked(self) -> int:
        return len(self._failures)

    def succeeded(self, name: str, address: str) -> None:
        with self._lock:
            self._failures.pop(self._keys(name, address)[0][0], None)
