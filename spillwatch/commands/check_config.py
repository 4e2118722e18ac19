"""``spillwatch check-config [FILE]``: validate a config file and list every problem."""

from __future__ import annotations

import argparse
import sys

from core.errors import ConfigError
from spillwatch.commands.base import Command, Context


class CheckConfigCommand(Command):
    name = "check-config"
    help = "validate a config file"
    description = ("Validate a config file: print each problem as file:line: key.path: message and "
        "exit 2 if there is any, else summarise it and exit 0.")
    needs_config = False

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("file", nargs="?", help="config file (default: --config or SPILLWATCH_CONFIG)")

    def run(self, ctx: Context) -> int:
        from core.config import load_config

        path = ctx.args.file or ctx.args.config or ctx.environ.get("SPILLWATCH_CONFIG")
        if not path:
            raise ConfigError(["check-config: no file given; pass FILE, --config FILE or set SPILLWATCH_CONFIG"])
        try:
            config = load_config(path, ctx.environ, ctx.cli_settings())
        except ConfigError as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            print(f"{path}: {len(exc.problems)} problem(s)", file=sys.stderr)
            return 2
        from web.origins import shared_host_warning

        warning = shared_host_warning(config.settings)
        if warning:
            print(f"{path}: {warning}", file=sys.stderr)
        routes = len(config.alerts.routes)
        channels = len(config.alerts.channels)
        print(f"{path}: ok — {len(config.sites)} site(s), {channels} alert channel(s), {routes} route(s)")
        return 0
