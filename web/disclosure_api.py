"""JSON API of the disclosure workflow, under ``/api/v1`` with the API's token authentication and
roles (web/api.py): an incident's disclosure overview, reporting it, sweeping the public archives,
building an evidence package (docs/disclosure.md)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, jsonify, request
from flask_wtf.csrf import CSRFProtect

from core.catalog.incidents import Incident, get_incident
from disclosure import actions, notify
from disclosure.overview import overview
from disclosure.signing import SigningError
from disclosure.timestamping import TimestampError
from indexer.wacz_export import ExportError
from web import api
from web.state import state

# nested in the API blueprint (registered there at import, before any app registers it): its bearer-token
# authentication, the login exemption of "api." endpoints and the /api/v1 prefix all apply
bp = Blueprint("disclosure_api", __name__)
api.bp.register_blueprint(bp)


def _incident(incident_id: int) -> Incident:
    with state().engine.connect() as conn:
        incident = get_incident(conn, incident_id)
    if incident is None:
        abort(404, description=f"no incident {incident_id}")
    return incident


def _overview(incident_id: int) -> dict[str, Any]:
    incident = _incident(incident_id)
    with state().engine.connect() as conn:
        return overview(conn, state().config, incident)


@bp.route("/incidents/<int:incident_id>/disclosure")
def disclosure(incident_id: int) -> Any:
    return jsonify(_overview(incident_id))


@bp.route("/incidents/<int:incident_id>/disclosure/draft")
def draft(incident_id: int) -> Any:
    _incident(incident_id)
    with state().engine.connect() as conn:
        message = notify.draft(conn, state().config, incident_id)
    return jsonify(subject=message.subject, body=message.body, recipients=message.recipients,
                   other_contacts=message.other_contacts)


@bp.route("/incidents/<int:incident_id>/disclosure/report", methods=["POST"])
def report(incident_id: int) -> Any:
    """``{"method": "email"|"by_hand", "to": ["a@b"], "note": "…"}``; ``to`` defaults to the site's e-mail contacts."""
    api._require("analyst")
    _incident(incident_id)
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or data.get("method", "email") not in ("email", "by_hand"):
        return jsonify(error="Bad Request", message='send {"method": "email" or "by_hand", "to": [...]}'), 400
    to = data.get("to")
    if to is not None and not (isinstance(to, list) and all(isinstance(a, str) for a in to)):
        return jsonify(error="Bad Request", message="to: expected a list of addresses"), 400
    try:
        with state().engine.begin() as conn:
            message = notify.draft(conn, state().config, incident_id)
            recipients = to if to is not None else message.recipients
            if data.get("method") == "by_hand":
                notify.record_by_hand(conn, message, recipients, api.user().id, str(data.get("note") or ""))
            else:
                notify.send_email(conn, state().config, message, recipients, api.user().id)
    except notify.NotifyError as exc:
        return jsonify(error="Conflict", message=str(exc)), 409
    return jsonify(_overview(incident_id))


@bp.route("/incidents/<int:incident_id>/disclosure/sweep", methods=["POST"])
def sweep(incident_id: int) -> Any:
    api._require("analyst")
    incident = _incident(incident_id)
    try:
        with state().engine.begin() as conn:
            actions.sweep(conn, state().config, incident, api.user().id)
    except ValueError as exc:
        return jsonify(error="Conflict", message=str(exc)), 409
    return jsonify(_overview(incident_id))


@bp.route("/incidents/<int:incident_id>/disclosure/evidence", methods=["POST"])
def evidence(incident_id: int) -> Any:
    api._require("analyst")
    incident = _incident(incident_id)
    try:
        with state().engine.begin() as conn:
            summary = actions.evidence(conn, state().config, incident, api.user().id)
    except (SigningError, TimestampError, ExportError, LookupError) as exc:
        return jsonify(error="Conflict", message=str(exc)), 409
    return jsonify(name=summary.path.name, digest=summary.digest, fingerprint=summary.fingerprint,
                   stamped_at=summary.stamped_at.isoformat() if summary.stamped_at else None,
                   records=summary.records)


def init_app(app: Flask) -> None:
    csrf: CSRFProtect = app.extensions["csrf"]
    csrf.exempt(bp)
