"""``spillwatch run``: the continuous service (scheduler, crawls, indexing, alerts, UI)."""

from __future__ import annotations

import argparse

from spillwatch.commands.base import Command, Context


class RunCommand(Command):
    name = "run"
    quiet_logs = False
    help = "run the service: scheduled crawls, watch pages, indexing, alerts and the UI"
    description = ("Schedule each site's crawls and watch pages, index every finished WARC at once, send "
        "alerts continuously and serve the UI with /healthz and /metrics. One scheduler per catalog. "
        "SIGTERM stops it cleanly; a restart resumes pending work.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--no-ui", action="store_true", help="do not serve the UI (healthz/metrics neither)")

    def run(self, ctx: Context) -> int:
        from spillwatch.service.loop import Service

        config = ctx.config()
        if config.settings.queue == "procrastinate":  # a SQLite catalog is refused before anything starts
            from spillwatch.jobs.tasks import conninfo

            conninfo(config.settings.catalog_url)
        return Service(config, serve_http=not ctx.args.no_ui).run_forever()
