"""Errors raised by extractors. Messages say what happened and what to do, never a cell value."""

from __future__ import annotations


class ScanError(Exception):
    """A file (or an archive member) could not be scanned; the message is shown to the user."""


class EncryptedFile(ScanError):
    """The file is password-protected: reported as "encrypted, not scanned"."""


class LimitExceeded(ScanError):
    """A limit in :class:`matcher.limits.Limits` was reached (zip bomb, huge line, too many columns)."""


class UnsafeXml(ScanError):
    """An XML part declares a DTD or entities (a possible entity bomb); it is never parsed."""
