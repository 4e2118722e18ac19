"""The Atom feed of new incidents: a token-protected URL that needs no session, valid Atom, masked,
filtered by site and severity, revocable, and dead for a disabled user."""

from __future__ import annotations

import re

from lxml import etree
from sqlalchemy import update

from core.catalog.schema import users
from tests.web.archive import BASE
from tests.web.conftest import WebEnv

ATOM = "{http://www.w3.org/2005/Atom}"


def _new_feed(env: WebEnv, role: str = "viewer") -> str:
    page = env.client(role).post("/feeds/tokens", {"label": "reader"}, follow_redirects=True).get_data(as_text=True)
    match = re.search(r"http://[^\s<]+/feeds/(swf_[A-Za-z0-9_-]+)/incidents\.atom", page)
    assert match, "the new feed URL is shown once"
    return match.group(1)


def _entries(body: bytes) -> list[etree._Element]:
    root = etree.fromstring(body)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None
    entries = root.findall(f"{ATOM}entry")
    for entry in entries:  # RFC 4287: id, title, updated, and a link (no content element)
        assert all(entry.find(f"{ATOM}{name}") is not None for name in ("id", "title", "updated", "link"))
    return entries


def test_feed_needs_no_session_and_is_masked(env: WebEnv) -> None:
    token = _new_feed(env)
    anonymous = env.anonymous()
    response = anonymous.get(f"/feeds/{token}/incidents.atom")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/atom+xml")
    body = response.get_data()
    entries = _entries(body)
    assert len(entries) == 2
    text = body.decode()
    assert "CRITICAL" in text or "HIGH" in text
    assert "/incidents/" in text and "records" in text
    assert env.archive.a_name not in text
    assert f"{BASE}/files/detainees.csv" not in text  # file URLs are masked like in alerts
    assert "d********.csv" in text


def test_filters_by_site_and_severity(env: WebEnv) -> None:
    token = _new_feed(env)
    client = env.anonymous()
    assert len(_entries(client.get(f"/feeds/{token}/incidents.atom?site=agency").get_data())) == 2
    assert _entries(client.get(f"/feeds/{token}/incidents.atom?site=other").get_data()) == []
    assert _entries(client.get(f"/feeds/{token}/incidents.atom?severity=low").get_data()) == []
    assert len(_entries(client.get(f"/feeds/{token}/incidents.atom?min_severity=low").get_data())) == 2
    assert client.get(f"/feeds/{token}/incidents.atom?severity=urgent").status_code == 400


def test_unknown_revoked_and_disabled_feeds_are_gone(env: WebEnv) -> None:
    anonymous = env.anonymous()
    assert anonymous.get("/feeds/swf_nothing/incidents.atom").status_code == 404
    assert anonymous.get("/feeds/").status_code in (302, 404)  # the management page needs a login
    assert anonymous.get("/feeds").status_code == 302
    token = _new_feed(env, "analyst")
    page = env.client("analyst").get("/feeds").get_data(as_text=True)
    assert token not in page and "reader" in page  # only the hash is kept
    token_id = re.search(r'/feeds/tokens/(\d+)/revoke', page)
    assert token_id
    env.client("viewer").post(f"/feeds/tokens/{token_id.group(1)}/revoke")  # not theirs: nothing happens
    assert anonymous.get(f"/feeds/{token}/incidents.atom").status_code == 200
    env.client("analyst").post(f"/feeds/tokens/{token_id.group(1)}/revoke")
    assert anonymous.get(f"/feeds/{token}/incidents.atom").status_code == 404
    second = _new_feed(env, "viewer")
    with env.engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == env.users["viewer"].id).values(disabled=True))
    assert anonymous.get(f"/feeds/{second}/incidents.atom").status_code == 404
