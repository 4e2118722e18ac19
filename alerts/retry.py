"""Retry timing: exponential backoff with jitter, capped, and the dead-letter limit."""

from __future__ import annotations

import random
from dataclasses import dataclass

from core.settings import Settings


@dataclass(frozen=True)
class RetryPolicy:
    base: float  # seconds before the first retry
    max_delay: float  # cap of one delay
    max_attempts: int  # attempts before a delivery is dead

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(base=settings.alert_retry_delay, max_delay=settings.alert_retry_max_delay,
                   max_attempts=max(1, settings.alert_max_attempts))

    def exhausted(self, attempts: int) -> bool:
        return attempts >= self.max_attempts

    def delay(self, attempts: int, rng: random.Random) -> float:
        """Delay after the ``attempts``-th failed attempt: base·2^(attempts-1), capped, with "equal
        jitter" (between half and all of it) so failed deliveries do not retry in lockstep."""
        ceiling = min(self.max_delay, self.base * (2 ** max(0, attempts - 1)))
        return rng.uniform(ceiling / 2, ceiling)
