"""Capture pages: metadata, extracted text, tables, findings, the URL's timeline, diffs, replay and
download of the original.

Content of a capture that holds findings is shown masked; analysts may ask for it unmasked
(``?unmasked=1``), which is written to the audit log before the page is rendered.  Viewers never
get unmasked content, replay or downloads.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import quote, unquote

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlalchemy import Connection, select
from werkzeug.wrappers import Response

from core.catalog.schema import findings, versions
from core.warc_store import remote_store
from indexer.diffs import CaptureNotFound, table_diff, text_diff
from indexer.media_types import essence
from matcher.masking import mask_text
from web.archive import (
    ArchiveError,
    content_capture,
    extract,
    get_capture,
    has_findings,
    preview,
    read_payload,
)
from web.audit import record_now
from web.auth import require_role
from web.capture_timeline import Run, calendar_of, capture_days, collapse, url_captures
from web.origins import current_replay_origin
from web.policy import shown_text, table_masked
from web.rendered import shown_payload
from web.replay import REPLAYABLE, make_token, replay_path
from web.state import state
from web.views.screenshots import visual_summary

bp = Blueprint("captures", __name__)

RUNS_PER_PAGE = 50


def load(conn: Connection, capture_id: int) -> dict[str, Any]:
    capture = get_capture(conn, capture_id)
    if capture is None:
        abort(404, description=f"No capture {capture_id}.")
    return capture


def wants_unmasked() -> bool:
    """``?unmasked=1`` from someone allowed to see it (403 for viewers)."""
    if request.args.get("unmasked") != "1":
        return False
    if not current_user.can_unmask:
        abort(403, description="Viewers see masked data only.")
    return True


def timeline(conn: Connection, surt: str) -> list[dict[str, Any]]:
    rows = conn.execute(select(versions).where(versions.c.surt == surt).order_by(versions.c.first_seen.desc(),
                                                                                  versions.c.id.desc())).mappings()
    return [dict(r) for r in rows]


def timeline_page(runs: list[Run], capture_id: int) -> tuple[list[Run], int, int]:
    """(the runs of the asked page, the page, the number of pages): by default the page holding the capture."""
    pages = max(1, -(-len(runs) // RUNS_PER_PAGE))
    asked = request.args.get("timeline_page", type=int)
    if asked is None:
        holding = next((i for i, run in enumerate(runs) if run.holds(capture_id)), 0)
        asked = holding // RUNS_PER_PAGE + 1
    page = min(max(1, asked), pages)
    return runs[(page - 1) * RUNS_PER_PAGE:page * RUNS_PER_PAGE], page, pages


def capture_findings(conn: Connection, capture: dict[str, Any]) -> list[dict[str, Any]]:
    condition = findings.c.capture_id == capture["id"]
    if capture["payload_digest"]:
        condition = condition | (findings.c.payload_digest == capture["payload_digest"])
    rows = conn.execute(select(findings).where(condition).order_by(findings.c.score.desc())).mappings()
    return [dict(r) for r in rows]


def replayable(capture: dict[str, Any]) -> bool:
    media = essence(capture["media_type_sniffed"] or capture["media_type_declared"])
    return media in REPLAYABLE


@bp.route("/captures/<int:capture_id>")
def show(capture_id: int) -> str:
    web = state()
    unmasked = wants_unmasked()
    with web.engine.connect() as conn:
        capture = load(conn, capture_id)
        source = content_capture(conn, capture)
        sensitive = has_findings(conn, source)
        found = capture_findings(conn, source)
        history = timeline(conn, capture["surt"])
        others, total = url_captures(conn, capture["surt"])
        days = capture_days(conn, capture["surt"])
    runs, timeline_page_no, timeline_pages = timeline_page(collapse(others), capture_id)
    # viewers never see table cells unmasked, even where the matcher found nothing
    masked = not unmasked and (sensitive or not current_user.can_unmask)
    error = ""
    text = ""
    tables = []
    text_masked = False
    try:
        extracted = extract(source, shown_payload(source, web.settings.data_path))  # rendered: its DOM
    except ArchiveError as exc:
        error = str(exc)
    else:
        # a document's text is its tables' cells; a page's prose stays, its table cells are masked
        text, text_masked = shown_text(extracted.text, media_type=extracted.media_type,
                                       has_tables=bool(extracted.tables), cells_masked=extracted.viewer_text,
                                       sensitive=sensitive, can_unmask=current_user.can_unmask, unmasked=unmasked)
        flagged = {str(f["locator"] or "") for f in found}
        locators = {t.locator for t in extracted.tables}
        tables = [preview(t, table_masked(locator=t.locator, hidden=t.hidden, masked_view=masked,
                                          can_unmask=current_user.can_unmask, flagged=flagged, locators=locators))
                  for t in extracted.tables]
    if unmasked:
        record_now(web.engine, current_user.id, "view_unmasked", f"capture:{capture_id}", {"url": capture["url"]})
    return render_template("capture.html", capture=capture, source=source, sensitive=sensitive, masked=masked,
                           text_masked=text_masked, text=text, tables=tables, findings=found, history=history,
                           runs=runs, total_captures=total, shown_captures=len(others), page=timeline_page_no,
                           pages=timeline_pages, years=calendar_of(days), error=error,
                           only_changes=request.args.get("timeline") == "changes",
                           replayable=replayable(source))


@bp.route("/captures/<int:capture_id>/diff")
def diff(capture_id: int) -> str:
    web = state()
    unmasked = wants_unmasked()
    other_id = request.args.get("to", type=int)
    with web.engine.connect() as conn:
        new = load(conn, capture_id)
        others = [run.first for run in collapse(url_captures(conn, new["surt"])[0])]  # one per content
        if other_id is None:
            earlier = [c for c in others if c["captured_at"] < new["captured_at"]
                       and c["payload_digest"] != new["payload_digest"]]
            if not earlier:
                return render_template("diff.html", new=new, old=None, others=others, text=None, tables=[],
                                       masked=False, sensitive=False, error="No earlier version of this URL.")
            other_id = int(earlier[0]["id"])
        old = load(conn, other_id)
        if old["surt"] != new["surt"]:
            abort(400, description="Both captures must be of the same URL.")
        new_source, old_source = content_capture(conn, new), content_capture(conn, old)
        sensitive = has_findings(conn, new_source) or has_findings(conn, old_source)
    masked = not unmasked and (sensitive or not current_user.can_unmask)
    try:
        text = text_diff(web.engine, old["id"], new["id"])
        every_table = table_diff(web.engine, old["id"], new["id"], unmasked=not masked)
        tables = [t for t in every_table if t.status != "unchanged"]
    except CaptureNotFound as exc:
        return render_template("diff.html", new=new, old=old, others=others, text=None, tables=[], masked=masked,
                               sensitive=sensitive, error=str(exc))
    # viewers: a version with tables (changed or not) masks the whole diff text (cells are lines of it)
    text_masked = not unmasked and (sensitive or (masked and bool(every_table)))
    if text_masked:
        for line in text.lines:
            line.text = mask_text(line.text)
    if unmasked:
        record_now(web.engine, current_user.id, "view_unmasked", f"diff:{old['id']}..{new['id']}",
                   {"url": new["url"]})
    visual = visual_summary(old, new, sensitive, unmasked)  # rendered captures: their screenshots
    return render_template("diff.html", new=new, old=old, others=others, text=text, tables=tables, masked=masked,
                           text_masked=text_masked, sensitive=sensitive, error="", visual=visual,
                           masked_request=unmasked)


@bp.route("/captures/<int:capture_id>/view")
@require_role("analyst")
def view(capture_id: int) -> str:
    """The archived page inside ``<iframe sandbox>``, loaded from the replay origin."""
    web = state()
    with web.engine.connect() as conn:
        capture = load(conn, capture_id)
    record_now(web.engine, current_user.id, "replay", f"capture:{capture_id}", {"url": capture["url"]})
    src = current_replay_origin() + replay_path(make_token(web.settings, capture_id, current_user.id,
                                                                   current_user.session_row))
    return render_template("replay.html", capture=capture, src=src)


_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def download_name(url: str, capture_id: int) -> tuple[str, str]:
    """(ASCII fallback, UTF-8 name) for Content-Disposition; never markup or path parts."""
    from indexer.media_types import filename_of

    name = unquote(filename_of(url)) or f"capture-{capture_id}"
    name = unicodedata.normalize("NFC", name).replace("/", "_").replace("\\", "_")
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")[:150] or f"capture-{capture_id}"
    ascii_name = _UNSAFE_NAME.sub("_", unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode())
    ascii_name = ascii_name.strip("._") or f"capture-{capture_id}"
    return ascii_name, name


@bp.route("/captures/<int:capture_id>/download")
@require_role("analyst")
def download(capture_id: int) -> Response:
    """The original bytes, as an attachment that the browser never renders."""
    web = state()
    with web.engine.connect() as conn:
        capture = load(conn, capture_id)
        source = content_capture(conn, capture)
    try:
        payload = read_payload(source, web.settings.data_path, remote_store(web.settings))
    except ArchiveError as exc:
        abort(502, description=str(exc))
    record_now(web.engine, current_user.id, "download", f"capture:{capture_id}", {"url": capture["url"]})
    ascii_name, name = download_name(capture["url"], capture_id)
    response = Response(payload.body, content_type="application/octet-stream")
    response.headers["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
