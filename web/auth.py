"""Login, logout, sessions and roles.

Sessions live on the server (:mod:`web.sessions`): the cookie holds a random key whose hash names a
row in the catalog, so logout and account changes end them at once.

Every page requires login (``login_required`` is applied app-wide in the factory, not per view, so a
new view cannot forget it).  Roles rank viewer < analyst < admin: viewers read masked data only;
analysts also triage and may view unmasked data (audited); admins also manage users.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from sqlalchemy import Connection
from werkzeug.wrappers import Response

from web import accounts, sessions, two_factor
from web.accounts import Account
from web.audit import record
from web.state import state

bp = Blueprint("auth", __name__)

F = TypeVar("F", bound=Callable[..., Any])

# Endpoints reachable without a session: the login page, static files and the API (token auth).
# feeds.incidents: a feed reader cannot log in; the token in its URL is checked by the view
PUBLIC_ENDPOINTS = frozenset({"auth.login", "static", "two_factor.verify", "two_factor.enrol", "feeds.incidents"})


class WebUser(UserMixin):  # type: ignore[misc]
    """The logged-in account as Flask-Login sees it."""

    def __init__(self, account: Account, session_key: str) -> None:
        self.account = account
        self.session_key = session_key

    def get_id(self) -> str:
        # what Flask-Login keeps in the signed cookie: the account and the server-side session's key
        return f"{self.account.id}:{self.session_key}"

    @property
    def session_row(self) -> str:
        return sessions.session_id(self.session_key)

    @property
    def id(self) -> int:
        return self.account.id

    @property
    def name(self) -> str:
        return self.account.name

    @property
    def role(self) -> str:
        return self.account.role

    def at_least(self, role: str) -> bool:
        return self.account.at_least(role)

    @property
    def can_triage(self) -> bool:
        return self.at_least("analyst")

    @property
    def can_unmask(self) -> bool:
        return self.at_least("analyst")

    @property
    def is_admin(self) -> bool:
        return self.at_least("admin")


def _load_user(cookie_id: str) -> WebUser | None:
    """The user of a live server-side session (see :mod:`web.sessions`), else None (log in again)."""
    raw_id, _, key = cookie_id.partition(":")
    if not raw_id.isdigit() or not key:
        return None
    web = state()
    with web.engine.begin() as conn:
        found = sessions.find(conn, sessions.session_id(key), idle=web.settings.session_idle_timeout,
                              lifetime=web.settings.session_lifetime)
        if found is None or found.user_id != int(raw_id):
            return None
        account = accounts.get(conn, found.user_id)
        if account is None or account.disabled:
            sessions.end(conn, found.id)
            return None
        sessions.touch(conn, found)
    return WebUser(account, key)


def init_app(app: Flask) -> None:
    manager = LoginManager()
    manager.login_view = "auth.login"
    manager.login_message = "Please log in."
    manager.session_protection = "strong"
    manager.user_loader(_load_user)
    manager.init_app(app)
    app.register_blueprint(bp)

    @app.before_request
    def _require_login() -> Response | None:
        endpoint = request.endpoint or ""
        if endpoint in PUBLIC_ENDPOINTS or endpoint.startswith("api."):
            return None
        if not current_user.is_authenticated:
            return manager.unauthorized()  # type: ignore[no-any-return]
        return None


def require_role(role: str) -> Callable[[F], F]:
    """Refuse (403) users below ``role``."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated or not current_user.at_least(role):
                abort(403, description=f"This needs the {role} role.")
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def client_address() -> str:
    return request.remote_addr or "unknown"


def safe_next(target: str | None) -> str:
    """Only same-site paths: ``next`` must not send the user to another site after login."""
    if not target:
        return url_for("dashboard.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("dashboard.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    if request.method == "GET":
        return render_template("login.html", next=request.args.get("next", ""))
    name = request.form.get("name", "")[:128]
    password = request.form.get("password", "")[:1024]
    web = state()
    address = client_address()
    wait = web.limiter.blocked(name, address)
    if wait:
        minutes = max(1, round(wait / 60))
        return render_template("login.html", next=request.form.get("next", ""), name=name,
                               error=f"Too many failed logins. Try again in {minutes} minute(s)."), 429
    with web.engine.begin() as conn:
        known = accounts.by_name(conn, name) if name.strip() else None
        locked = known is not None and accounts.locked_for(known) > 0
        account = None if locked else accounts.authenticate(conn, name, password)
        if locked and known is not None:
            record(conn, known.id, "login_locked", known.name, {"address": address})
        elif account is None:
            web.limiter.failed(name, address)
            record_failed_login(conn, name, address)
            if known is not None:  # per account, whatever the address
                accounts.login_failed(conn, known, web.settings.login_lockout_failures,
                                      web.settings.login_lockout_time)
        else:
            web.limiter.succeeded(name, address)
    if locked:
        return render_template("login.html", next=request.form.get("next", ""), name=name,
                               error="This account is locked after too many failed logins. Try again later "
                                     "or ask an admin to set a new password."), 429
    if account is None:
        return render_template("login.html", next=request.form.get("next", ""), name=name,
                               error="Wrong user name or password."), 401
    if account.totp_enabled or two_factor.required(account, web.settings.two_factor):
        return two_factor_step(account, request.form.get("next", ""))
    return complete_login(account, address)


def complete_login(account: Account, address: str, two_factor_used: bool = False) -> Response:
    """Both steps passed: audit, reset the failure count and start a server-side session."""
    with state().engine.begin() as conn:
        accounts.login_succeeded(conn, account)
        record(conn, account.id, "login", account.name, {"address": address, "two_factor": two_factor_used})
    start_session(account, address)
    return redirect(safe_next(request.form.get("next") or session.pop("login_next", None)))


def start_session(account: Account, address: str) -> None:
    with state().engine.begin() as conn:
        sessions.sweep(conn, state().settings.session_lifetime)
        key = sessions.start(conn, account.id, address)
    next_page = session.get("login_next")
    session.clear()  # no session fixation: a fresh session for the logged-in user
    if next_page:
        session["login_next"] = next_page
    session.permanent = True
    login_user(WebUser(account, key))


def two_factor_step(account: Account, next_page: str) -> Response:
    """The password was right; the code comes next (enrolment first if the account has none)."""
    session.clear()
    session["mfa"] = {"u": account.id, "at": time.time()}
    session["login_next"] = next_page
    target = "two_factor.verify" if account.totp_enabled else "two_factor.enrol"
    return redirect(url_for(target))


def record_failed_login(conn: Connection, name: str, address: str) -> None:
    """Audit a failed login under the account's name only when such an account exists: people type
    their password into the name field, and that must not end up in the log admins read."""
    known = accounts.by_name(conn, name) if name.strip() else None
    if known is not None:
        record(conn, known.id, "login_failed", known.name, {"address": address})
    else:
        record(conn, None, "login_failed", "", {"address": address, "unknown_user": True})


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    if current_user.is_authenticated:
        with state().engine.begin() as conn:
            sessions.end(conn, current_user.session_row)
    logout_user()
    session.clear()
    flash("You are logged out.")
    return redirect(url_for("auth.login"))
