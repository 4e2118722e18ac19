"""The app factories: ``create_app(config)`` for the UI and ``create_replay_app(config)`` for the
separate replay origin (docs/architecture.md §5 rule 3).  Datasette-style: everything comes from the settings, and
tests drive the app through Flask's in-process test client.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy import Engine
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from core.catalog import open_catalog
from core.config import Config
from core.settings import Settings
from web import api, auth, disclosure_api, templating
from web.crawl_queue import queue_trigger
from web.origins import current_replay_origin, replay_origin
from web.ratelimit import LoginLimiter
from web.secret import secret_key
from web.state import EXTENSION, CrawlTrigger, WebState
from web.views import (
    alerts,
    api_docs,
    captures,
    charts,
    dashboard,
    disclosure,
    feeds,
    findings,
    incidents,
    screenshots,
    search,
    sites,
    two_factor,
    users,
)

# The UI itself loads nothing from elsewhere; only the replay origin may be framed.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; frame-src {replay}")


HSTS_SECONDS = 365 * 86400


def as_config(config_or_settings: Config | Settings) -> Config:
    if isinstance(config_or_settings, Config):
        return config_or_settings
    return Config(settings=config_or_settings)


def _configure(app: Flask, settings: Settings) -> None:
    https = settings.effective_base_url.startswith("https://")
    app.config.update(
        SECRET_KEY=secret_key(settings),
        SESSION_COOKIE_NAME="spillwatch_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=https,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=https,
        PERMANENT_SESSION_LIFETIME=timedelta(seconds=settings.session_lifetime),
        WTF_CSRF_TIME_LIMIT=None,  # tokens live as long as the session
        WTF_CSRF_SSL_STRICT=https,
        MAX_CONTENT_LENGTH=2 * 2**20,
        JSON_SORT_KEYS=False,
    )


def create_app(config: Config | Settings, *, engine: Engine | None = None,
               crawl_now: CrawlTrigger | None = None) -> Flask:
    """The web UI and JSON API.

    ``config``: a :class:`~core.config.Config` (settings, sites, alert routes) or bare
    :class:`~core.settings.Settings`.  ``engine``: an open catalog (default: ``open_catalog``).
    ``crawl_now(site_id) -> message``: what the "crawl now" button calls (default: queue a full crawl in
    the catalog's crawl queue, which the service's crawl worker runs).
    """
    cfg = as_config(config)
    settings = cfg.settings
    app = Flask(__name__)
    _configure(app, settings)
    catalog = engine if engine is not None else open_catalog(settings)
    web = WebState(config=cfg, engine=catalog, limiter=LoginLimiter(settings.login_max_failures),
                   replay_url=replay_origin(settings), crawl_now=crawl_now or queue_trigger(catalog))
    app.extensions[EXTENSION] = web
    CSRFProtect(app)
    templating.init_app(app)
    auth.init_app(app)
    for blueprint in (dashboard.bp, search.bp, captures.bp, findings.bp, sites.bp, alerts.bp, users.bp,
                      two_factor.bp, screenshots.bp, incidents.bp, feeds.bp, api_docs.bp, charts.bp,
                      disclosure.bp):
        app.register_blueprint(blueprint)
    api.init_app(app)
    disclosure_api.init_app(app)
    if settings.trusted_proxies > 0:  # client address (login rate limit) and scheme as the proxy saw them
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    https = settings.effective_base_url.startswith("https://")

    @app.after_request
    def _headers(response: Response) -> Response:
        if https:  # once reached over https, a browser never tries plain http first (no stripped login)
            response.headers.setdefault("Strict-Transport-Security", f"max-age={HSTS_SECONDS}")
        response.headers.setdefault("Content-Security-Policy", CSP.format(replay=current_replay_origin()))
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> tuple[str, int]:
        return render_template("error.html", code=400, message=f"{exc.description} Reload the page and "
                               "try again."), 400

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        if request.path.startswith("/api/"):
            return jsonify(error=exc.name, message=exc.description), exc.code
        return render_template("error.html", code=exc.code, message=exc.description), exc.code

    return app
