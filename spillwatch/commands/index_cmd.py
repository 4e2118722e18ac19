"""``spillwatch index PATH...``: index WARC/ARC files (or folders of them) into the catalog and the
search index, with a progress bar and a summary."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from spillwatch.commands.base import Command, Context
from spillwatch.exit_codes import Exit

SHOWN_PROBLEMS = 20


def archives_named(paths: list[str]) -> tuple[list[str], int]:
    """The paths worth indexing, and how many were refused: a path that does not exist, or a file
    named on the command line that is no WARC, ARC or WACZ (a CSV, a spreadsheet…), each with one
    line on stderr saying what to do instead.  Folders are walked by the indexer, which picks
    archives by their names."""
    from indexer.archive_sniff import archive_kind, describe_head

    kept: list[str] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            kept.append(raw)
        elif not path.exists():
            print(f"index: {raw}: no such file or folder; pass WARC/ARC/WACZ files or folders holding them",
                  file=sys.stderr)
        elif path.is_file() and archive_kind(path) is None:
            print(f"index: {raw} is not a WARC, ARC or WACZ file (it starts with {describe_head(path)}); "
                  f"to look for lists of people in any file use `spillwatch scan {raw}`", file=sys.stderr)
        else:
            kept.append(raw)
    return kept, len(paths) - len(kept)


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
        "Exit status: 0 every file was read (record problems included), 1 some file failed or was not an "
        "archive, 2 nothing named could be indexed, or the catalog or search backend failed.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="WARC/ARC/WACZ file or folder")
        parser.add_argument("--crawl-id", type=int, help="catalog crawl id the files belong to")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")

    def run(self, ctx: Context) -> int:
        from indexer.pipeline import index_paths

        paths, refused = archives_named(ctx.args.paths)
        if not paths:
            return Exit.USAGE
        summary = index_paths(paths, ctx.config(), ctx.catalog(), ctx.search(), crawl_id=ctx.args.crawl_id,
                              progress=not ctx.args.no_progress and not ctx.args.json)
        # nothing could be read (a bad WACZ or unreadable file named alone): the run failed
        nothing_read = not (summary.files or summary.files_skipped or summary.files_failed) and summary.errors > 0
        status = Exit.USAGE if nothing_read else Exit.ATTENTION if summary.files_failed or refused else Exit.OK
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
