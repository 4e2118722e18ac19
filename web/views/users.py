"""User management (admins): accounts, roles, passwords, API tokens; and the audit log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from core.catalog.schema import USER_ROLES
from web import accounts
from web.accounts import AccountError
from web.audit import recent, record
from web.auth import require_role
from web.state import state

bp = Blueprint("users", __name__)


@bp.route("/users")
@require_role("admin")
def index() -> str:
    with state().engine.connect() as conn:
        people = accounts.all_accounts(conn)
    return render_template("users.html", people=people, roles=USER_ROLES, new_token=None)


@bp.route("/users", methods=["POST"])
@require_role("admin")
def create() -> Response:
    try:
        with state().engine.begin() as conn:
            account = accounts.create(conn, request.form.get("name", ""), request.form.get("role", ""),
                                      request.form.get("password", ""), state().settings.password_min_score)
            record(conn, current_user.id, "user_create", account.name, {"role": account.role})
    except AccountError as exc:
        flash(str(exc), "error")
    else:
        flash(f"User {account.name} created.")
    return redirect(url_for("users.index"))


@bp.route("/users/<int:user_id>", methods=["POST"])
@require_role("admin")
def update(user_id: int) -> Response | str:
    action = request.form.get("action", "")
    new_token = None
    try:
        with state().engine.begin() as conn:
            account = accounts.get(conn, user_id)
            if account is None:
                abort(404, description=f"No user {user_id}.")
            last_admin = account.role == "admin" and not account.disabled and accounts.count_admins(conn) <= 1
            if action == "role":
                role = request.form.get("role", "")
                if last_admin and role != "admin":
                    raise AccountError("the last admin cannot lose the admin role")
                accounts.set_role(conn, user_id, role)
            elif action in ("disable", "enable"):
                if action == "disable" and last_admin:
                    raise AccountError("the last admin cannot be disabled")
                accounts.set_disabled(conn, user_id, action == "disable")
            elif action == "password":
                accounts.set_password(conn, user_id, request.form.get("password", ""),
                                      state().settings.password_min_score)
            elif action == "token":
                new_token = accounts.issue_token(conn, user_id)
            elif action == "revoke":
                accounts.revoke_token(conn, user_id)
            else:
                raise AccountError(f"unknown action {action!r}")
            record(conn, current_user.id, f"user_{action}", account.name,
                   {"role": request.form.get("role", "")} if action == "role" else {})
    except AccountError as exc:
        flash(str(exc), "error")
        return redirect(url_for("users.index"))
    if new_token is not None:
        with state().engine.connect() as conn:
            people = accounts.all_accounts(conn)
        # shown once, in this response only; never stored in the clear or put in a URL
        return render_template("users.html", people=people, roles=USER_ROLES,
                               new_token=(account.name, new_token))
    flash(f"User {account.name}: {action} done.")
    return redirect(url_for("users.index"))


@bp.route("/audit")
@require_role("admin")
def audit() -> str:
    unmasked_only = request.args.get("unmasked") == "1"
    with state().engine.connect() as conn:
        entries = recent(conn, unmasked_only=unmasked_only)
    return render_template("audit.html", entries=entries, unmasked_only=unmasked_only)
