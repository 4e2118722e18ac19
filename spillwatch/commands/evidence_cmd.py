"""``spillwatch evidence keygen KEYFILE | build``: the signing key, and an incident's signed,
time-stamped evidence package with its printable report (:mod:`disclosure.package`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from spillwatch.commands.base import Command, Context


def _keygen(ctx: Context) -> int:
    from disclosure.signing import SigningError, fingerprint, generate_key

    try:
        public = generate_key(ctx.args.keyfile)
    except (SigningError, OSError) as exc:
        print(f"spillwatch evidence keygen: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {ctx.args.keyfile} (mode 0600); set evidence_signing_key to it")
    print(f"public key: {public}\nfingerprint: {fingerprint(public)}")
    return 0


def _build(ctx: Context) -> int:
    from core.catalog.incidents import get_incident
    from disclosure.evidence import package_info
    from disclosure.package import build_for_url, capture_rows, gather, render_report
    from disclosure.signing import SigningError
    from disclosure.timestamping import TimestampError
    from indexer.wacz_export import ExportError

    args, config = ctx.args, ctx.config()
    engine = ctx.catalog()
    with engine.connect() as conn:
        url, title = args.url, ""
        if args.incident is not None:
            incident = get_incident(conn, args.incident)
            if incident is None:
                print(f"spillwatch evidence: incident {args.incident} does not exist", file=sys.stderr)
                return 2
            url, title = incident.url, f"Incident {incident.id}: {incident.url}"
        try:
            summary = build_for_url(conn, config, url, args.output, title=title, incident_id=args.incident,
                                    meta={"incident": args.incident} if args.incident is not None else None)
        except (LookupError, SigningError, TimestampError, ExportError) as exc:
            print(f"spillwatch evidence: {exc}", file=sys.stderr)
            return 2
        if args.report:
            context = gather(conn, config, url, title=title, incident_id=args.incident)
            rows = capture_rows(conn, context.subject.capture_ids)
            args.report.write_text(render_report(context, rows, package_info(summary)), encoding="utf-8")
    stamp = f"time-stamped {summary.stamped_at:%Y-%m-%d %H:%M:%S} UTC" if summary.stamped_at else "NOT time-stamped"
    print(f"wrote {summary.path}: {summary.records} record(s), signed (key {summary.fingerprint}), {stamp}; "
          f"datapackage {summary.digest}")
    for problem in summary.skipped:
        print(f"  - not included: {problem}", file=sys.stderr)
    return 0


class EvidenceCommand(Command):
    name = "evidence"
    help = "signed, time-stamped evidence packages of incidents"
    description = ("Evidence of a disclosure: `keygen KEYFILE` writes the Ed25519 signing key; `build` writes a "
                   "WACZ of an incident's captures (the file, its linking page before and after, the removal "
                   "proof) with the printable report, signed with evidence_signing_key and time-stamped by "
                   "evidence_tsa_url. Check it with `spillwatch verify`.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        keygen = actions.add_parser("keygen", help="write a new Ed25519 signing key (PEM, mode 0600)")
        keygen.add_argument("keyfile", type=Path, metavar="KEYFILE")
        keygen.set_defaults(handler=_keygen)
        build = actions.add_parser("build", help="the evidence package of an incident (or of a file URL)")
        which = build.add_mutually_exclusive_group(required=True)
        which.add_argument("--incident", type=int, metavar="ID", help="the incident")
        which.add_argument("--url", help="a file URL (every capture of it in the catalog)")
        build.add_argument("-o", "--output", type=Path, required=True, help="the .wacz to write")
        build.add_argument("--report", type=Path, metavar="HTML",
                           help="also write the printable report (with the package's digest) here")
        build.set_defaults(handler=_build)
