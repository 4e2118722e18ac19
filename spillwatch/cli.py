"""The ``spillwatch`` command line.

Each command is a :class:`~spillwatch.commands.base.Command` subclass in a module of
``spillwatch/commands``; :func:`commands` finds them, so adding a command is adding a module.  Global
options (``--config``, ``--data-dir``, ``--set``) sit at the top of the settings precedence.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
from collections.abc import Sequence

from core.errors import ConfigError, SpillwatchError
from core.logs import configure_logging
from spillwatch import __version__
from spillwatch import commands as command_modules
from spillwatch.commands.base import Command, Context
from spillwatch.private_files import make_private, set_private_umask

__all__ = ["Context", "build_parser", "commands", "main"]


def commands() -> list[Command]:
    """Every command: the :class:`Command` subclasses defined in the modules of ``spillwatch/commands``."""
    found: list[Command] = []
    for info in pkgutil.iter_modules(command_modules.__path__):
        module = importlib.import_module(f"{command_modules.__name__}.{info.name}")
        found.extend(obj() for obj in vars(module).values()
                     if isinstance(obj, type) and issubclass(obj, Command) and obj.__module__ == module.__name__
                     and obj.name)
    return sorted(found, key=lambda command: command.name)


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
    sub = parser.add_subparsers(dest="command_name", metavar="COMMAND")
    for command in commands():
        command_parser = sub.add_parser(command.name, help=command.help, description=command.description or None)
        command.add_arguments(command_parser)
        command_parser.set_defaults(command=command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    command: Command | None = getattr(args, "command", None)
    if command is None:
        parser.print_help()
        return 2
    ctx = Context(args)
    set_private_umask()  # before anything is created: new files 0600, folders 0700
    try:
        if command.needs_config:
            configure_logging(ctx.config().settings)
            make_private(ctx.config().settings.data_path)
        return command.run(ctx)
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
    finally:
        ctx.close()


if __name__ == "__main__":
    sys.exit(main())
