"""Spillwatch: the kernel (settings, shared dataclasses, errors, catalog, CLI, service loop)."""

__version__ = "0.1.0"
