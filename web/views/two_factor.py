"""The second login step (a TOTP or recovery code), enrolment, and the Account page's two-factor
settings.  Between the steps the signed cookie holds only the account id and when the password was
given (five minutes to finish); nothing is reachable until both steps pass."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from web import accounts, two_factor
from web.accounts import Account
from web.audit import record
from web.auth import client_address, complete_login, safe_next, start_session
from web.state import state

bp = Blueprint("two_factor", __name__)

PENDING_SECONDS = 5 * 60


def _pending() -> Account | None:
    """The account whose password was just given, if that was recently."""
    pending = session.get("mfa")
    if not isinstance(pending, dict) or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    with state().engine.connect() as conn:
        account = accounts.get(conn, int(pending.get("u", 0)))
    return None if account is None or account.disabled else account


def _failed(account: Account, template: str, **context: Any) -> tuple[str, int]:
    web = state()
    with web.engine.begin() as conn:
        accounts.login_failed(conn, account, web.settings.login_lockout_failures, web.settings.login_lockout_time)
        record(conn, account.id, "login_failed", account.name, {"address": client_address(), "step": "code"})
    return render_template(template, error="That code is not valid.", **context), 401


@bp.route("/login/verify", methods=["GET", "POST"])
def verify() -> Any:
    account = _pending()
    if account is None or not account.totp_enabled:
        return redirect(url_for("auth.login"))
    if request.method == "GET":
        return render_template("two_factor_verify.html")
    with state().engine.connect() as conn:
        locked = accounts.locked_for(accounts.get(conn, account.id) or account) > 0
    if locked:
        return render_template("two_factor_verify.html", error="This account is locked after too many failed "
                               "logins. Try again later."), 429
    with state().engine.begin() as conn:
        ok = two_factor.verify(conn, account.id, request.form.get("code", "")[:64])
    if not ok:
        return _failed(account, "two_factor_verify.html")
    session.pop("mfa", None)
    return complete_login(account, client_address(), two_factor_used=True)


def _enrolment_secret(account: Account) -> str:
    """The secret being enrolled (kept in the catalog, not yet enabled, so the cookie never holds it)."""
    from sqlalchemy import select, update

    from core.catalog.schema import users

    with state().engine.begin() as conn:
        secret = conn.execute(select(users.c.totp_secret).where(users.c.id == account.id)).scalar()
        if not secret:
            secret = two_factor.new_secret()
            conn.execute(update(users).where(users.c.id == account.id).values(totp_secret=secret))
    return str(secret)


def _enrol_page(account: Account, **context: Any) -> str:
    secret = _enrolment_secret(account)
    return render_template("two_factor_enrol.html", secret=secret, qr=two_factor.qr_data_uri(secret, account.name),
                           **context)


@bp.route("/login/enrol", methods=["GET", "POST"])
def enrol() -> Any:
    account = _pending()
    if account is None or account.totp_enabled:
        return redirect(url_for("auth.login"))
    if request.method == "GET":
        return _enrol_page(account)
    secret = _enrolment_secret(account)
    with state().engine.begin() as conn:
        ok = two_factor.enrol(conn, account.id, secret, request.form.get("code", "")[:64])
        codes = two_factor.new_recovery_codes(conn, account.id) if ok else []
        if ok:
            accounts.login_succeeded(conn, account)
            record(conn, account.id, "two_factor_enrol", account.name, {"address": client_address()})
            record(conn, account.id, "login", account.name, {"address": client_address(), "two_factor": True})
    if not ok:
        return _failed(account, "two_factor_enrol.html", secret=secret,
                       qr=two_factor.qr_data_uri(secret, account.name))
    start_session(account, client_address())
    return render_template("two_factor_codes.html", codes=codes, next=safe_next(session.pop("login_next", None)))


@bp.route("/account/two-factor", methods=["GET", "POST"])
def account() -> Any:
    """Enrol (or re-enrol) while logged in; turn it off where the policy does not require it."""
    me: Account = current_user.account
    required = two_factor.required(me, state().settings.two_factor)
    if request.method == "GET":
        if me.totp_enabled:
            return render_template("two_factor_account.html", enabled=True, required=required)
        return _enrol_page(me, logged_in=True)
    action = request.form.get("action", "enrol")
    with state().engine.begin() as conn:
        if action == "disable":
            if required:
                abort(403, description="Two-factor login is required for this account.")
            two_factor.disable(conn, me.id)
            record(conn, me.id, "two_factor_disable", me.name, {})
            flash("Two-factor login is off.")
            return redirect(url_for("two_factor.account"))
        if not two_factor.enrol(conn, me.id, _enrolment_secret(me), request.form.get("code", "")[:64]):
            flash("That code is not valid.", "error")
            return redirect(url_for("two_factor.account"))
        codes = two_factor.new_recovery_codes(conn, me.id)
        record(conn, me.id, "two_factor_enrol", me.name, {})
    return render_template("two_factor_codes.html", codes=codes, next=url_for("dashboard.index"))
