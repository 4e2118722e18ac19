"""Hole 4: sessions live on the server; logout, password change, role change and disabling end them at
once, idle sessions expire, and replay links die with the session and the user."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import update

from tests.web.conftest import PASSWORDS, Client, WebEnv, csrf_from
from web import accounts, create_replay_app


def saved_cookie(client: Client) -> str:
    cookie = client.http.get_cookie("spillwatch_session")
    assert cookie is not None
    return cookie.value


def replay_with(env: WebEnv, cookie: str, path: str = "/findings") -> int:
    """What a browser holding only ``cookie`` (e.g. copied before logout) gets for ``path``."""
    http = env.app.test_client()
    http.set_cookie("spillwatch_session", cookie)
    return int(http.get(path).status_code)


def test_a_saved_cookie_stops_working_after_logout(env: WebEnv) -> None:
    client = Client(env.app, "analyst", PASSWORDS["analyst"])
    cookie = saved_cookie(client)
    assert replay_with(env, cookie) == 200
    client.post("/logout")
    assert replay_with(env, cookie) == 302


def test_logout_ends_only_that_browser(env: WebEnv) -> None:
    first = Client(env.app, "viewer", PASSWORDS["viewer"])
    second = Client(env.app, "viewer", PASSWORDS["viewer"])
    first.post("/logout")
    assert second.get("/findings").status_code == 200


def test_role_change_and_disable_end_sessions_at_once(env: WebEnv) -> None:
    analyst = Client(env.app, "analyst", PASSWORDS["analyst"])
    cookie = saved_cookie(analyst)
    with env.engine.begin() as conn:
        accounts.set_role(conn, env.users["analyst"].id, "viewer")
    assert replay_with(env, cookie) == 302
    viewer = Client(env.app, "viewer", PASSWORDS["viewer"])
    with env.engine.begin() as conn:
        accounts.set_disabled(conn, env.users["viewer"].id, True)
    assert viewer.get("/findings").status_code == 302


def test_idle_sessions_expire(env: WebEnv) -> None:
    from core.catalog.schema import web_sessions

    viewer = Client(env.app, "viewer", PASSWORDS["viewer"])
    assert viewer.get("/findings").status_code == 200
    idle = env.settings.session_idle_timeout
    with env.engine.begin() as conn:
        conn.execute(update(web_sessions).values(last_seen_at=datetime.now(UTC) - timedelta(seconds=idle + 5)))
    assert viewer.get("/findings").status_code == 302


def _replay_src(env: WebEnv, client: Client, capture_id: int) -> str:
    html = client.get(f"/captures/{capture_id}/view").get_data(as_text=True)
    src = re.search(r'<iframe class="replay" sandbox src="([^"]+)"', html)
    assert src
    return src.group(1)[len(env.app.extensions["spillwatch"].replay_url):]


def test_replay_links_die_with_the_session_and_the_user(env: WebEnv) -> None:
    replay: Flask = create_replay_app(env.config)
    analyst = Client(env.app, "analyst", PASSWORDS["analyst"])
    path = _replay_src(env, analyst, env.archive.evil)
    live = replay.test_client().get(path)
    # an HTML capture goes on to pywb under the same token (web.pywb_replay), which checks it again
    assert live.status_code == 302 and live.headers["Location"].startswith(path + "/")
    analyst.post("/logout")
    assert replay.test_client().get(path).status_code == 404
    assert replay.test_client().get(live.headers["Location"]).status_code == 404

    again = Client(env.app, "analyst", PASSWORDS["analyst"])
    path = _replay_src(env, again, env.archive.evil)
    assert replay.test_client().get(path).status_code == 302
    with env.engine.begin() as conn:
        accounts.set_disabled(conn, env.users["analyst"].id, True)
    assert replay.test_client().get(path).status_code == 404


def test_login_page_after_logout_offers_a_fresh_form(env: WebEnv) -> None:
    http = env.anonymous()
    token = csrf_from(http.get("/login").get_data(as_text=True))
    assert http.post("/login", data={"name": "admin", "password": PASSWORDS["admin"],
                                     "csrf_token": token}).status_code == 302
