"""``spillwatch search QUERY``: full-text search over every archived capture, with highlights.

Masked like the UI shows it to viewers (the query matches the documents' viewer view only, see
:mod:`indexer.search.masking`) unless ``--unmasked``, which is written to the audit log with the
local user's name and the captures with findings it matched.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from core.models import Severity
from spillwatch.commands.base import Command, Context
from spillwatch.exit_codes import Exit

if TYPE_CHECKING:
    from core.settings import Settings
    from indexer.search import SearchHit

# Short names accepted by --type, as in the config's follow_types.
TYPE_NAMES = {
    "html": "text/html",
    "pdf": "application/pdf",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "json": "application/json",
    "txt": "text/plain",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "zip": "application/zip",
}


class SearchCommand(Command):
    name = "search"
    help = "search the archived captures"
    description = ('Search every archived capture. All words must match; "quoted phrases" match as '
        "phrases; word* is a prefix; -word excludes. Accents and case do not matter.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("query", help="search words")
        parser.add_argument("--site", action="append", default=[], metavar="S", help="only this site (repeatable)")
        parser.add_argument("--type", action="append", default=[], metavar="T",
                            help=f"only this media type or short name ({', '.join(TYPE_NAMES)}); repeatable")
        parser.add_argument("--severity", action="append", default=[], choices=Severity.names(),
                            help="only captures with a finding of this severity (repeatable)")
        parser.add_argument("--has-finding", action="store_true", help="only captures with a finding")
        parser.add_argument("--sort", default="relevance", choices=("relevance", "newest", "oldest"))
        parser.add_argument("--page", type=int, default=1)
        parser.add_argument("--per-page", type=int, default=20)
        parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
        parser.add_argument("--unmasked", action="store_true",
                            help="match and show unmasked text, also of documents with findings (audited)")

    def run(self, ctx: Context) -> int:
        from indexer.search import SearchQuery, open_search

        args = ctx.args
        try:
            query = SearchQuery(
                text=args.query, sites=tuple(args.site),
                media_types=tuple(TYPE_NAMES.get(t.lower(), t.lower()) for t in args.type),
                severities=tuple(args.severity), has_finding=True if args.has_finding else None,
                sort=args.sort, page=args.page, per_page=args.per_page, masked=not args.unmasked,
            )
        except ValueError as exc:
            print(f"search: {exc}", file=sys.stderr)
            return 2
        settings = ctx.config().settings
        missing = missing_archive(settings)
        if missing:
            print(f"search: {missing}", file=sys.stderr)
            return Exit.USAGE
        search = open_search(settings)
        try:
            result = search.search(query)
        finally:
            search.close()
        if args.unmasked:
            _audit(ctx, result.hits)
        if args.json:
            print(json.dumps({"total": result.total, "total_exact": result.total_exact,
                              "ranked_among": result.ranked_among, "page": result.page, "pages": result.pages,
                              "hits": [hit_dict(h) for h in result.hits], "facets": result.facets}))
            return 0 if result.total else 1
        marks = ("\033[1m", "\033[0m") if sys.stdout.isatty() else ("[", "]")
        print(f"{result.total_label} capture(s) match; page {result.page} of {result.pages}")
        if result.scope_note:
            print(result.scope_note)
        for hit in result.hits:
            flag = f"  FINDING {hit.severity}" if hit.has_finding else ""
            print(f"\n{hit.captured_at:%Y-%m-%d %H:%M} {hit.site}  {hit.media_type}{flag}")
            print(f"  {hit.title}")
            print(f"  {hit.url}")
            for segments in hit.highlights:
                print("    " + " ".join(_highlight(segments, marks).split()))
        return 0 if result.total else 1


def missing_archive(settings: Settings) -> str:
    """Why there is nothing to search in this data folder (no SQLite catalog or search file yet), or
    "" — checked before opening anything, which would create the files there."""
    from indexer.search.sqlite_fts import SqliteSearch

    hint = ("index WARC files first (`spillwatch index PATH`), or point --data-dir (SPILLWATCH_DATA_DIR) "
            "at the data folder of your crawls")
    catalog = settings.data_path / "catalog.sqlite3"
    if not settings.database_url and not catalog.exists():
        return f"{settings.data_path} holds no archive (no {catalog.name}); {hint}"
    if settings.search_backend == "sqlite":
        index = SqliteSearch.from_settings(settings).path
        if not index.exists():
            return f"{settings.data_path} holds no search index (no {index.name}); {hint}"
    return ""


def _highlight(segments: list[tuple[str, bool]], marks: tuple[str, str]) -> str:
    return "".join(f"{marks[0]}{text}{marks[1]}" if matched else text for text, matched in segments)


def hit_dict(hit: SearchHit) -> dict[str, Any]:
    return {
        "id": hit.id, "url": hit.url, "site": hit.site, "media_type": hit.media_type,
        "captured_at": hit.captured_at.isoformat(), "title": hit.title, "has_finding": hit.has_finding,
        "severity": hit.severity, "capture_id": hit.capture_id, "score": hit.score,
        "highlights": [[[text, matched] for text, matched in h] for h in hit.highlights],
    }


def _audit(ctx: Context, hits: list[SearchHit]) -> None:
    """Who searched unmasked (the local account) and which captures with findings it matched; never
    the query, which may be a person's name."""
    import getpass

    from core.catalog import open_catalog
    from web.audit import record_now

    flagged = sorted({int(h.capture_id) for h in hits if h.has_finding and h.capture_id is not None})
    engine = open_catalog(ctx.config().settings)
    try:
        record_now(engine, None, "cli_search_unmasked", f"cli:{getpass.getuser()}",
                   {"flagged_captures": flagged[:100], "hits": len(hits)})
    finally:
        engine.dispose()
