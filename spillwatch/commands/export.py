"""``spillwatch export cdxj|wacz``: the archive for other tools — a CDXJ index of the captures (pywb's
format, sorted by SURT) or a WACZ of a site, a crawl, a time range or a finding's captures."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from spillwatch.commands.base import Command, Context


def _selection_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--site", help="captures of this configured site id")
    parser.add_argument("--crawl", type=int, metavar="ID", help="captures of this crawl")
    parser.add_argument("--from", dest="start", metavar="TIME", help="captured at or after (YYYY[MMDD[hhmmss]])")
    parser.add_argument("--to", dest="end", metavar="TIME", help="captured at or before (YYYY[MMDD[hhmmss]])")
    parser.add_argument("--url", help="captures of this URL (with --match-type, of a prefix, host or domain)")
    parser.add_argument("--match-type", default="exact", choices=("exact", "prefix", "host", "domain"))
    parser.add_argument("--finding", type=int, metavar="ID",
                        help="the captures of this finding's file (every capture of the same payload)")


class ExportCommand(Command):
    name = "export"
    help = "export captures as CDXJ or WACZ for other archive tools"
    description = ("Export the archive for other tools: a CDXJ index (pywb's format) or a "
                            "WACZ (ReplayWeb.page, pywb) of all captures or of a site, crawl, time range, URL "
                            "or finding.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        kinds = parser.add_subparsers(dest="kind", metavar="KIND", required=True)
        cdxj = kinds.add_parser("cdxj", help="one CDXJ line per capture, sorted by SURT then time",
                                description="Print (or write with -o) a CDXJ index of the selected captures: "
                                "'SURT TIMESTAMP {json}' as pywb and cdxj-indexer write it.")
        _selection_options(cdxj)
        cdxj.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")
        cdxj.add_argument("--relative-to", type=Path, metavar="DIR",
                          help="write WARC file names relative to DIR (e.g. a pywb collection's archive folder)")
        cdxj.add_argument("--warcs", type=Path, metavar="DIR",
                          help="copy the WARC files the index names into DIR (streamed down from S3 when not on "
                          "this machine) and write their names relative to DIR")
        cdxj.set_defaults(handler=run)
        wacz = kinds.add_parser("wacz", help="a WACZ of the selected captures (py-wacz)",
                                description="Write a WACZ holding the WARC records of the selected captures (and "
                                "the originals of their revisits), with pages.jsonl, a CDXJ index and "
                                "datapackage.json; checked with `wacz validate`.")
        _selection_options(wacz)
        wacz.add_argument("-o", "--output", type=Path, required=True, help="the .wacz file to write")
        wacz.add_argument("--title", default="", help="title of the collection")
        wacz.set_defaults(handler=run)


def _query(conn: Any, args: argparse.Namespace) -> tuple[Any, str]:
    from sqlalchemy import select

    from core.catalog.schema import captures, findings
    from indexer.cdxj import CdxQuery, parse_timestamp, sort_order

    what: list[str] = []
    if args.url:
        query = CdxQuery(url=args.url, match_type=args.match_type, limit=None).select(conn.dialect.name)
        what.append(f"{args.match_type} {args.url}")
    else:
        query = select(captures).order_by(*sort_order(conn.dialect.name))
    if args.site:
        query = query.where(captures.c.site_id == args.site)
        what.append(f"site {args.site}")
    if args.crawl is not None:
        query = query.where(captures.c.crawl_id == args.crawl)
        what.append(f"crawl {args.crawl}")
    if args.start:
        query = query.where(captures.c.captured_at >= parse_timestamp(args.start, "--from"))
        what.append(f"from {args.start}")
    if args.end:
        query = query.where(captures.c.captured_at <= parse_timestamp(args.end, "--to", end=True))
        what.append(f"to {args.end}")
    if args.finding is not None:
        row = conn.execute(select(findings.c.capture_id, findings.c.payload_digest)
                           .where(findings.c.id == args.finding)).first()
        if row is None:
            raise LookupError(f"finding {args.finding} does not exist; `spillwatch search` or the UI lists them")
        same = captures.c.id == row.capture_id
        if row.payload_digest:
            same = same | (captures.c.payload_digest == row.payload_digest)
        query = query.where(same)
        what.append(f"finding {args.finding}")
    return query, ", ".join(what) or "all captures"


def _copy_warcs(conn: Any, query: Any, dest: Path, settings: Any) -> dict[str, str]:
    """``--warcs DIR``: copy the files the selection names into DIR; their new names."""
    from sqlalchemy import select

    from core.warc_store import remote_store
    from indexer.export_warcs import copy_warcs

    selected = query.order_by(None).subquery()
    paths = list(conn.execute(select(selected.c.warc_file).distinct()).scalars())
    copied = copy_warcs(sorted(paths), dest, settings.data_path, remote_store(settings))
    for problem in copied.problems:
        print(f"  - {problem}", file=sys.stderr)
    print(f"{copied.copied} WARC file(s) copied to {dest}", file=sys.stderr)
    return copied.names


def run(ctx: Context) -> int:
    from core.catalog import open_catalog
    from core.warc_store import remote_store
    from indexer.cdxj import CdxQueryError, export_lines
    from indexer.wacz_export import ExportError, export_wacz, validate_wacz

    args = ctx.args
    settings = ctx.config().settings
    engine = open_catalog(settings)
    try:
        with engine.connect() as conn:
            query, source = _query(conn, args)
            if args.kind == "cdxj":
                names = _copy_warcs(conn, query, args.warcs, settings) if args.warcs else None
                out = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
                count = 0
                for line in export_lines(conn, query, args.relative_to, names):
                    out.write(line + "\n")
                    count += 1
                if args.output:
                    out.close()
                print(f"{count} capture(s) of {source}", file=sys.stderr)
                return 0
            summary = export_wacz(conn, query, args.output, source=source, title=args.title,
                                  store=remote_store(settings))
        validate_wacz(args.output)
    except (CdxQueryError, ExportError, LookupError) as exc:
        print(f"spillwatch export: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(f"wrote {summary.path}: {summary.records} record(s), {summary.pages} page(s) of {source}; "
          "wacz validate passed")
    for problem in summary.skipped:
        print(f"  - not exported: {problem}", file=sys.stderr)
    return 0
