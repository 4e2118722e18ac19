"""Side doors found by an attacker's review (issue 13): the audit log, the replay origin's headers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from tests.web.conftest import WebEnv, csrf_from
from web import create_replay_app
from web.audit import recent


def test_a_password_typed_as_user_name_is_not_stored(env: WebEnv) -> None:
    """Hole 6: a failed login records the name only when it is an account's name."""
    http = env.anonymous()
    slip = "Tr0ub4dor&3-horse-battery"
    form = {"name": slip, "password": "", "csrf_token": csrf_from(http.get("/login").get_data(as_text=True))}
    assert http.post("/login", data=form).status_code == 401
    form["name"] = "viewer"
    form["password"] = "wrong-password-x"
    assert http.post("/login", data=form).status_code == 401
    with env.engine.connect() as conn:
        entries = recent(conn, action="login_failed")
    assert len(entries) == 2
    assert slip not in repr(entries)
    assert {e["target"] for e in entries} == {"viewer", ""}
    unknown = next(e for e in entries if e["target"] == "")
    assert unknown["details"].get("unknown_user") is True


@pytest.fixture(scope="module")
def replay(shared_env: WebEnv) -> Flask:
    return create_replay_app(shared_env.config)


@pytest.mark.parametrize("method, path", [
    ("OPTIONS", "/"), ("OPTIONS", "/replay/anything"), ("POST", "/"), ("PUT", "/replay/x"),
    ("DELETE", "/"), ("GET", "/nowhere"), ("GET", "/replay/forged"),
])
def test_every_replay_answer_is_sandboxed(replay: Flask, method: str, path: str) -> None:
    """Hole 8: 405, OPTIONS and error answers carry the sandbox headers too."""
    response = replay.test_client().open(path, method=method)
    assert response.headers.get("Content-Security-Policy", "").startswith("sandbox;"), (method, path)
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert "Set-Cookie" not in response.headers


def test_replay_server_error_is_sandboxed(shared_env: WebEnv) -> None:
    app = create_replay_app(shared_env.config)

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("broken")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert response.headers.get("Content-Security-Policy", "").startswith("sandbox;")


def test_check_config_warns_when_replay_shares_the_ui_host(tmp_path) -> None:
    """Hole 8: browsers send a host's cookies to every port of it, so replay needs its own host name."""
    from tests.core.test_config_file import run_cli

    shared = tmp_path / "shared.yml"
    shared.write_text("settings:\n  base_url: https://watch.example.org\n"
                      "  replay_base_url: https://watch.example.org:8471\n")
    result = run_cli("check-config", str(shared))
    assert result.returncode == 0, result.stderr
    assert "warning: replay_base_url" in result.stderr and "watch.example.org" in result.stderr
    separate = tmp_path / "separate.yml"
    separate.write_text("settings:\n  base_url: https://watch.example.org\n"
                        "  replay_base_url: https://replay.watch-example.net\n")
    result = run_cli("check-config", str(separate))
    assert result.returncode == 0 and "warning" not in result.stderr


@pytest.mark.parametrize("path, secret", [
    ("/feeds/swf_s3cretFeedToken/incidents.atom", "swf_s3cretFeedToken"),
    ("/replay/eyJjIjo1fQ.signed/archive/2022id_/https://a.example/", "eyJjIjo1fQ.signed"),
])
def test_access_log_holds_no_url_credential(caplog: pytest.LogCaptureFixture, path: str, secret: str) -> None:
    """A feed URL is the feed's password and a replay link a grant: neither goes to the access log."""
    from web.server import QuietAccessLog

    def app(environ: dict[str, str], start_response: Callable[..., object]) -> list[bytes]:
        start_response("200 OK", [])
        return [b""]

    with caplog.at_level("INFO", logger="spillwatch.web"):
        QuietAccessLog(app)({"PATH_INFO": path, "REQUEST_METHOD": "GET", "REMOTE_ADDR": "192.0.2.1",
                             "QUERY_STRING": "q=Maria"}, lambda status, headers: None)
    logged = caplog.text
    assert "GET" in logged and " 200" in logged
    assert secret not in logged and "Maria" not in logged
