"""The command base class and the context every command gets.

A command is a small class (Scrapy's ``commands/__init__.py`` is the model): its ``name``, ``help``
and ``description`` build its sub-parser, :meth:`Command.add_arguments` adds its options and
:meth:`Command.run` does the work.  The CLI finds every ``Command`` subclass in the modules of
``spillwatch/commands/`` (no list to keep by hand).  A command with actions of its own (``alerts
test``, ``users add``…) gives each action parser a ``handler``; the default :meth:`Command.run`
calls it.

:class:`Context` opens what commands share, once and lazily: the resolved config, the catalog and the
search backend; the CLI closes what was opened when the command ends.
"""

from __future__ import annotations

import argparse
import os
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from core.errors import ConfigError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from core.config import Config
    from indexer.search import SearchBackend


class Command:
    """One ``spillwatch`` command.

    The module defining it imports only light modules at its top (the standard library,
    ``core.errors``, ``core.models``); what the work needs is imported in :meth:`run`.
    """

    name: ClassVar[str] = ""
    help: ClassVar[str] = ""
    description: ClassVar[str] = ""
    needs_config: ClassVar[bool] = True  # False: runs without resolving the config (check-config, scan…)
    # the command's output is its story: INFO logs only when log_level is set (a service logs always)
    quiet_logs: ClassVar[bool] = True

    def describe(self) -> str:
        """The sub-parser's description (a method so that a command may compute it lazily)."""
        return self.description

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Add this command's options and actions to its sub-parser (import heavy modules here or in
        :meth:`run`, never at module level: ``--help`` must stay fast)."""

    def run(self, ctx: Context) -> int:
        handler = getattr(ctx.args, "handler", None)
        if handler is None:
            raise NotImplementedError(f"command {self.name!r} has neither run() nor action handlers")
        return int(handler(ctx) or 0)


@dataclass
class Context:
    """What a command gets: parsed arguments and lazy access to the config, catalog and search."""

    args: argparse.Namespace
    environ: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    _config: Config | None = None
    _opened: ExitStack = field(default_factory=ExitStack)
    _catalog: Any = None
    _search: Any = None

    def cli_settings(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for item in self.args.set or []:
            name, sep, value = item.partition("=")
            if not sep:
                raise ConfigError(
                    [f"command line: --set {item!r}: expected NAME=VALUE, e.g. --set log_level=debug"]
                )
            values[name.strip()] = value
        if self.args.data_dir is not None:
            values["data_dir"] = self.args.data_dir
        return values

    def config(self) -> Config:
        if self._config is None:
            from core.config import load_config

            path = self.args.config or self.environ.get("SPILLWATCH_CONFIG")
            self._config = load_config(path, self.environ, self.cli_settings())
        return self._config

    def catalog(self) -> Engine:
        """The catalog (migrations applied), disposed of when the command ends."""
        if self._catalog is None:
            from core.catalog import open_catalog

            self._catalog = open_catalog(self.config().settings)
            self._opened.callback(self._catalog.dispose)
        engine: Engine = self._catalog
        return engine

    def search(self) -> SearchBackend:
        """The configured search backend, closed when the command ends."""
        if self._search is None:
            from indexer.search import open_search

            self._search = open_search(self.config().settings)
            self._opened.callback(self._search.close)
        backend: SearchBackend = self._search
        return backend

    def close(self) -> None:
        self._opened.close()
