"""The ``spillwatch`` command line.

Each command lives in its own module under ``spillwatch/commands`` and exposes
``register(subparsers)``; the modules are listed in :data:`COMMAND_MODULES`.  Global options
(``--config``, ``--data-dir``, ``--set``) sit at the top of the settings precedence.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from core.config import Config, load_config
from core.errors import ConfigError, SpillwatchError
from core.logs import configure_logging
from spillwatch import __version__
from spillwatch.private_files import make_private, set_private_umask

COMMAND_MODULES: tuple[str, ...] = (
    "spillwatch.commands.check_config",
    "spillwatch.commands.settings_cmd",
    "spillwatch.commands.demo",
    "spillwatch.commands.run",
    "spillwatch.commands.crawl",
    "spillwatch.commands.scan",
    "spillwatch.commands.alerts_cmd",
    "spillwatch.commands.serve",
    "spillwatch.commands.users_cmd",
    "spillwatch.commands.index_cmd",
    "spillwatch.commands.search_cmd",
    "spillwatch.commands.purge_cmd",
    "spillwatch.commands.export",
)


@dataclass
class Context:
    """What a command gets: parsed arguments and lazy access to the resolved config."""

    args: argparse.Namespace
    environ: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    _config: Config | None = None

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
            path = self.args.config or self.environ.get("SPILLWATCH_CONFIG")
            self._config = load_config(path, self.environ, self.cli_settings())
        return self._config


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spillwatch",
        description="Watch government web sites for accidental disclosures of personal data.",
    )
    parser.add_argument("--version", action="version", version=f"spillwatch {__version__}")
    parser.add_argument("--config", metavar="FILE", help="YAML config file (env SPILLWATCH_CONFIG)")
    parser.add_argument("--data-dir", metavar="DIR", help="data folder (env SPILLWATCH_DATA_DIR; "
                        "default ./spillwatch-data)")
    parser.add_argument("-s", "--set", action="append", metavar="NAME=VALUE",
                        help="override any setting (see `spillwatch settings`); repeatable")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    ctx = Context(args)
    set_private_umask()  # before anything is created: new files 0600, folders 0700
    try:
        if getattr(args, "needs_config", True):
            configure_logging(ctx.config().settings)
            make_private(ctx.config().settings.data_path)
        return int(args.handler(ctx) or 0)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    except SpillwatchError as exc:
        logging.getLogger("spillwatch").debug("command failed", exc_info=True)
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
