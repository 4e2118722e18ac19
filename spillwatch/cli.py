"""The ``spillwatch`` command line.

Each command is a :class:`~spillwatch.commands.base.Command` subclass in a module of
``spillwatch/commands``; :func:`commands` finds them, so adding a command is adding a module.  Global
options (``--config``, ``--data-dir``, ``--set``) sit at the top of the settings precedence.

Start-up stays light: command modules import only the standard library and light parts of the
ground floor at module level, and :func:`main` builds the full sub-parser (options, description)
of the one command named on the command line only; every heavy import happens in ``run``.
``spillwatch --help`` therefore imports no command's dependencies, and a command whose module is
named after it (``scan.py``, ``check_config.py``, ``alerts_cmd.py``) is found without importing the
other command modules (:func:`named_command`).

Failures end with one line on stderr and an exit status from :mod:`spillwatch.exit_codes`: no
traceback for Ctrl-C (130) or a closed pipe (141).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Collection, Sequence

from spillwatch import __version__
from spillwatch import commands as command_modules
from spillwatch.commands.base import Command, Context
from spillwatch.exit_codes import Exit

__all__ = ["Context", "build_parser", "commands", "main"]

# global options that take a value: the word after them is not the command's name
_VALUE_OPTIONS = ("--config", "--data-dir", "-s", "--set")


def commands() -> list[Command]:
    """Every command: the :class:`Command` subclasses defined in the modules of ``spillwatch/commands``."""
    found: list[Command] = []
    for info in pkgutil.iter_modules(command_modules.__path__):
        found.extend(_defined_in(f"{command_modules.__name__}.{info.name}"))
    return sorted(found, key=lambda command: command.name)


def _defined_in(module_name: str) -> list[Command]:
    module = importlib.import_module(module_name)
    return [obj() for obj in vars(module).values()
            if isinstance(obj, type) and issubclass(obj, Command) and obj.__module__ == module.__name__ and obj.name]


def named_command(name: str) -> Command | None:
    """The command ``name`` when a module named after it (``check-config``: ``check_config.py`` or
    ``check_config_cmd.py``) defines it, importing that module only; None otherwise (the caller then
    looks through every module with :func:`commands`)."""
    base = name.replace("-", "_")
    modules = {info.name for info in pkgutil.iter_modules(command_modules.__path__)}
    for module in (base, f"{base}_cmd"):
        if module in modules:
            found = [command for command in _defined_in(f"{command_modules.__name__}.{module}") if command.name == name]
            if found:
                return found[0]
    return None


def build_parser(selected: Collection[str] | None = None,
                 among: Sequence[Command] | None = None) -> argparse.ArgumentParser:
    """The parser; with ``selected``, only those commands get their options and description (the
    others a bare sub-parser with their one-line help, enough for ``--help`` and for parsing).
    ``among``: the commands it knows (default: every command)."""
    parser = argparse.ArgumentParser(
        prog="spillwatch",
        description="Watch government web sites for accidental disclosures of personal data. "
                    "Exit statuses: docs/cli.md.",
    )
    parser.add_argument("--version", action="version", version=f"spillwatch {__version__}")
    parser.add_argument("--config", metavar="FILE", help="YAML config file (env SPILLWATCH_CONFIG)")
    parser.add_argument("--data-dir", metavar="DIR", help="data folder (env SPILLWATCH_DATA_DIR; "
                        "default ./spillwatch-data)")
    parser.add_argument("-s", "--set", action="append", metavar="NAME=VALUE",
                        help="override any setting (see `spillwatch settings`); repeatable")
    sub = parser.add_subparsers(dest="command_name", metavar="COMMAND")
    for command in commands() if among is None else among:
        full = selected is None or command.name in selected
        command_parser = sub.add_parser(command.name, help=command.help,
                                        description=(command.describe() or None) if full else None)
        if full:
            command.add_arguments(command_parser)
        command_parser.set_defaults(command=command)
    return parser


def _command_index(argv: Sequence[str]) -> int | None:
    """Where in ``argv`` the command is: the first word that is neither a global option nor its value."""
    skip = False
    for index, word in enumerate(argv):
        if skip:
            skip = False
        elif word in _VALUE_OPTIONS:
            skip = True
        elif not word.startswith("-"):
            return index
    return None


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    try:
        status = _main(words)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
        return status
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return Exit.INTERRUPTED
    except BrokenPipeError:
        # the reader went away (`| head`): stop quietly; stdout points at /dev/null so that the
        # interpreter's last flush does not fail again (Python's documented recipe)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return Exit.BROKEN_PIPE


def _main(words: list[str]) -> int:
    index = _command_index(words)
    name = None if index is None else words[index]
    # the named command alone when its module is found by its name: `spillwatch scan` does not import
    # the other commands' modules; a misspelt name or `spillwatch --help NAME` gets the full parser,
    # which lists every command
    named = named_command(name) if name and not set(words[:index]) & {"-h", "--help"} else None
    parser = build_parser({name} if name else set(), [named] if named else None)
    args = parser.parse_args(words)
    command: Command | None = getattr(args, "command", None)
    if command is None:
        parser.print_help()
        return Exit.USAGE
    ctx = Context(args)
    try:
        return _run(command, ctx)
    finally:
        ctx.close()


def _run(command: Command, ctx: Context) -> int:
    import logging

    from core.errors import ConfigError, SpillwatchError
    from spillwatch.private_files import make_private, set_private_umask

    set_private_umask()  # before anything is created: new files 0600, folders 0700
    try:
        if command.needs_config:
            from core.logs import configure_logging

            settings = ctx.config().settings
            configure_logging(settings)
            if command.quiet_logs and settings.source("log_level") == "default":
                logging.getLogger().setLevel(logging.WARNING)
            make_private(ctx.config().settings.data_path)
        return command.run(ctx)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return Exit.USAGE
    except SpillwatchError as exc:
        logging.getLogger("spillwatch").debug("command failed", exc_info=True)
        print(f"error: {exc}", file=sys.stderr)
        return Exit.USAGE


if __name__ == "__main__":
    sys.exit(main())
