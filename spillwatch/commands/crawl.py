"""``spillwatch crawl SITE_ID`` and ``spillwatch crawl --url URL --out DIR``: one crawl, now."""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from core.errors import ConfigError
from spillwatch.commands.base import Command, Context
from spillwatch.exit_codes import Exit
from spillwatch.human import human_size

if TYPE_CHECKING:
    from crawler.manifest import Manifest


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
        if args.url:
            check_url(args.url)
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
        return report(manifest)


def check_url(url: str) -> None:
    """An ad-hoc start URL must be a full http(s) address (anything else would crawl nothing)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError([f"crawl: --url {url!r} is not an http(s) address; give a full URL such as "
                           "https://www.example.gov/statistics/"])


def report(manifest: Manifest) -> int:
    """Print what the crawl did; exit 0 when it finished with pages, 1 when it failed, was stopped or
    fetched nothing (with the first reason from its log and what to do, on stderr)."""
    fetched = manifest.pages + manifest.revisits + manifest.not_modified
    status = manifest.status if fetched or manifest.status != "finished" else "nothing fetched"
    print(f"crawl {manifest.crawl}: {status}"
          + (f" ({manifest.reason})" if manifest.reason and manifest.reason != "finished" else ""))
    print(f"  {manifest.pages} pages, {manifest.errors} errors, {manifest.revisits + manifest.not_modified} "
          f"unchanged (revisit records), {manifest.truncated} truncated, {manifest.egress_denied} refused "
          f"by the egress guard")
    print(f"  {human_size(manifest.bytes)} in {len(manifest.warc_files)} WARC file(s):")
    for path in manifest.warc_files:
        print(f"    {path}")
    print(f"  manifest: {manifest.manifest_file}")
    print(f"  log: {manifest.log_file}")
    if manifest.status == "finished" and fetched:
        return Exit.OK
    if manifest.reason == "interrupted":  # Ctrl-C: the crawl closed its files, the command says so
        print("interrupted", file=sys.stderr)
        return Exit.INTERRUPTED
    if not fetched:
        seed = manifest.seeds[0] if manifest.seeds else "the start URL"
        cause = first_problem(manifest.log_file)
        print(f"crawl: nothing could be fetched from {seed}" + (f": {cause}" if cause else ""), file=sys.stderr)
        if manifest.egress_denied:
            hint = ("its address is loopback or private; for a local test site add --allow-private-addresses "
                    "(tests and the demo only)")
        else:
            hint = f"check the address and that the site answers; details in {manifest.log_file}"
        print(f"  hint: {hint}", file=sys.stderr)
    return Exit.ATTENTION


_NOISE = re.compile(r"^[A-Za-z]+(Error|Exception|Request)$")


def first_problem(log_file: str | None) -> str:
    """The first reason the spider logged for a failed request (the crawl's log), shortened."""
    if not log_file:
        return ""
    try:
        with open(log_file, encoding="utf-8", errors="replace") as log:
            for line in log:
                _, marker, rest = line.partition("[crawler.spider] WARNING: ")
                if marker:
                    # "<url>: <Exception>: [<url>: ]<reason>; <advice>": the reason (the URL is printed
                    # already, the advice is replaced by the hint)
                    parts = rest.strip().split("; ")[0].split(": ")
                    while len(parts) > 1 and (_NOISE.match(parts[0]) or "://" in parts[0]):
                        parts.pop(0)
                    return ": ".join(parts)[:200]
    except OSError:
        return ""
    return ""


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
        text = (f"crawling: {event.get('pages', 0)} pages, {human_size(event.get('bytes', 0))}, "
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
