"""``spillwatch disclosure contacts|sweep|draft|report``: where to report, which public archives hold
copies, the message to the publisher, and recording the report (docs/disclosure.md)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from spillwatch.commands.base import Command, Context

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from core.catalog.incidents import Incident


def _incident(conn: Connection, incident_id: int) -> Incident:
    from core.catalog.incidents import get_incident

    incident = get_incident(conn, incident_id)
    if incident is None:
        raise LookupError(f"incident {incident_id} does not exist; the UI's Incidents page lists them")
    return incident


def _contacts(ctx: Context) -> int:
    from disclosure import contacts

    config = ctx.config()
    with ctx.catalog().begin() as conn:
        found = contacts.refresh(conn, config.site(ctx.args.site), datetime.now(UTC))
    for contact in found:
        notes = f" ({'; '.join(contact.problems)})" if contact.problems else ""
        print(f"{contact.source:12} {contact.contact}{notes}")
    if not found:
        print(f"no contact for {ctx.args.site}: no security.txt captured and no disclosure_contact configured")
    return 0


def _sweep(ctx: Context) -> int:
    from disclosure import mirrors
    from disclosure.guarded_get import GuardedGet

    config = ctx.config()
    if not config.disclosure.mirrors:
        print("spillwatch disclosure sweep: no archives configured; list them under disclosure.mirrors",
              file=sys.stderr)
        return 2
    with ctx.catalog().begin() as conn:
        url = _incident(conn, ctx.args.incident).url
        allow = config.disclosure.allow_private_addresses
        with GuardedGet(timeout=config.settings.mirror_timeout, allow_private=allow,
                        user_agent=config.settings.effective_user_agent) as getter:
            results = mirrors.sweep(conn, getter, config.disclosure.mirrors, url, datetime.now(UTC))
    for result in results:
        state = f"error: {result.error}" if result.error else f"{len(result.copies)} cop(ies)"
        print(f"{result.archive}: {state}")
        for copy in result.copies:
            print(f"  {copy.timestamp} {copy.memento_url or copy.original}")
    return 1 if any(r.error for r in results) else 0


def _draft(ctx: Context) -> int:
    from disclosure.notify import draft

    with ctx.catalog().connect() as conn:
        message = draft(conn, ctx.config(), ctx.args.incident)
    print(f"To: {', '.join(message.recipients) or '(no e-mail contact known)'}")
    if message.other_contacts:
        print(f"Other contacts: {', '.join(message.other_contacts)}")
    print(f"Subject: {message.subject}\n\n{message.body}")
    return 0


def _report(ctx: Context) -> int:
    from disclosure.notify import NotifyError, draft, record_by_hand, send_email

    args, config = ctx.args, ctx.config()
    with ctx.catalog().begin() as conn:
        message = draft(conn, config, args.incident)
        recipients = args.to or message.recipients
        try:
            if args.by_hand:
                record_by_hand(conn, message, recipients, None, args.note)
            else:
                send_email(conn, config, message, recipients, None)
        except NotifyError as exc:
            print(f"spillwatch disclosure report: {exc}", file=sys.stderr)
            return 2
    print(f"incident {args.incident} reported ({'by hand' if args.by_hand else 'by e-mail'} to "
          f"{', '.join(recipients) or 'the publisher'})")
    return 0


class DisclosureCommand(Command):
    name = "disclosure"
    help = "where to report a leak, copies in public archives, the message to the publisher"
    description = ("The disclosure workflow: `contacts SITE` reads the site's security.txt contacts; `sweep "
                   "--incident N` asks the archives under disclosure.mirrors for copies; `draft --incident N` "
                   "prints the message to the publisher (masked); `report --incident N` sends it by e-mail (or "
                   "--by-hand records that it was sent another way) and marks the incident reported.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        contacts = actions.add_parser("contacts", help="the site's contacts (security.txt, config)")
        contacts.add_argument("site", metavar="SITE")
        contacts.set_defaults(handler=_contacts)
        for name, handler, text in (("sweep", _sweep, "ask public archives for copies of the incident's file"),
                                    ("draft", _draft, "print the message to the publisher"),
                                    ("report", _report, "send the message (or record it sent by hand)")):
            action = actions.add_parser(name, help=text)
            action.add_argument("--incident", type=int, required=True, metavar="ID")
            action.set_defaults(handler=handler)
            if name == "report":
                action.add_argument("--to", action="append", metavar="ADDRESS", help="recipient (repeatable; "
                                    "default: the site's e-mail contacts)")
                action.add_argument("--by-hand", action="store_true", help="record it as reported another way")
                action.add_argument("--note", default="", help="how it was reported (ticket number, form…)")

    def run(self, ctx: Context) -> int:
        try:
            return super().run(ctx)
        except LookupError as exc:
            print(f"spillwatch disclosure: {exc}", file=sys.stderr)
            return 2
