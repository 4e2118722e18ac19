"""``spillwatch purge FINDING_ID... | --closed-before DATE``: remove leaked payloads from the WARC files,
the search index and extracted text, keeping their digests as evidence (see :mod:`indexer.purge`)."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime

from core.errors import ConfigError
from spillwatch.commands.base import Command, Context


class PurgeCommand(Command):
    name = "purge"
    help = "remove the payloads of findings from WARC files and the search index (audited)"
    description = ("Remove every archived copy of the files behind findings: each WARC record is replaced by "
        "a metadata record keeping its digests, length and the reason; the search documents (extracted text) "
        "are deleted; the findings, their masked samples and the digests stay as evidence. Indexing the files "
        "again brings nothing back. Written to the audit log.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("finding_ids", nargs="*", type=int, metavar="FINDING_ID", help="findings to purge")
        parser.add_argument("--closed-before", metavar="DATE",
                            help="purge every finding dismissed or removed before this date (YYYY-MM-DD)")
        parser.add_argument("--reason", default="", help="why (kept in the metadata records and the audit log)")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def run(self, ctx: Context) -> int:
        from core.catalog import open_catalog
        from indexer.purge import PurgeError, closed_before, purge_findings
        from indexer.search import open_search

        args = ctx.args
        if bool(args.finding_ids) == bool(args.closed_before):
            raise ConfigError(["purge: give FINDING_ID(s) or --closed-before DATE (one of them)"])
        settings = ctx.config().settings
        engine = open_catalog(settings)
        ids = list(args.finding_ids)
        if args.closed_before:
            try:
                before = datetime.strptime(args.closed_before, "%Y-%m-%d").replace(tzinfo=UTC)
            except ValueError:
                raise ConfigError([f"purge: --closed-before {args.closed_before!r}: expected YYYY-MM-DD"]) from None
            with engine.connect() as conn:
                ids = closed_before(conn, before)
            if not ids:
                print(f"no closed finding to purge before {args.closed_before}")
                return 0
        if not args.yes and sys.stdin.isatty():
            answer = input(f"purge the archived payloads of {len(ids)} finding(s) ({', '.join(map(str, ids[:20]))})? "
                           "This cannot be undone [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                print("nothing purged")
                return 1
        search = open_search(settings)
        try:
            result = purge_findings(engine, search, settings.data_path, ids, who=f"cli:{getpass.getuser()}",
                                    reason=args.reason or "purged with spillwatch purge")
        except PurgeError as exc:
            raise ConfigError([f"purge: {exc}"]) from None
        finally:
            search.close()
            engine.dispose()
        for problem in result.problems:
            print(f"purge: {problem}", file=sys.stderr)
        print(f"purged {result.records} record(s) in {result.warc_files} WARC file(s) and {result.documents} search "
              f"document(s) of {len(result.findings)} finding(s)")
        return 2 if result.problems else 0
