"""Errors of the alert stage."""

from __future__ import annotations


class NotConfigured(Exception):
    """A notifier is switched off for a channel; the message says which setting to set."""


class DeliveryError(Exception):
    """A send failed.  ``permanent``: retrying cannot help (dead-letter now).  ``retry_after``: the
    receiver asked us to wait this many seconds (rate limited); the attempt does not count."""

    def __init__(self, message: str, *, permanent: bool = False, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after
