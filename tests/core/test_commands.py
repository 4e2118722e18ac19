"""Commands are classes found by the CLI: every module of spillwatch/commands defines one, each name
is used once, and the README's command table names every command."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from spillwatch import commands as command_modules
from spillwatch.cli import build_parser, commands
from spillwatch.commands.base import Command

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_command_module_defines_a_command() -> None:
    for info in pkgutil.iter_modules(command_modules.__path__):
        if info.name == "base":
            continue
        module = importlib.import_module(f"{command_modules.__name__}.{info.name}")
        defined = [o for o in vars(module).values()
                   if isinstance(o, type) and issubclass(o, Command) and o.__module__ == module.__name__]
        assert len(defined) == 1, f"{info.name}: define one Command subclass"


def test_names_are_unique_and_documented() -> None:
    names = [command.name for command in commands()]
    assert len(names) == len(set(names)) and len(names) >= 13
    help_text = build_parser().format_help()
    for name in names:
        assert f"`spillwatch {name}" in README, f"README's command table lacks `spillwatch {name}`"
        assert name in help_text
