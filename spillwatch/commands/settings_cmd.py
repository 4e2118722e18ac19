"""``spillwatch settings``: the settings table with defaults, or the effective values and sources."""

from __future__ import annotations

import argparse
import json

from spillwatch.commands.base import Command, Context


class SettingsCommand(Command):
    name = "settings"
    help = "list every setting, its default and help, or the effective values"
    description = ("Without options: the settings table. --effective: the resolved values (secrets "
        "masked) and where each came from (default, config file, env, command line).")
    needs_config = False

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--effective", action="store_true", help="show resolved values and sources")
        parser.add_argument("--markdown", action="store_true", help="print the table as Markdown (for docs)")
        parser.add_argument("--json", action="store_true", help="machine-readable output")

    def run(self, ctx: Context) -> int:
        from core.settings import SETTINGS

        args = ctx.args
        if args.effective:
            settings = ctx.config().settings
            values = settings.redacted()
            if args.json:
                print(json.dumps({n: {"value": v, "source": settings.source(n)} for n, v in values.items()},
                                 indent=2, default=str))
            else:
                for name, value in values.items():
                    print(f"{name} = {value!r}  ({settings.source(name)})")
            return 0
        if args.json:
            print(json.dumps([{"name": s.name, "env": s.env_var, "default": s.default, "secret": s.secret,
                               "help": s.help} for s in SETTINGS], indent=2))
        elif args.markdown:
            print("| setting | environment | default | description |")
            print("|---|---|---|---|")
            for s in SETTINGS:
                default = "(secret, env only)" if s.secret else f"`{s.default}`"
                print(f"| `{s.name}` | `{s.env_var}` | {default} | {s.help} |")
        else:
            for s in SETTINGS:
                flag = "  [secret: environment only]" if s.secret else ""
                print(f"{s.name}  (env {s.env_var}, default {s.default!r}){flag}\n    {s.help}")
        return 0
