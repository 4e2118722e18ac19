"""Spillwatch's application shell (the top floor): the CLI and its commands, the service loop and
scheduler, and the demo.  The only package that wires the stages together (docs/architecture.md)."""

from core import __version__

__all__ = ["__version__"]
