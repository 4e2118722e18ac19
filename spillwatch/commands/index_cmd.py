"""``spillwatch index PATH...``: index WARC/ARC files (or folders of them) into the catalog and the
search index, with a progress bar and a summary."""

from __future__ import annotations

import argparse
import json
import sys

from spillwatch.commands.base import Command, Context

SHOWN_PROBLEMS = 20


class IndexCommand(Command):
    name = "index"
    help = "index WARC/ARC/WACZ files into the catalog and the search index"
    description = ("Read WARC/ARC files (gzip or plain, from any crawler; also the WARCs inside WACZ files) "
        "and record captures, versions "
        "and changes per URL, findings and search documents. Folders are searched recursively; files "
        "still being written (*.open) are left for later. Safe to repeat: indexed files are skipped and an "
        "interrupted run resumes where it stopped. A broken record is reported (file, offset, what is "
        "wrong, how to fix it) and skipped; the rest of the file is indexed. A file that cannot be read "
        "at all, or whose run stops on an internal error, is reported and the other files are indexed. "
        "Exit status: 0 every file was read (record problems included), 1 some file failed, 2 the run "
        "could not start or the catalog or search backend failed.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="WARC/ARC/WACZ file or folder")
        parser.add_argument("--crawl-id", type=int, help="catalog crawl id the files belong to")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")

    def run(self, ctx: Context) -> int:
        from indexer.pipeline import index_paths

        summary = index_paths(ctx.args.paths, ctx.config(), ctx.catalog(), ctx.search(), crawl_id=ctx.args.crawl_id,
                              progress=not ctx.args.no_progress and not ctx.args.json)
        # nothing could be read (a bad WACZ or unreadable file named alone): the run failed
        nothing_read = not (summary.files or summary.files_skipped or summary.files_failed) and summary.errors > 0
        status = 2 if nothing_read else 1 if summary.files_failed else 0
        if ctx.args.json:
            print(json.dumps(summary.to_dict(), default=str))
            return status
        s = summary
        failed = f", {s.files_failed} failed" if s.files_failed else ""
        print(f"indexed {s.files} file(s) ({s.files_skipped} already indexed{failed}) in {s.seconds:.1f}s: "
              f"{s.records} records, {s.captures} captures")
        print(f"  URLs: {s.new} new, {s.changed} changed, {s.unchanged} unchanged (insignificant change), "
              f"{s.removed} removed, {s.reappeared} reappeared; {s.documents_linked} new document link(s)")
        print(f"  findings: {s.findings} new; search documents: {s.documents}")
        print(f"  errors: {s.errors} record(s) skipped, {s.warnings} warning(s)")
        for problem in s.problems[:SHOWN_PROBLEMS]:
            print(f"  - {problem}", file=sys.stderr)
        if len(s.problems) > SHOWN_PROBLEMS:
            print(f"  … and {len(s.problems) - SHOWN_PROBLEMS} more (see warc_files.errors in the catalog)",
                  file=sys.stderr)
        return status
