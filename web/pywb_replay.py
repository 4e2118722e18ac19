"""Browsable replay on the replay origin with pywb (URL rewriting, images, styles, previous/next capture).

``/replay/<token>/archive/<timestamp><mode>/<url>`` is pywb's own URL scheme under the signed token's
path: the token is checked on every request (signature, 15-minute age), then the request goes to the
pywb child process (:mod:`web.pywb_child`, 127.0.0.1 only), whose rewritten links, images and styles
all point back under the same ``/replay/<token>/`` prefix. What the child answers is served with the
protections of the replay origin (docs/architecture.md §5 rule 3):

- ``Content-Security-Policy: sandbox`` without ``allow-scripts``: pywb's rewriting is server-side, so
  pages, links, images and styles work with every script off (pywb's own scripts included);
  images, styles, fonts and media may come from the replay origin only, nothing from the live web;
- no cookies either way; ``nosniff``; ``no-referrer``; ``no-store``;
- a top-level document that is not HTML or text is refused (download the original instead), and the
  image, style, script and frame modes serve only those kinds (never a table: :func:`servable`);
- every archived page opened is written to the audit log (``replay``, with URL and time) under the
  analyst the token was issued to; viewers get no token (the UI's replay page needs the analyst role).

A bar at the top of each page links the previous and next captures of the URL (server-side HTML).
"""

from __future__ import annotations

import html
import json
import logging
import re
import subprocess
import sys
import threading
import weakref
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import httpx
from flask import Flask, abort, request
from itsdangerous import BadSignature, SignatureExpired
from sqlalchemy import Engine, select
from werkzeug.wrappers import Response

from core.catalog.schema import captures
from core.settings import Settings
from core.timestamps import as_utc
from core.warc_store import storage_values
from indexer.cdxj import timestamp14
from indexer.media_types import essence
from indexer.surt import surt_key
from web.audit import record_now

log = logging.getLogger(__name__)

COLLECTION = "archive"
PAGE_MODES = ("", "mp_", "id_")
KEPT_HEADERS = ("Content-Type", "Location", "Memento-Datetime", "Link", "Content-Location", "Vary")
BROWSE_CSP = ("sandbox; default-src 'none'; img-src {self} data:; style-src {self} 'unsafe-inline'; "
              "font-src {self} data:; media-src {self}; form-action 'none'; base-uri 'none'; "
              "frame-ancestors {ancestors}")
INSERT_MARK = b"<!-- End WB Insert -->"
DOCUMENT_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
# what a page loads in pywb's image, style, script, font and media modes; a table or a document is none of these
SUBRESOURCE_PREFIXES = ("image/", "font/", "audio/", "video/")
SUBRESOURCE_TYPES = frozenset({"text/css", "text/javascript", "application/javascript", "application/x-javascript",
                               "application/font-woff", "application/font-woff2", "application/x-font-woff",
                               "application/x-font-ttf", "application/vnd.ms-fontobject"})
CHILD_START_SECONDS = 120.0


