"""Login, sessions, cookies, rate limiting, roles, CSRF: every page needs a login, every form a token."""

from __future__ import annotations

import pytest

from tests.web.conftest import PASSWORDS, WebEnv, csrf_from

# Every UI route (GET) with the ids of the shared archive filled in by ``expand``.
PAGES = ["/", "/search", "/search?q=statistics", "/findings", "/findings/{finding}", "/captures/{table}",
         "/captures/{table_v2}/diff", "/captures/{page_v2}/diff?to={page_v1}", "/captures/{evil}/view",
         "/captures/{table}/download", "/sites", "/sites/agency", "/alerts", "/users", "/audit"]
# Every form (POST) of the UI.
FORMS = ["/logout", "/findings/{finding}/status", "/findings/{finding}/note", "/findings/{finding}/assign",
         "/findings/bulk", "/sites/agency/crawl", "/alerts/retry", "/users", "/users/{admin_id}"]


def expand(env: WebEnv, url: str) -> str:
    return url.format(admin_id=env.users["admin"].id, **env.archive.as_dict())


@pytest.mark.parametrize("page", PAGES)
def test_no_page_works_without_login(shared_env: WebEnv, page: str) -> None:
    response = shared_env.anonymous().get(expand(shared_env, page))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("form", FORMS)
def test_every_form_rejects_a_missing_csrf_token(shared_env: WebEnv, form: str) -> None:
    client = shared_env.client("admin")
    response = client.post(expand(shared_env, form), {"status": "confirmed", "note": "x"}, csrf=False)
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    bad = client.post(expand(shared_env, form), {"csrf_token": "forged"}, csrf=False)
    assert bad.status_code == 400


def test_login_form_rejects_a_missing_csrf_token(shared_env: WebEnv) -> None:
    response = shared_env.anonymous().post("/login", data={"name": "admin", "password": PASSWORDS["admin"]})
    assert response.status_code == 400


def test_login_and_logout(env: WebEnv) -> None:
    http = env.anonymous()
    token = csrf_from(http.get("/login").get_data(as_text=True))
    wrong = http.post("/login", data={"name": "analyst", "password": "nope-nope-nope", "csrf_token": token})
    assert wrong.status_code == 401 and "Wrong user name or password" in wrong.get_data(as_text=True)
    ok = http.post("/login", data={"name": "analyst", "password": PASSWORDS["analyst"], "csrf_token": token,
                                   "next": "/findings"})
    assert ok.status_code == 302 and ok.headers["Location"] == "/findings"
    cookie = ok.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert "Strict-Transport-Security" not in ok.headers  # plain http: the header would be ignored
    assert http.get("/findings").status_code == 200
    page = http.get("/").get_data(as_text=True)
    out = http.post("/logout", data={"csrf_token": csrf_from(page)})
    assert out.status_code == 302
    assert http.get("/findings").status_code == 302


def test_next_never_leaves_the_site(env: WebEnv) -> None:
    http = env.anonymous()
    token = csrf_from(http.get("/login").get_data(as_text=True))
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = http.post("/login", data={"name": "viewer", "password": PASSWORDS["viewer"], "csrf_token": token,
                                             "next": target})
        assert response.headers["Location"] == "/"
        http.post("/logout", data={"csrf_token": csrf_from(http.get("/").get_data(as_text=True))})
        token = csrf_from(http.get("/login").get_data(as_text=True))


def test_secure_cookies_behind_https(make_env, tmp_path) -> None:
    from tests.web.conftest import settings_for

    env = make_env(settings_for(tmp_path, base_url="https://spillwatch.example.org"))
    http = env.anonymous()
    token = csrf_from(http.get("/login").get_data(as_text=True))
    ok = http.post("/login", data={"name": "viewer", "password": PASSWORDS["viewer"], "csrf_token": token},
                   headers={"Referer": "https://localhost/login"}, base_url="https://localhost")
    assert ok.status_code == 302
    assert "Secure" in ok.headers["Set-Cookie"] and "HttpOnly" in ok.headers["Set-Cookie"]
    # browsers that once reached the UI over https do not fall back to http (a stripped first request)
    assert ok.headers["Strict-Transport-Security"].startswith("max-age=")
    assert int(ok.headers["Strict-Transport-Security"].split("=")[1]) >= 180 * 86400


def test_login_rate_limited(env: WebEnv) -> None:
    http = env.anonymous()
    token = csrf_from(http.get("/login").get_data(as_text=True))
    for _ in range(env.settings.login_max_failures):
        assert http.post("/login", data={"name": "admin", "password": "wrong-password", "csrf_token": token}
                         ).status_code == 401
    blocked = http.post("/login", data={"name": "admin", "password": PASSWORDS["admin"], "csrf_token": token})
    assert blocked.status_code == 429
    assert "Too many failed logins" in blocked.get_data(as_text=True)
    # another user from the same address is not locked out by these failures
    other = http.post("/login", data={"name": "viewer", "password": PASSWORDS["viewer"], "csrf_token": token})
    assert other.status_code == 302


def test_disabled_user_and_password_change_end_sessions(env: WebEnv) -> None:
    from web import accounts

    analyst = env.client("analyst")
    assert analyst.get("/findings").status_code == 200
    with env.engine.begin() as conn:
        accounts.set_password(conn, env.users["analyst"].id, "a-brand-new-password")
    assert analyst.get("/findings").status_code == 302
    viewer = env.client("viewer")
    with env.engine.begin() as conn:
        accounts.set_disabled(conn, env.users["viewer"].id, True)
    assert viewer.get("/findings").status_code == 302


def test_security_headers(shared_env: WebEnv) -> None:
    response = shared_env.client("viewer").get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert f"frame-src {shared_env.app.extensions['spillwatch'].replay_url}" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize("page", ["/users", "/audit"])
def test_admin_pages_need_admin(shared_env: WebEnv, page: str) -> None:
    assert shared_env.client("analyst").get(page).status_code == 403
    assert shared_env.client("viewer").get(page).status_code == 403
    assert shared_env.client("admin").get(page).status_code == 200


def test_argon2_hashes_only(shared_env: WebEnv) -> None:
    from sqlalchemy import select

    from core.catalog.schema import users

    with shared_env.engine.connect() as conn:
        hashes = list(conn.execute(select(users.c.password_hash)).scalars())
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(p in h for h in hashes for p in PASSWORDS.values())


def test_rate_limit_uses_the_forwarded_address_behind_a_trusted_proxy(make_env, tmp_path) -> None:
    from tests.web.conftest import settings_for

    env = make_env(settings_for(tmp_path, trusted_proxies=1, login_max_failures=1))
    http = env.anonymous()
    token = csrf_from(http.get("/login").get_data(as_text=True))

    def attempt(address: str, name: str, password: str) -> int:
        return http.post("/login", data={"name": name, "password": password, "csrf_token": token},
                         headers={"X-Forwarded-For": address}).status_code

    for name in ("a", "b", "c", "d"):  # 4 × 1 failures from one address
        attempt("203.0.113.7", name, "wrong-password")
    assert attempt("203.0.113.7", "viewer", PASSWORDS["viewer"]) == 429
    assert attempt("198.51.100.9", "viewer", PASSWORDS["viewer"]) == 302  # another client behind the proxy
