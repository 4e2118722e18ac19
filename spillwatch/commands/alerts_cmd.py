"""``spillwatch alerts test|list|retry|dispatch``: the alert outbox from the command line."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any

from core.errors import ConfigError
from spillwatch.commands.base import Command, Context

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from core.config import Config


class AlertsCommand(Command):
    name = "alerts"
    help = "test alert routes, list and retry deliveries"
    description = ("Alert channels have a kind: {kinds} (the same word as alerts.channels[].kind in the "
        "config). Deliveries live in the catalog's outbox; the service's dispatcher sends them, with "
        "retries, and dead-letters those that keep failing.")

    def describe(self) -> str:
        from alerts.notifiers import NOTIFIERS  # the registry: imported only for this command's help

        return self.description.format(kinds=", ".join(NOTIFIERS))

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="alerts_command", metavar="ACTION", required=True)

        test = actions.add_parser("test", help="send a clearly marked test message through a route",
                                  description="Send a test message (marked TEST, synthetic finding) on every "
                                  "channel of one route, or of every route, now; print what happened.")
        test.add_argument("--route", metavar="NAME", help="route name from alerts.routes (default: every route)")
        test.set_defaults(handler=run_test)

        listing = actions.add_parser("list", help="list recent deliveries",
                                     description="Most recent deliveries first: id, status, attempts, event, "
                                     "route, channel, finding, next attempt and last error.")
        listing.add_argument("--failed", action="store_true", help="only failed and dead (dead-letter) deliveries")
        listing.add_argument("--limit", type=int, default=50, metavar="N", help="how many (default 50)")
        listing.add_argument("--json", action="store_true", help="one JSON object per line")
        listing.set_defaults(handler=run_list)

        again = actions.add_parser("retry", help="send failed or dead deliveries again",
                                   description="Reset failed/dead deliveries to pending with a fresh attempt "
                                   "budget and try them once now (the service keeps retrying).")
        again.add_argument("ids", nargs="*", type=int, metavar="ID", help="delivery ids (see `alerts list`)")
        again.add_argument("--all-failed", action="store_true", help="every failed and dead delivery")
        again.add_argument("--no-send", action="store_true", help="only reset; leave sending to the service")
        again.set_defaults(handler=run_retry)

        dispatch = actions.add_parser("dispatch", help="send due deliveries (once, or until interrupted)",
                                      description="Run the dispatcher without the full service: one pass, or "
                                      "with --forever until SIGINT/SIGTERM.")
        dispatch.add_argument("--forever", action="store_true", help="keep dispatching until interrupted")
        dispatch.set_defaults(handler=run_dispatch)


def _status_lines(engine: Any, ids: list[int]) -> list[str]:
    from core.catalog.schema import deliveries

    with engine.connect() as conn:
        rows = conn.execute(deliveries.select().where(deliveries.c.id.in_(ids)).order_by(deliveries.c.id))
        out = []
        for row in rows:
            line = f"delivery {row.id}: route {row.route} → channel {row.channel} ({row.notifier}): {row.status}"
            if row.status != "sent" and row.last_error:
                line += f" — {row.last_error}"
            out.append(line)
    return out


def run_test(ctx: Context) -> int:
    from alerts.outbox import enqueue_test

    config = ctx.config()
    engine = ctx.catalog()
    try:
        with engine.begin() as conn:
            ids = enqueue_test(conn, config, ctx.args.route)
    except LookupError as exc:
        raise ConfigError([f"alerts test: {exc}"]) from None
    return _send_now(ctx, engine, config, ids)


def _send_now(ctx: Context, engine: Engine, config: Config, ids: list[int]) -> int:
    """Dispatch these deliveries at once and print how each went; 0 when all were sent."""
    from alerts.dispatcher import Dispatcher

    dispatcher = Dispatcher(engine, config, environ=ctx.environ)
    try:
        dispatcher.run_once(only_ids=ids)
    finally:
        dispatcher.close()
    lines = _status_lines(engine, ids)
    print("\n".join(lines))
    return 0 if all(": sent" in line for line in lines) else 1


def _row_dict(row: Any) -> dict[str, Any]:
    return {
        "id": row.id, "status": row.status, "attempts": row.attempts, "event": row.event, "route": row.route,
        "channel": row.channel, "notifier": row.notifier, "finding_id": row.finding_id,
        "created_at": str(row.created_at), "next_attempt_at": str(row.next_attempt_at),
        "sent_at": str(row.sent_at) if row.sent_at else None, "last_error": row.last_error,
    }


def run_list(ctx: Context) -> int:
    from alerts.outbox import list_deliveries

    engine = ctx.catalog()
    with engine.connect() as conn:
        rows = list_deliveries(conn, failed_only=ctx.args.failed, limit=ctx.args.limit)
    if ctx.args.json:
        for row in rows:
            print(json.dumps(_row_dict(row)))
        return 0
    if not rows:
        print("no failed deliveries" if ctx.args.failed else "no deliveries")
        return 0
    print(f"{'id':>6} {'status':<8} {'try':>3} {'event':<10} {'route':<16} {'channel':<16} {'finding':>7}  "
          "next attempt / sent             last error")
    for row in rows:
        when = row.sent_at if row.status == "sent" else row.next_attempt_at
        when_text = str(when)[:19] if when else ""
        finding = "" if row.finding_id is None else str(row.finding_id)
        print(f"{row.id:>6} {row.status:<8} {row.attempts:>3} {row.event:<10} {row.route[:16]:<16} "
              f"{row.channel[:16]:<16} {finding:>7}  {when_text:<32} {row.last_error[:80]}")
    return 0


def run_retry(ctx: Context) -> int:
    args = ctx.args
    if bool(args.ids) == bool(args.all_failed):
        raise ConfigError(["alerts retry: give delivery ids or --all-failed (not both); see `spillwatch "
                           "alerts list --failed`"])
    from alerts.outbox import retry

    config = ctx.config()
    engine = ctx.catalog()
    with engine.begin() as conn:
        reset = retry(conn, ids=args.ids or None, all_failed=args.all_failed)
    if not reset:
        print("nothing to retry (only failed, dead or pending deliveries can be retried)")
        return 1 if args.ids else 0
    print(f"reset {len(reset)} deliver{'y' if len(reset) == 1 else 'ies'}: {', '.join(map(str, reset))}")
    if args.no_send:
        return 0
    return _send_now(ctx, engine, config, reset)


def run_dispatch(ctx: Context) -> int:
    from alerts.dispatcher import Dispatcher

    config = ctx.config()
    engine = ctx.catalog()
    dispatcher = Dispatcher(engine, config, environ=ctx.environ)
    if not ctx.args.forever:
        stats = dispatcher.run_once()
        dispatcher.close()
        print(f"sent {stats.sent}, failed {stats.failed}, dead {stats.dead}, deferred {stats.deferred}, "
              f"rate-limited {stats.rate_limited}")
        return 0
    stop = threading.Event()

    def _stop(_signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print("dispatching alerts; stop with Ctrl-C", file=sys.stderr)
    dispatcher.run_forever(stop)
    return 0
