"""Atom feed of new incidents (``/feeds/<token>/incidents.atom``, no session needed) and the page where a
user makes and revokes their feed URLs (``/feeds``).  See :mod:`web.incident_feed`."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from web.audit import record_now
from web.incident_feed import FeedFilter, build_feed, feed_user, issue_feed_token, list_feed_tokens, revoke_feed_token
from web.state import state

bp = Blueprint("feeds", __name__)

ATOM = "application/atom+xml; charset=utf-8"


@bp.route("/feeds/<token>/incidents.atom")
def incidents(token: str) -> Response:
    """The feed; 404 for an unknown, revoked or disabled user's token (nothing to tell it apart)."""
    try:
        flt = FeedFilter.parse(request.args)
    except ValueError as exc:
        abort(400, description=str(exc))
    web = state()
    with web.engine.begin() as conn:
        if feed_user(conn, token) is None:
            abort(404, description="No such feed.")
        body = build_feed(conn, flt, base_url=web.config.settings.effective_base_url, self_url=request.url)
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Content-Type"] = ATOM
    response.headers["Cache-Control"] = "private, max-age=60"
    response.headers["Referrer-Policy"] = "no-referrer"  # the URL is the credential
    return response


@bp.route("/feeds")
def index() -> str:
    with state().engine.connect() as conn:
        tokens = list_feed_tokens(conn, current_user.id)
    return render_template("feeds.html", tokens=tokens)


@bp.route("/feeds/tokens", methods=["POST"])
def create() -> BaseResponse:
    label = request.form.get("label", "")
    with state().engine.begin() as conn:
        token = issue_feed_token(conn, current_user.id, label)
    record_now(state().engine, current_user.id, "feed_token_created", f"user:{current_user.id}", {"label": label[:200]})
    url = url_for("feeds.incidents", token=token, _external=True)
    flash(f"Your new feed URL (shown once; keep it private, it is the password of the feed): {url}")
    return redirect(url_for("feeds.index"))


@bp.route("/feeds/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke(token_id: int) -> BaseResponse:
    with state().engine.begin() as conn:
        done = revoke_feed_token(conn, token_id, current_user.id)
    if done:
        record_now(state().engine, current_user.id, "feed_token_revoked", f"feed_token:{token_id}")
        flash("The feed URL is revoked: readers using it get nothing from now on.")
    else:
        flash("No such feed URL of yours (or it was revoked already).", "error")
    return redirect(url_for("feeds.index"))