class PywbChild:
    """The pywb process of one replay app: started on first use, stopped with the app."""

    def __init__(self, catalog_url: str, storage: dict[str, str] | None = None) -> None:
        self.catalog_url = catalog_url
        self.storage = storage or {}  # core.warc_store.storage_values: where WARC files not on this machine are
        self._process: subprocess.Popen[str] | None = None
        self._base = ""
        self._lock = threading.Lock()

    def start_soon(self) -> None:
        """Start the process in the background (pywb takes seconds to import), so the first replay
        does not wait for all of it."""
        threading.Thread(target=self._start_quietly, name="spillwatch-pywb-start", daemon=True).start()

    def _start_quietly(self) -> None:
        try:
            self.base_url()
        except OSError as exc:  # the first replay request starts it again and reports the error
            log.warning("pywb replay process: %s", exc)

    def base_url(self) -> str:
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._start()
            return self._base

    def _start(self) -> None:
        script = Path(__file__).with_name("pywb_child.py")
        # a session of its own: a terminal's Ctrl-C is the parent's to handle (the child stops when its
        # standard input closes), not a KeyboardInterrupt traceback from the child
        process = subprocess.Popen([sys.executable, str(script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   text=True, start_new_session=True)
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(json.dumps({"catalog_url": self.catalog_url, "storage": self.storage}) + "\n")
        process.stdin.flush()
        port = process.stdout.readline().strip()  # the child answers once it listens
        if not port.isdigit():
            process.kill()
            raise OSError(f"the pywb replay process did not start (exit {process.wait()}); see its log above")
        self._process, self._base = process, f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        with self._lock:
            if self._process is not None:
                assert self._process.stdin is not None
                self._process.stdin.close()  # the child exits when its input closes
                try:
                    self._process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                self._process = None


def entry_path(token: str, url: str, captured_at: Any) -> str:
    """Where browsing a capture starts: pywb's replay of the URL at the capture's time."""
    return f"/replay/{token}/{COLLECTION}/{timestamp14(captured_at)}mp_/{url}"


def _neighbours(engine: Engine, url: str, at: Any) -> tuple[Any | None, Any | None]:
    key = surt_key(url)
    pick = select(captures.c.url, captures.c.captured_at).where(captures.c.surt == key).limit(1)
    with engine.connect() as conn:
        before = conn.execute(pick.where(captures.c.captured_at < at).order_by(captures.c.captured_at.desc())).first()
        after = conn.execute(pick.where(captures.c.captured_at > at).order_by(captures.c.captured_at)).first()
    return before, after


def _bar(engine: Engine, token: str, url: str, at: Any) -> bytes:
    """Server-side navigation: the capture's time and links to the URL's previous and next captures."""
    before, after = _neighbours(engine, url, at)

    def link(row: Any, label: str) -> str:
        if row is None:
            return f'<span style="color:#888">{label}</span>'
        href = html.escape(entry_path(token, row.url, row.captured_at))
        return f'<a href="{href}" target="_self">{label} ({as_utc(row.captured_at):%Y-%m-%d %H:%M} UTC)</a>'

    text = (f'<div style="all:initial;display:block;font:13px sans-serif;background:#fffbe6;border-bottom:1px solid '
            f'#d9c77a;padding:4px 8px">Spillwatch archive · {html.escape(url)} captured '
            f"{as_utc(at):%Y-%m-%d %H:%M:%S} UTC · {link(before, '← previous capture')} · "
            f"{link(after, 'next capture →')}</div>")
    return text.encode("utf-8")


_HEAD = re.compile(r"^(\d*)([a-z]{2}_)?$")


def _split(rest: str) -> tuple[str, str, str]:
    """(timestamp, mode, url) of ``archive/[<ts>][<mode>]/<url>`` (pywb's replay URLs; either part may be
    missing); empty strings for other paths."""
    coll, _, tail = rest.partition("/")
    if coll != COLLECTION:
        return "", "", ""
    head, _, url = tail.partition("/")
    found = _HEAD.match(head)
    if found is None or not head:
        return "", "", tail
    return found.group(1), found.group(2) or "", url


def servable(media: str, page_mode: bool) -> bool:
    """May the replay origin hand out an answer of this media type?  Pages and text in a page mode
    (audited); in the other modes also a page's images, styles, fonts, media and scripts, never a
    table or another document: those are read unmasked only through the capture page (audited)."""
    if media in DOCUMENT_TYPES:
        return True
    return not page_mode and (media.startswith(SUBRESOURCE_PREFIXES) or media in SUBRESOURCE_TYPES)


def _reachable(rest: str) -> bool:
    """pywb's static files and replays of archived http(s) URLs; its other routes (live web, recorder,
    CDX and timemap APIs) stay closed, also behind dot segments."""
    if any(part in (".", "..") for part in unquote(rest).split("/")):
        return False
    return rest.startswith("static/") or _split(rest)[2].startswith(("http://", "https://"))


def register(app: Flask, settings: Settings, engine: Engine, ancestors: str, inert: Any, read: Any) -> None:
    """Add pywb's routes under ``/replay/<token>/`` to the replay origin's ``app``."""
    child = PywbChild(engine.url.render_as_string(hide_password=False), storage_values(settings))
    app.extensions["spillwatch_pywb"] = child
    weakref.finalize(app, child.stop)  # and at the latest when this process ends (its input pipe closes)
    child.start_soon()

    @app.route("/replay/<token>/<path:rest>", methods=["GET", "HEAD"])
    def browse(token: str, rest: str) -> Response:
        try:
            data = read(token)
        except SignatureExpired:
            return inert(b"This replay link has expired; reload the capture page.", 410, "text/plain")
        except BadSignature:
            abort(404)
        if not _reachable(rest):
            abort(404)
        query = request.query_string.decode("latin-1")
        target = f"{child.base_url()}/{quote(rest, safe='/:@!$&()*+,;=~%')}" + (f"?{query}" if query else "")
        headers = {"Host": request.host, "X-Spillwatch-Prefix": f"/replay/{token}",
                   "X-Forwarded-Proto": request.scheme}
        if request.headers.get("Accept-Datetime"):
            headers["Accept-Datetime"] = request.headers["Accept-Datetime"]
        answer = httpx.get(target, headers=headers, timeout=120.0, follow_redirects=False)
        return _served(answer, token, rest, int(data["u"]))

    def _served(answer: httpx.Response, token: str, rest: str, user_id: int) -> Response:
        timestamp, mode, url = _split(rest)
        media = essence(answer.headers.get("Content-Type", ""))
        body = answer.content
        page_mode = mode in PAGE_MODES
        if url and body and not servable(media, page_mode):
            return inert(f"{media or 'this type'} is not replayed in the browser; use “download original” "
                         "on the capture page.".encode(), 415, "text/plain; charset=utf-8")
        if answer.status_code == 200 and url and media in DOCUMENT_TYPES:
            at = _memento_time(answer) or (as_utc(parse_ts(timestamp)) if timestamp else datetime.now(UTC))
            record_now(engine, user_id, "replay", f"url:{url}"[:500], {"timestamp": timestamp14(at)})
            if page_mode and media != "text/plain":
                bar = _bar(engine, token, url, at)
                body = body.replace(INSERT_MARK, INSERT_MARK + bar, 1) if INSERT_MARK in body else bar + body
        response = inert(body, answer.status_code, answer.headers.get("Content-Type", "text/plain"))
        for name in KEPT_HEADERS[1:]:
            if name in answer.headers:
                response.headers[name] = answer.headers[name]
        origin = request.host_url.rstrip("/")
        response.headers["Content-Security-Policy"] = BROWSE_CSP.format(self=origin, ancestors=ancestors)
        return response


def _memento_time(answer: httpx.Response) -> Any:
    value = answer.headers.get("Memento-Datetime")
    try:
        return parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None


def parse_ts(timestamp: str) -> Any:
    from indexer.cdxj import parse_timestamp

    return parse_timestamp(timestamp[:14].ljust(4, "0"), "timestamp")
