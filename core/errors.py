"""Errors shared across packages. Each message says what is wrong and what to do about it."""

from __future__ import annotations

from collections.abc import Iterable


class SpillwatchError(Exception):
    """Base class of errors the CLI reports as a clean message (exit code 2)."""


class ConfigError(SpillwatchError):
    """One or more problems in settings or the config file, each a full line for the user."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class ServiceUnavailable(SpillwatchError):
    """A backing service (database, Elasticsearch, SMTP…) could not be reached."""
