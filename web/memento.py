"""The archive for other tools on the JSON API (same token rules as the rest of ``/api/v1``):

- ``GET /api/v1/cdx?url=…`` — pywb's CDX server API: ``matchType`` (exact, prefix, host, domain; a
  trailing ``*`` means prefix), ``from``/``to`` (1–14 digit times), ``limit``, ``sort=reverse``,
  ``output=json`` (one JSON object a line, as pywb) or CDXJ lines (default), ``fl`` (fields of JSON).
- ``GET /api/v1/timemap/link/<url>`` — Memento TimeMap (RFC 7089 §5) in ``application/link-format``.
- ``GET /api/v1/timegate/<url>`` — Memento TimeGate (RFC 7089 §4.1, pattern 2.2): ``302`` to the
  capture closest to ``Accept-Datetime`` (the latest without it), ``Vary: accept-datetime``.

Mementos (URI-M) are the UI's capture pages (``/captures/<id>``), which need a login: replay itself
is served on the separate replay origin with short-lived signed links (docs/web.md).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for
from sqlalchemy import select

from core.catalog.schema import captures
from core.timestamps import as_utc
from indexer.cdxj import FIELDS, CdxQuery, CdxQueryError, cdxj_line, fields
from indexer.surt import surt_key
from web.state import state

LINK_FORMAT = "application/link-format"


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/cdx", "cdx", cdx)
    bp.add_url_rule("/timemap/link/<path:url>", "timemap", timemap)
    bp.add_url_rule("/timegate/<path:url>", "timegate", timegate)


def _target(url: str) -> str:
    """The original URL (URI-R) of a ``<path:url>``, with its query string (Flask splits it off)."""
    if request.query_string:
        url += "?" + request.query_string.decode("utf-8", "replace")
    return url.replace(":/", "://", 1) if ":/" in url and "://" not in url else url


def cdx() -> Any:
    try:
        query = CdxQuery.from_args(request.args)
    except CdxQueryError as exc:
        return jsonify(error="Bad Request", message=str(exc)), 400
    wanted = [f for f in request.args.get("fl", "").split(",") if f]
    unknown = [f for f in wanted if f not in FIELDS]
    if unknown:
        return jsonify(error="Bad Request", message=f"fl: unknown field(s) {', '.join(unknown)}; "
                       f"fields: {', '.join(FIELDS)}"), 400
    with state().engine.connect() as conn:
        rows = [fields(row) for row in conn.execute(query.select(conn.dialect.name))]
    if request.args.get("output") == "json":
        body = "".join(json.dumps({k: v for k, v in row.items() if not wanted or k in wanted}) + "\n"
                       for row in rows)
        return Response(body, mimetype="text/x-ndjson")
    return Response("".join(cdxj_line(row) + "\n" for row in rows), mimetype="text/x-cdxj")


def _mementos(url: str) -> list[Any]:
    with state().engine.connect() as conn:
        return list(conn.execute(
            select(captures.c.id, captures.c.captured_at, captures.c.url)
            .where(captures.c.surt == surt_key(url)).order_by(captures.c.captured_at, captures.c.id)))


def _uri_m(capture_id: int) -> str:
    return url_for("captures.show", capture_id=capture_id, _external=True)


def _http_date(value: datetime) -> str:
    return format_datetime(as_utc(value), usegmt=True)


def timemap(url: str) -> Any:
    original = _target(url)
    rows = _mementos(original)
    if not rows:
        return jsonify(error="Not Found", message=f"no capture of {original}"), 404
    self_url = url_for("api.timemap", url=original, _external=True)
    links = [f'<{original}>; rel="original"',
             f'<{url_for("api.timegate", url=original, _external=True)}>; rel="timegate"',
             f'<{self_url}>; rel="self"; type="{LINK_FORMAT}"; from="{_http_date(rows[0].captured_at)}"; '
             f'until="{_http_date(rows[-1].captured_at)}"']
    for i, row in enumerate(rows):
        rel = "first memento" if i == 0 else "last memento" if i == len(rows) - 1 else "memento"
        if len(rows) == 1:
            rel = "first last memento"
        links.append(f'<{_uri_m(row.id)}>; rel="{rel}"; datetime="{_http_date(row.captured_at)}"')
    return Response(",\n".join(links) + "\n", mimetype=LINK_FORMAT)


def timegate(url: str) -> Any:
    original = _target(url)
    rows = _mementos(original)
    if not rows:
        return jsonify(error="Not Found", message=f"no capture of {original}"), 404
    wanted_text = request.headers.get("Accept-Datetime")
    chosen = rows[-1]
    if wanted_text:
        try:
            wanted = parsedate_to_datetime(wanted_text)
        except (TypeError, ValueError):
            return jsonify(error="Bad Request", message="Accept-Datetime must be an RFC 1123 date, e.g. "
                           "'Thu, 01 Jan 2026 00:00:00 GMT'"), 400
        wanted = wanted.replace(tzinfo=UTC) if wanted.tzinfo is None else wanted
        chosen = min(rows, key=lambda r: abs((as_utc(r.captured_at) - wanted).total_seconds()))
    response = Response(status=302)
    response.headers["Location"] = _uri_m(chosen.id)
    response.headers["Vary"] = "accept-datetime"
    response.headers["Link"] = (f'<{original}>; rel="original", '
                                f'<{url_for("api.timemap", url=original, _external=True)}>; rel="timemap"; '
                                f'type="{LINK_FORMAT}", <{_uri_m(chosen.id)}>; rel="memento"; '
                                f'datetime="{_http_date(chosen.captured_at)}"')
    return response
