"""The JSON API: token auth, roles, masking, triage, OpenAPI."""

from __future__ import annotations

from sqlalchemy import select

from core.catalog.schema import audit_log, finding_events
from tests.web.conftest import WebEnv


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_openapi_is_served(shared_env: WebEnv) -> None:
    response = shared_env.anonymous().get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.")
    assert {"/search", "/captures/{capture_id}", "/findings", "/findings/{finding_id}",
            "/findings/{finding_id}/triage"} <= set(doc["paths"])
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_token_required(shared_env: WebEnv) -> None:
    http = shared_env.anonymous()
    for url in ("/api/v1/search?q=x", "/api/v1/findings", f"/api/v1/captures/{shared_env.archive.table}",
                f"/api/v1/findings/{shared_env.archive.finding}"):
        response = http.get(url)
        assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
        assert http.get(url, headers=auth("sw_not-a-real-token")).status_code == 401
    assert http.post(f"/api/v1/findings/{shared_env.archive.finding}/triage", json={"status": "confirmed"}
                     ).status_code == 401


def test_session_cookie_is_not_accepted_by_the_api(shared_env: WebEnv) -> None:
    """The API has no CSRF tokens, so it must not act on a browser session."""
    logged_in = shared_env.client("admin")
    assert logged_in.get("/api/v1/findings").status_code == 401


def test_search(shared_env: WebEnv) -> None:
    token = shared_env.token("viewer")
    body = shared_env.anonymous().get("/api/v1/search?q=monthly+november&sort=newest", headers=auth(token)).get_json()
    assert body["total"] == 1 and body["hits"][0]["capture_id"] == shared_env.archive.page_v2
    assert any(seg["matched"] and seg["text"] == "Monthly" for frag in body["hits"][0]["highlights"] for seg in frag)
    assert "site" in body["facets"]
    bad = shared_env.anonymous().get("/api/v1/search?severity=apocalyptic", headers=auth(token))
    assert bad.status_code == 400 and "severity" in bad.get_json()["message"]


def test_findings_and_capture_for_viewer_are_masked(shared_env: WebEnv) -> None:
    a = shared_env.archive
    token = shared_env.token("viewer")
    http = shared_env.anonymous()
    listing = http.get("/api/v1/findings?severity=critical", headers=auth(token)).get_json()
    assert listing["total"] >= 2 and {f["severity"] for f in listing["findings"]} == {"critical"}
    finding = http.get(f"/api/v1/findings/{a.finding}", headers=auth(token)).get_json()
    assert finding["kind"] == "person_table" and finding["exposure_seconds"] == 0.0  # seen in one crawl only
    assert a.a_name not in str(finding["sample"])
    capture = http.get(f"/api/v1/captures/{a.table}?text=1", headers=auth(token)).get_json()
    assert capture["has_findings"] and capture["text_masked"] and a.a_name not in capture["text"]
    assert http.get(f"/api/v1/captures/{a.table}?text=1&unmasked=1", headers=auth(token)).status_code == 403
    assert http.post(f"/api/v1/findings/{a.finding}/triage", json={"status": "confirmed"},
                     headers=auth(token)).status_code == 403
    assert http.get("/api/v1/captures/999999", headers=auth(token)).status_code == 404


def test_analyst_unmasked_capture_is_audited(env: WebEnv) -> None:
    a = env.archive
    token = env.token("analyst")
    body = env.anonymous().get(f"/api/v1/captures/{a.table}?text=1&unmasked=1", headers=auth(token)).get_json()
    assert not body["text_masked"] and a.a_name in body["text"]
    with env.engine.connect() as conn:
        actions = [(r.action, r.target) for r in conn.execute(select(audit_log))]
    assert ("api_view_unmasked", f"capture:{a.table}") in actions


def test_triage(env: WebEnv) -> None:
    a = env.archive
    token = env.token("analyst")
    http = env.anonymous()
    url = f"/api/v1/findings/{a.finding}/triage"
    ok = http.post(url, json={"status": "confirmed", "note": "checked", "assignee_id": env.users["analyst"].id},
                   headers=auth(token))
    assert ok.status_code == 200
    body = ok.get_json()
    assert body["status"] == "confirmed" and body["assignee_id"] == env.users["analyst"].id
    assert [h["event"] for h in body["history"]][:2] == ["status", "assign"]
    conflict = http.post(url, json={"status": "new"}, headers=auth(token))
    assert conflict.status_code == 409 and "can become" in conflict.get_json()["message"]
    assert http.post(url, json={"statuz": "x"}, headers=auth(token)).status_code == 400
    assert http.post(url, data="not json", headers=auth(token)).status_code == 400
    assert http.post(url, json={"status": "removed", "removed_at": "soon"}, headers=auth(token)).status_code == 409
    removed = http.post(url, json={"status": "removed", "removed_at": "2022-11-28T14:00:00+00:00"}, headers=auth(token))
    assert removed.get_json()["removed_at"].startswith("2022-11-28T14:00")
    with env.engine.connect() as conn:
        count = len(conn.execute(select(finding_events).where(finding_events.c.finding_id == a.finding,
                                                              finding_events.c.event == "status")).all())
    assert count == 2


def test_revoked_and_disabled_tokens_stop_working(env: WebEnv) -> None:
    from web import accounts

    token = env.token("analyst")
    http = env.anonymous()
    assert http.get("/api/v1/findings", headers=auth(token)).status_code == 200
    with env.engine.begin() as conn:
        accounts.revoke_token(conn, env.users["analyst"].id)
    assert http.get("/api/v1/findings", headers=auth(token)).status_code == 401
    token = env.token("analyst")
    with env.engine.begin() as conn:
        accounts.set_disabled(conn, env.users["analyst"].id, True)
    assert http.get("/api/v1/findings", headers=auth(token)).status_code == 401
