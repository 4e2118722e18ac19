"""Two-factor login (TOTP, recovery codes), the password policy and per-account lockout (issue 13)."""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from core.catalog.schema import recovery_codes
from tests.web.conftest import PASSWORDS, TOTP_SECRET, WebEnv, csrf_from, reset_totp_step, settings_for
from web import accounts


def password_step(http: FlaskClient, name: str, password: str, **kwargs: Any) -> Any:
    token = csrf_from(http.get("/login").get_data(as_text=True))
    return http.post("/login", data={"name": name, "password": password, "csrf_token": token}, **kwargs)


def code_step(http: FlaskClient, path: str, code: str) -> Any:
    token = csrf_from(http.get(path).get_data(as_text=True))
    return http.post(path, data={"code": code, "csrf_token": token})


def test_admins_need_their_code(env: WebEnv) -> None:
    http = env.anonymous()
    first = password_step(http, "admin", PASSWORDS["admin"])
    assert first.status_code == 302 and first.headers["Location"].startswith("/login/verify")
    assert http.get("/").status_code == 302  # the password alone opens nothing
    assert http.get("/users").status_code == 302
    assert code_step(http, "/login/verify", "000000").status_code == 401
    reset_totp_step(env, "admin")
    code = pyotp.TOTP(TOTP_SECRET).now()
    assert code_step(http, "/login/verify", code).status_code == 302
    assert http.get("/users").status_code == 200
    # the same code cannot be used twice
    again = env.anonymous()
    password_step(again, "admin", PASSWORDS["admin"])
    assert code_step(again, "/login/verify", code).status_code == 401


def test_recovery_codes_work_once_and_are_stored_hashed(env: WebEnv) -> None:
    from web import two_factor

    with env.engine.begin() as conn:
        codes = two_factor.new_recovery_codes(conn, env.users["admin"].id)
        stored = list(conn.execute(select(recovery_codes.c.code_hash)).scalars())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert not any(code in "".join(stored) for code in codes)
    http = env.anonymous()
    password_step(http, "admin", PASSWORDS["admin"])
    assert code_step(http, "/login/verify", codes[3]).status_code == 302
    other = env.anonymous()
    password_step(other, "admin", PASSWORDS["admin"])
    assert code_step(other, "/login/verify", codes[3]).status_code == 401


def test_an_admin_without_two_factor_enrols_first(env: WebEnv) -> None:
    with env.engine.begin() as conn:
        admin = accounts.create(conn, "root2", "admin", "another admin pass 77")
    http = env.anonymous()
    first = password_step(http, "root2", "another admin pass 77")
    assert first.headers["Location"].startswith("/login/enrol")
    assert http.get("/").status_code == 302
    page = http.get("/login/enrol").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page)
    assert secret
    assert code_step(http, "/login/enrol", "123456").status_code == 401
    shown = code_step(http, "/login/enrol", pyotp.TOTP(secret.group(1)).now())
    assert shown.status_code == 200
    codes = re.findall(r'<li class="recovery">([0-9a-f]{5}-[0-9a-f]{5})</li>', shown.get_data(as_text=True))
    assert len(codes) == 10
    assert http.get("/users").status_code == 200
    with env.engine.connect() as conn:
        enrolled = accounts.get(conn, admin.id)
    assert enrolled is not None and enrolled.totp_enabled


@pytest.mark.parametrize("target", ["https://evil.example/phish", "//evil.example/", "javascript:alert(1)"])
def test_enrolment_continue_link_stays_on_site(env: WebEnv, target: str) -> None:
    """The recovery-codes page's Continue link is the login's ``next``: only same-site paths."""
    with env.engine.begin() as conn:
        accounts.create(conn, "root3", "admin", "another admin pass 78")
    http = env.anonymous()
    token = csrf_from(http.get("/login").get_data(as_text=True))
    http.post("/login", data={"name": "root3", "password": "another admin pass 78", "next": target,
                              "csrf_token": token})
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', http.get("/login/enrol").get_data(as_text=True))
    assert secret
    shown = code_step(http, "/login/enrol", pyotp.TOTP(secret.group(1)).now()).get_data(as_text=True)
    link = re.search(r'<a class="button primary" href="([^"]*)">Continue</a>', shown)
    assert link and link.group(1) == "/", link


def test_policy_all_asks_everybody(make_env, tmp_path) -> None:
    env = make_env(settings_for(tmp_path, two_factor="all"))
    assert password_step(env.anonymous(), "viewer", PASSWORDS["viewer"]).headers["Location"].startswith(
        "/login/enrol")
    default = make_env(settings_for(tmp_path / "b"))
    assert password_step(default.anonymous(), "viewer", PASSWORDS["viewer"]).headers["Location"] == "/"


@pytest.mark.parametrize("password, problem", [
    ("Xk9#mQ2$vL7", "at least 12 characters"),  # strong but short
    ("password1234", "too easy to guess"),
    ("dana-dana-dana-dana", "too easy to guess"),
    ("viewer12345678", "too easy to guess"),  # the user's own name
])
def test_password_policy(env: WebEnv, password: str, problem: str) -> None:
    with env.engine.begin() as conn, pytest.raises(accounts.AccountError, match=problem):
        accounts.create(conn, "viewer2" if "viewer" not in password else "viewer", "viewer", password)


def test_account_lockout_spans_addresses(env: WebEnv) -> None:
    limit = env.settings.login_lockout_failures
    for n in range(limit):
        response = password_step(env.anonymous(), "viewer", f"wrong password {n}",
                                 environ_base={"REMOTE_ADDR": f"10.0.{n}.1"})
        assert response.status_code == 401
    locked = password_step(env.anonymous(), "viewer", PASSWORDS["viewer"], environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert locked.status_code == 429 and "locked" in locked.get_data(as_text=True)
    with env.engine.begin() as conn:  # an admin setting a new password unlocks it
        accounts.set_password(conn, env.users["viewer"].id, "a fresh viewer password 9")
    assert password_step(env.anonymous(), "viewer", "a fresh viewer password 9").status_code == 302
