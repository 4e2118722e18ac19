"""``spillwatch run``: the continuous service (scheduler, crawls, indexing, alerts, UI)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spillwatch.cli import Context


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "run",
        help="run the service: scheduled crawls, watch pages, indexing, alerts and the UI",
        description="Schedule each site's crawls and watch pages, index every finished WARC at once, send "
        "alerts continuously and serve the UI with /healthz and /metrics. One scheduler per catalog. "
        "SIGTERM stops it cleanly; a restart resumes pending work.",
    )
    parser.add_argument("--no-ui", action="store_true", help="do not serve the UI (healthz/metrics neither)")
    parser.set_defaults(handler=run)


def run(ctx: Context) -> int:
    from spillwatch.service.loop import Service

    return Service(ctx.config(), serve_http=not ctx.args.no_ui).run_forever()
