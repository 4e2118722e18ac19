"""``spillwatch serve [--host --port]``: the web UI and its separate replay origin."""

from __future__ import annotations

import argparse
import dataclasses
import signal
import sys
import threading
from types import FrameType
from typing import Any

from core.errors import ConfigError
from spillwatch.commands.base import Command, Context


class ServeCommand(Command):
    name = "serve"
    quiet_logs = False
    help = "serve the web UI and the replay origin"
    description = ("Serve the web UI (web_host:web_port) and, on its own origin, the replay of archived "
        "pages (replay_host:replay_port), until SIGINT/SIGTERM. Create the first user with `spillwatch users "
        "add NAME --role admin`. `spillwatch run` serves the same UI as part of the service.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--host", help="address of the UI (setting web_host)")
        parser.add_argument("--port", type=int, help="port of the UI (setting web_port)")
        parser.add_argument("--replay-host", help="address of the replay origin (setting replay_host; default: --host)")
        parser.add_argument("--replay-port", type=int, help="port of the replay origin (setting replay_port)")

    def run(self, ctx: Context) -> int:
        from core.catalog import open_catalog
        from web import create_app, create_replay_app
        from web.accounts import all_accounts
        from web.server import serve

        config = ctx.config()
        overrides: dict[str, Any] = {name: value for name, value in (
            ("web_host", ctx.args.host), ("web_port", ctx.args.port),
            ("replay_host", ctx.args.replay_host or ctx.args.host), ("replay_port", ctx.args.replay_port))
            if value is not None}
        settings = config.settings.replace(**overrides) if overrides else config.settings
        if settings.web_port == settings.replay_port and settings.web_host == settings.replay_host:
            raise ConfigError(["serve: the replay origin needs its own port; pass --replay-port or set replay_port"])
        config = dataclasses.replace(config, settings=settings)
        engine = open_catalog(settings)
        with engine.connect() as conn:
            if not all_accounts(conn):
                print("no users yet: create one with `spillwatch users add NAME --role admin`", file=sys.stderr)
        ui = create_app(config, engine=engine)
        replay = create_replay_app(config)
        try:
            servers = serve(ui, settings.web_host, settings.web_port, replay, settings.replay_host,
                            settings.replay_port, threads=int(settings.web_threads),
                            connection_limit=int(settings.web_connection_limit))
        except OSError as exc:
            raise ConfigError([f"serve: cannot listen ({exc.strerror or exc}); choose another --port/--replay-port "
                               "or stop what uses it"]) from None
        print(f"Spillwatch UI on {settings.effective_base_url} (listening on {servers.urls[0]}), "
              f"replay origin on {servers.urls[1]}", flush=True)
        stop = threading.Event()

        def _stop(_signum: int, _frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        stop.wait()
        servers.stop()
        engine.dispose()
        return 0
