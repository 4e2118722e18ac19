"""Users page (admins) and ``spillwatch users`` / ``spillwatch serve`` on the command line."""

from __future__ import annotations

import io
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from core.catalog import open_catalog
from core.catalog.schema import audit_log
from spillwatch.cli import main
from tests.web.conftest import WebEnv
from web import accounts


def test_admin_manages_users(env: WebEnv) -> None:
    admin = env.client("admin")
    created = admin.post("/users", {"name": "dana", "role": "analyst", "password": "dana-password-1"},
                         follow_redirects=True).get_data(as_text=True)
    assert "User dana created." in created
    short = admin.post("/users", {"name": "eve", "role": "viewer", "password": "short"}, follow_redirects=True)
    assert "at least 12 characters" in short.get_data(as_text=True)
    dup = admin.post("/users", {"name": "dana", "role": "viewer", "password": "dana-password-2"},
                     follow_redirects=True)
    assert "already exists" in dup.get_data(as_text=True)
    with env.engine.connect() as conn:
        dana = accounts.by_name(conn, "dana")
    assert dana is not None and dana.role == "analyst"
    admin.post(f"/users/{dana.id}", {"action": "role", "role": "viewer"})
    token_page = admin.post(f"/users/{dana.id}", {"action": "token"}).get_data(as_text=True)
    token = re.search(r"(sw_[A-Za-z0-9_-]{20,})", token_page)
    assert token and "shown only once" in token_page
    assert env.anonymous().get("/api/v1/findings", headers={"Authorization": f"Bearer {token.group(1)}"}
                               ).status_code == 200
    admin.post(f"/users/{dana.id}", {"action": "disable"})
    with env.engine.connect() as conn:
        dana = accounts.by_name(conn, "dana")
        actions = [r.action for r in conn.execute(select(audit_log.c.action))]
    assert dana is not None and dana.role == "viewer" and dana.disabled and not dana.has_token
    assert {"user_create", "user_role", "user_token", "user_disable"} <= set(actions)


def test_last_admin_is_kept(env: WebEnv) -> None:
    admin_id = env.users["admin"].id
    admin = env.client("admin")
    out = admin.post(f"/users/{admin_id}", {"action": "role", "role": "viewer"}, follow_redirects=True)
    assert "the last admin cannot lose the admin role" in out.get_data(as_text=True)
    out = admin.post(f"/users/{admin_id}", {"action": "disable"}, follow_redirects=True)
    assert "the last admin cannot be disabled" in out.get_data(as_text=True)


def test_analyst_cannot_manage_users(env: WebEnv) -> None:
    analyst = env.client("analyst")
    assert analyst.post("/users", {"name": "x", "role": "admin", "password": "x-password-1"}).status_code == 403
    assert analyst.post(f"/users/{env.users['analyst'].id}", {"action": "role", "role": "admin"}).status_code == 403


def test_users_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path / "data")
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    assert main(["--data-dir", data, "users", "add", "root", "--role", "admin", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["--data-dir", data, "users", "add", "bob", "--role", "viewer", "--password-stdin"]) == 2
    assert "at least 12 characters" in capsys.readouterr().err
    assert main(["--data-dir", data, "users", "token", "root"]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("sw_")
    assert main(["--data-dir", data, "users", "set-role", "root", "analyst"]) == 0
    assert main(["--data-dir", data, "users", "list"]) == 0
    assert re.search(r"root\s+analyst\s+enabled\s+api token", capsys.readouterr().out)
    assert main(["--data-dir", data, "users", "disable", "nobody"]) == 2
    assert "no user named 'nobody'" in capsys.readouterr().err
    from core.settings import resolve

    engine = open_catalog(resolve({"data_dir": data}, {}, {}))
    with engine.connect() as conn:
        account = accounts.authenticate(conn, "root", "a-long-password")
        assert account is not None and accounts.by_token(conn, token) is not None
    engine.dispose()


def test_password_is_never_an_argument() -> None:
    from spillwatch.cli import build_parser

    parser = build_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["users", "add", "x", "--role", "admin", "--password", "secret"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_command(tmp_path: Path) -> None:
    port, replay_port = _free_port(), _free_port()
    process = subprocess.Popen([sys.executable, "-m", "spillwatch", "--data-dir", str(tmp_path / "data"), "serve",
                                "--port", str(port), "--replay-port", str(replay_port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as response:
                    assert response.status == 200 and b"Log in" in response.read()
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{replay_port}/", timeout=2) as response:
            assert response.headers["Content-Security-Policy"].startswith("sandbox;")
    finally:
        process.terminate()
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert f"replay origin on http://127.0.0.1:{replay_port}" in out
    assert "no users yet" in err
