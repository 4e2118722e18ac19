"""The replay origin: signed links, sandbox headers, no cookies, nothing but replayable types."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask

from tests.web.conftest import WebEnv
from web import create_replay_app
from web.replay import make_token, read_token


@pytest.fixture(scope="module")
def replay(shared_env: WebEnv) -> Iterator[Flask]:
    app = create_replay_app(shared_env.config)
    yield app
    app.extensions["spillwatch_pywb"].stop()


def replay_path(env: WebEnv, capture_id: int) -> str:
    html = env.client("analyst").get(f"/captures/{capture_id}/view").get_data(as_text=True)
    src = re.search(r'<iframe class="replay" sandbox src="([^"]+)"', html)
    assert src
    origin = env.app.extensions["spillwatch"].replay_url
    assert src.group(1).startswith(origin + "/replay/")
    return src.group(1)[len(origin):]


def test_archived_page_is_served_sandboxed(shared_env: WebEnv, replay: Flask) -> None:
    moved = replay.test_client().get(replay_path(shared_env, shared_env.archive.evil))
    assert moved.status_code == 302 and "/archive/" in moved.headers["Location"]  # to pywb (test_replay_browse)
    assert moved.headers["Content-Security-Policy"].startswith("sandbox;")
    response = replay.test_client().get(moved.headers["Location"])
    assert response.status_code == 200
    assert b"Detention statistics" in response.data  # the archived page, its scripts inert
    csp = response.headers["Content-Security-Policy"]
    assert csp.startswith("sandbox;") and "default-src 'none'" in csp and "script-src" not in csp
    assert f"frame-ancestors {shared_env.settings.effective_base_url}" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Set-Cookie" not in response.headers
    assert response.mimetype == "text/html"


def test_replay_needs_a_valid_unexpired_token(shared_env: WebEnv, replay: Flask) -> None:
    http = replay.test_client()
    assert http.get("/replay/forged-token").status_code == 404
    other_key = shared_env.settings.replace(secret_key="another-key")
    assert http.get("/replay/" + make_token(other_key, shared_env.archive.evil, 1)).status_code == 404
    token = make_token(shared_env.settings, shared_env.archive.evil, 1)
    assert read_token(shared_env.settings, token) == shared_env.archive.evil
    import time

    time.sleep(1.1)
    from itsdangerous import SignatureExpired

    with pytest.raises(SignatureExpired):
        read_token(shared_env.settings, token, max_age=0)


def test_documents_are_not_replayed(shared_env: WebEnv, replay: Flask) -> None:
    response = replay.test_client().get(replay_path(shared_env, shared_env.archive.table))
    assert response.status_code == 415
    assert b"download original" in response.data
    assert response.headers["Content-Security-Policy"].startswith("sandbox;")


def test_replay_origin_sets_no_cookie_and_has_no_ui(shared_env: WebEnv, replay: Flask) -> None:
    http = replay.test_client()
    for url in ("/", "/login", "/findings", "/api/v1/findings"):
        response = http.get(url)
        assert "Set-Cookie" not in response.headers
        assert b"<form" not in response.data


def test_replay_origin_follows_the_host_when_listening_everywhere(make_env, tmp_path) -> None:
    from tests.web.conftest import PASSWORDS, csrf_from, settings_for

    env = make_env(settings_for(tmp_path, web_host="0.0.0.0", replay_host="0.0.0.0", replay_port=9471))
    http = env.anonymous()
    lan = "http://spillwatch.lan:8470"
    token = csrf_from(http.get("/login", base_url=lan).get_data(as_text=True))
    http.post("/login", data={"name": "analyst", "password": PASSWORDS["analyst"], "csrf_token": token}, base_url=lan)
    html = http.get(f"/captures/{env.archive.evil}/view", base_url=lan).get_data(as_text=True)
    assert 'sandbox src="http://spillwatch.lan:9471/replay/' in html
    response = http.get("/", base_url=lan)
    assert "frame-src http://spillwatch.lan:9471" in response.headers["Content-Security-Policy"]
    replay = create_replay_app(env.config).test_client().get("/")
    assert "frame-ancestors http: https:" in replay.headers["Content-Security-Policy"]
