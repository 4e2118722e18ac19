"""``spillwatch crawl SITE_ID`` and ``spillwatch crawl --url URL --out DIR``: one crawl, now."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from core.errors import ConfigError
from spillwatch.commands.base import Command, Context


class CrawlCommand(Command):
    name = "crawl"
    help = "crawl a configured site, or any URL into a folder, into WARC files"
    description = ("Crawl a site from the config (WARCs under DATA_DIR/crawls/SITE_ID, a catalog row) "
        "or, with --url and --out, any URL into a folder without a config. A second crawl into the same "
        "folder writes revisit records for unchanged payloads. Exit 0 when the crawl finished, 1 when it "
        "failed or was stopped at its time limit.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        from core.config import RENDER_MODES

        parser.add_argument("site_id", nargs="?", help="id of a site in the config")
        parser.add_argument("--url", help="ad-hoc crawl: start URL (needs --out)")
        parser.add_argument("--out", type=Path, help="ad-hoc crawl: folder for WARCs, manifest and state")
        parser.add_argument("--max-pages", type=int, help="stop after this many pages")
        parser.add_argument("--render", choices=RENDER_MODES,
                            help="render pages in headless Chromium: browser (every page), auto (pages with scripts "
                            "and little text) or plain (default: the site's render, plain for --url)")
        parser.add_argument("--allow-private-addresses", action="store_true",
                            help="let the crawl reach loopback/private addresses of the start URL's host "
                            "(tests and the demo only)")

    def run(self, ctx: Context) -> int:
        from crawler.run import crawl_adhoc, crawl_site

        args = ctx.args
        if args.max_pages is not None and args.max_pages < 1:
            raise ConfigError(["crawl: --max-pages must be at least 1"])
        config = ctx.config()
        progress = ProgressLine(sys.stderr)
        if args.url or args.out:
            if not (args.url and args.out) or args.site_id:
                raise ConfigError(["crawl: give either SITE_ID, or both --url URL and --out DIR"])
            extra = {"render": args.render} if args.render else {}
            manifest = crawl_adhoc(args.url, args.out, config.settings, max_pages=args.max_pages or 10_000,
                                   allow_private=args.allow_private_addresses, on_progress=progress, **extra)
        elif args.site_id:
            overrides: dict[str, Any] = {}
            if args.max_pages is not None:
                overrides["max_pages"] = args.max_pages
            if args.allow_private_addresses:
                overrides["allow_private"] = True
            if args.render:
                overrides["render"] = args.render
            manifest = crawl_site(config, args.site_id, on_progress=progress, **overrides)
        else:
            raise ConfigError(["crawl: give SITE_ID (a site in the config) or --url URL --out DIR"])
        progress.done()
        mb = manifest.bytes / 1e6
        print(f"crawl {manifest.crawl}: {manifest.status}"
              + (f" ({manifest.reason})" if manifest.reason and manifest.reason != "finished" else ""))
        print(f"  {manifest.pages} pages, {manifest.errors} errors, {manifest.revisits + manifest.not_modified} "
              f"unchanged (revisit records), {manifest.truncated} truncated, {manifest.egress_denied} refused "
              f"by the egress guard")
        print(f"  {mb:.1f} MB in {len(manifest.warc_files)} WARC file(s):")
        for path in manifest.warc_files:
            print(f"    {path}")
        print(f"  manifest: {manifest.manifest_file}")
        print(f"  log: {manifest.log_file}")
        return 0 if manifest.status == "finished" else 1


class ProgressLine:
    """One updating line on a terminal; a line every 10 s otherwise (logs stay readable)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.last_print = 0.0
        self.started = time.monotonic()
        self.dirty = False

    def __call__(self, event: dict[str, Any]) -> None:
        if event.get("event") != "progress":
            return
        now = time.monotonic()
        if not self.tty and now - self.last_print < 10:
            return
        self.last_print = now
        text = (f"crawling: {event.get('pages', 0)} pages, {event.get('bytes', 0) / 1e6:.1f} MB, "
                f"{event.get('errors', 0)} errors, {event.get('queued', 0)} queued, "
                f"{now - self.started:.0f} s")
        if self.tty:
            self.stream.write("\r" + text.ljust(78))
            self.dirty = True
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def done(self) -> None:
        if self.dirty:
            self.stream.write("\n")
            self.stream.flush()
