"""The triage panel of a finding's page and of an incident's page: one partial
(``partials/triage.html``) and one set of form handlers — status, assignment, note.

Triage acts on the incident (one state per published file, :mod:`core.catalog.incidents`), so the
forms on a finding's page act on the finding's incident, exactly as those on the incident's page do.
Each page family keeps its own URLs (``/findings/ID/status``, ``/incidents/ID/status``, …, added by
:func:`add_routes`) and its own history in the panel (the finding's events, or the incident's).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import Connection, select
from werkzeug.wrappers import Response

from core.catalog import incidents as store
from core.catalog.incident_timeline import Timeline
from core.catalog.schema import users
from web.auth import require_role
from web.state import state
from web.triage import ACTION_LABELS, TRANSITIONS, TriageError

ENDPOINTS = {"status": "set_status", "assign": "set_assignee", "note": "note"}
"""Each form of the panel → the endpoint it posts to on the page's blueprint (the URL is the page's
URL followed by ``/status``, ``/assign`` or ``/note``)."""

IncidentOf = Callable[[Connection, int], int]
"""The incident a subject's triage acts on (aborts 404 when there is no such subject)."""
PanelOf = Callable[[Connection, int], "Panel"]
"""The panel of a subject, to send back to htmx."""
Act = Callable[[Connection, int], None]


@dataclass(frozen=True)
class HistoryLine:
    """One entry of the panel's history: ``label``, then ``strong`` in bold (a finding's new status),
    then ``after_words`` ("5 h after first seen", an incident's) and the note."""

    at: datetime
    user_name: str | None
    label: str
    strong: str = ""
    after_words: str = ""
    note: str = ""


@dataclass(frozen=True)
class Panel:
    """What ``partials/triage.html`` shows: the subject's triage state, where its forms post
    (``page`` is the blueprint of the page, ``id_arg`` and ``subject_id`` its URL's variable), who it
    can be assigned to, and its history (newest first).  ``scope`` is a sentence shown before who it
    is assigned to."""

    page: str
    id_arg: str
    subject_id: int
    status: str
    assignee_id: int | None
    assignee_name: str | None
    people: list[dict[str, Any]]
    history: list[HistoryLine]
    scope: str = ""

    @property
    def next_states(self) -> tuple[str, ...]:
        return TRANSITIONS.get(self.status, ())

    @property
    def labels(self) -> dict[str, str]:
        return ACTION_LABELS

    def url(self, form: str) -> str:
        """Where the ``status``, ``assign`` or ``note`` form posts."""
        return _url(f"{self.page}.{ENDPOINTS[form]}", self.id_arg, self.subject_id)


def _url(endpoint: str, id_arg: str, subject_id: int) -> str:
    values: dict[str, Any] = {id_arg: subject_id}
    return url_for(endpoint, **values)


def assignable(conn: Connection) -> list[dict[str, Any]]:
    """Who triage can be assigned to: enabled analysts and admins, by name."""
    rows = conn.execute(select(users.c.id, users.c.name).where(users.c.disabled.is_(False), users.c.role != "viewer")
                        .order_by(users.c.name)).mappings()
    return [dict(r) for r in rows]


def finding_history(events: list[dict[str, Any]]) -> list[HistoryLine]:
    """A finding's ``finding_events`` (newest first) as history lines: ``new → confirmed``, ``found by
    the indexer``, or the event's name."""
    lines = []
    for e in events:
        label, strong = str(e["event"]), ""
        if e["event"] == "status":
            label, strong = f"{e['from_status']} →", str(e["to_status"])
        elif e["event"] == "new":
            label = "found by the indexer"
        lines.append(HistoryLine(at=e["at"], user_name=e["user_name"], label=label, strong=strong,
                                 note=str(e["note"] or "")))
    return lines


def incident_history(line: Timeline) -> list[HistoryLine]:
    """An incident's history (its timeline without the milestones), newest first."""
    return [HistoryLine(at=s.at, user_name=s.user_name, label=s.label, after_words=s.after_words, note=s.note)
            for s in reversed(line.steps) if not s.milestone]


def parse_when(raw: str) -> datetime | None:
    """The ``removed_at`` field (``YYYY-MM-DDTHH:MM``, UTC unless it says otherwise); None when empty."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise TriageError(f"{raw!r} is not a time; expected YYYY-MM-DDTHH:MM (UTC)") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _set_status(conn: Connection, incident_id: int) -> None:
    when = parse_when(request.form.get("removed_at", ""))
    store.set_status(conn, incident_id, request.form.get("status", ""), current_user.id,
                     request.form.get("note", ""), removed_at=when)


def _assign(conn: Connection, incident_id: int) -> None:
    raw = request.form.get("assignee", "")
    try:
        assignee = None if raw in ("", "none") else int(raw)
    except ValueError:
        raise TriageError("assignee: not a user") from None
    store.assign(conn, incident_id, assignee, current_user.id)


def _note(conn: Connection, incident_id: int) -> None:
    store.add_note(conn, incident_id, current_user.id, request.form.get("note", ""))


ACTS: dict[str, Act] = {"status": _set_status, "assign": _assign, "note": _note}


def _answer(page: str, id_arg: str, subject_id: int, panel: PanelOf,
            error: str = "") -> Response | tuple[str, int]:
    """htmx gets the panel back (422 with the message when refused); a plain form post is redirected
    to the subject's page, the message flashed."""
    if request.headers.get("HX-Request") == "true":
        with state().engine.connect() as conn:
            shown = panel(conn, subject_id)
        return render_template("partials/triage.html", panel=shown, error=error), (422 if error else 200)
    if error:
        flash(error, "error")
    return redirect(_url(f"{page}.show", id_arg, subject_id))


def _view(page: str, id_arg: str, act: Act, incident_of: IncidentOf, panel: PanelOf) -> Callable[..., Any]:
    @require_role("analyst")
    def view(**ids: int) -> Response | tuple[str, int]:
        subject_id = ids[id_arg]
        try:
            with state().engine.begin() as conn:
                act(conn, incident_of(conn, subject_id))
        except TriageError as exc:
            return _answer(page, id_arg, subject_id, panel, str(exc))
        return _answer(page, id_arg, subject_id, panel)

    return view


def add_routes(bp: Blueprint, rule: str, id_arg: str, incident_of: IncidentOf, panel: PanelOf) -> None:
    """``rule``/status, /assign and /note on ``bp`` (POST, analysts and admins), each acting on the
    incident ``incident_of(conn, id)``; ``rule`` is the page's URL, with ``<int:id_arg>`` in it."""
    for form, act in ACTS.items():
        bp.add_url_rule(f"{rule}/{form}", endpoint=ENDPOINTS[form], methods=["POST"],
                        view_func=_view(bp.name, id_arg, act, incident_of, panel))
