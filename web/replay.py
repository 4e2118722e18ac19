"""The replay origin (docs/architecture.md §5 rule 3): archived pages served from a separate host/port.

An archived page is hostile content.  It is served

- from another origin than the UI (``replay_host``/``replay_port``), which sets no cookies and reads
  none, so its scripts have no session to steal;
- with ``Content-Security-Policy: sandbox`` (no scripts, unique opaque origin, no forms, no popups) and
  a ``default-src 'none'`` policy that stops it from loading anything, even from the live site;
- with ``X-Content-Type-Options: nosniff``, inside an ``<iframe sandbox>`` on the UI's page.

The origin has no login of its own: each URL carries a short-lived signed token that the UI issues
to analysts (and records in the audit log), naming one capture, the user and the web session; it
works only while that user is enabled and an analyst and that session is live (logout ends it); the
pages pywb serves under the token's path are checked the same way.  An HTML capture is replayed by
pywb, so that its links, images and styles work (:mod:`web.pywb_replay`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, abort
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Connection
from werkzeug.wrappers import Response

from core.catalog import open_catalog
from core.config import Config
from core.settings import Settings
from core.warc_store import remote_store
from indexer.media_types import essence
from web import pywb_replay
from web.archive import ArchiveError, content_capture, get_capture, read_payload
from web.origins import ui_origin
from web.secret import secret_key

TOKEN_MAX_AGE = 15 * 60
SALT = "spillwatch-replay"
REPLAYABLE = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
BROWSABLE = frozenset({"text/html", "application/xhtml+xml"})  # replayed by pywb (web/pywb_replay.py)

SANDBOX_CSP = ("sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
               "media-src 'none'; form-action 'none'; base-uri 'none'; frame-ancestors {ancestors}")


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key(settings), salt=SALT)


def make_token(settings: Settings, capture_id: int, user_id: int, session_row: str = "") -> str:
    """A link for one capture, issued to a user within one web session (by the session's row id, which
    is a hash: the link never carries what the cookie holds)."""
    return _serializer(settings).dumps({"c": capture_id, "u": user_id, "s": session_row})


@dataclass(frozen=True)
class Grant:
    capture_id: int
    user_id: int
    session_row: str


def read_grant(settings: Settings, token: str, max_age: int = TOKEN_MAX_AGE) -> Grant:
    """What a valid token grants; raises ``BadSignature`` (or ``SignatureExpired``)."""
    data: Any = _serializer(settings).loads(token, max_age=max_age)
    try:
        return Grant(int(data["c"]), int(data["u"]), str(data.get("s", "")))
    except (KeyError, TypeError, ValueError):
        raise BadSignature("replay token without capture and user") from None


def read_token(settings: Settings, token: str, max_age: int = TOKEN_MAX_AGE) -> int:
    """The capture id named by a valid token; raises ``BadSignature`` (or ``SignatureExpired``)."""
    return read_grant(settings, token, max_age).capture_id


def still_allowed(conn: Connection, settings: Settings, grant: Grant) -> bool:
    """The link's user is enabled and still an analyst or admin, and its web session is live."""
    from web import sessions
    from web.accounts import get

    account = get(conn, grant.user_id)
    if account is None or account.disabled or not account.at_least("analyst"):
        return False
    found = sessions.find(conn, grant.session_row, idle=settings.session_idle_timeout,
                          lifetime=settings.session_lifetime)
    return found is not None and found.user_id == account.id


def replay_path(token: str) -> str:
    return f"/replay/{token}"


def sandbox(response: Response, ancestors: str) -> Response:
    """The replay origin's headers; set on every answer it gives (errors, 405, OPTIONS included)."""
    response.headers["Content-Security-Policy"] = SANDBOX_CSP.format(ancestors=ancestors)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Cross-Origin-Resource-Policy"] = "same-site"
    response.headers.pop("Set-Cookie", None)
    return response


def _inert(body: bytes, status: int, content_type: str, ancestors: str) -> Response:
    return sandbox(Response(body, status=status, content_type=content_type), ancestors)


def create_replay_app(config: Config | Settings) -> Flask:
    """The replay origin's app (served by ``spillwatch serve`` on ``replay_port``)."""
    settings = config.settings if isinstance(config, Config) else config
    engine = open_catalog(settings)
    app = Flask(__name__ + ".origin")
    app.config.update(SESSION_COOKIE_NAME="spillwatch_replay_unused", MAX_CONTENT_LENGTH=0)
    ancestors = ui_origin(settings)
    app.extensions["spillwatch_replay_engine"] = engine

    @app.route("/replay/<token>")
    def replay(token: str) -> Response:
        try:
            grant = read_grant(settings, token)
        except SignatureExpired:
            return _inert(b"This replay link has expired; reload the capture page.", 410, "text/plain", ancestors)
        except BadSignature:
            abort(404)
        with engine.begin() as conn:
            if not still_allowed(conn, settings, grant):
                abort(404)
            capture = get_capture(conn, grant.capture_id)
            if capture is None:
                abort(404)
            source = content_capture(conn, capture)
        try:
            payload = read_payload(source, settings.data_path, remote_store(settings))
        except ArchiveError as exc:
            return _inert(str(exc).encode(), 502, "text/plain; charset=utf-8", ancestors)
        media = essence(source["media_type_sniffed"] or payload.content_type or source["media_type_declared"])
        if media not in REPLAYABLE:
            message = f"{media or 'this type'} is not replayed in the browser; use “download original”."
            return _inert(message.encode(), 415, "text/plain; charset=utf-8", ancestors)
        # pywb (links, images, styles) reads every source the indexer reads: WARCs in place, in a WACZ
        # (stored or deflated), and whole-file gzip WARCs (web/pywb_child.py, indexer/record_source.py)
        if media in BROWSABLE:
            moved = _inert(b"", 302, "text/plain", ancestors)
            moved.headers["Location"] = pywb_replay.entry_path(token, capture["url"], capture["captured_at"])
            return moved
        content_type = payload.content_type if essence(payload.content_type) == media else media
        return _inert(payload.body, 200, content_type, ancestors)

    def read_allowed(token: str) -> dict[str, int]:
        """A pywb request's token, checked like the entry link: a live session of an enabled analyst."""
        grant = read_grant(settings, token)
        with engine.begin() as conn:
            if not still_allowed(conn, settings, grant):
                raise BadSignature("the link's user or web session is no longer allowed")
        return {"c": grant.capture_id, "u": grant.user_id}

    pywb_replay.register(app, settings, engine, ancestors,
                         lambda body, status, kind: _inert(body, status, kind, ancestors), read_allowed)

    @app.route("/")
    def root() -> Response:
        return _inert(b"Spillwatch replay origin.", 200, "text/plain", ancestors)

    @app.errorhandler(404)
    def not_found(_exc: Exception) -> Response:
        return _inert(b"Not found.", 404, "text/plain", ancestors)

    @app.after_request
    def every_answer(response: Response) -> Response:  # also 405, OPTIONS and 500 answers
        # pywb's pages carry their own sandbox policy (images and styles from this origin, scripts
        # still off: web.pywb_replay.BROWSE_CSP); every other answer gets the strict one
        browse_policy = response.headers.get("Content-Security-Policy", "")
        sandbox(response, ancestors)
        if browse_policy.startswith("sandbox;") and "allow-scripts" not in browse_policy:
            response.headers["Content-Security-Policy"] = browse_policy
        return response

    return app
