"""Incidents in the UI: the list with filters and paging, an incident's page (file link, linking page and
its diff, capture, timeline in words, findings grouped, masked samples that scroll) and its triage."""

from __future__ import annotations

import re

from sqlalchemy import select

from core.catalog.schema import findings, incident_events, incidents
from tests.web.archive import BASE
from tests.web.conftest import WebEnv


def _incident_of(env: WebEnv, finding_id: int) -> int:
    with env.engine.connect() as conn:
        return int(conn.execute(select(findings.c.incident_id).where(findings.c.id == finding_id)).scalar_one())


def test_list_filters_and_pages(env: WebEnv) -> None:
    viewer = env.client("viewer")
    page = viewer.get("/incidents").get_data(as_text=True)
    assert f"{BASE}/files/detainees.csv" in page and f"{BASE}/files/release.zip" in page
    assert 'href="/incidents"' in page  # the nav link
    assert "Table of people" in page
    assert "0 min" not in re.sub(r"\d0 min", "", page)  # "under a minute", never "0 min"
    none = viewer.get("/incidents?severity=low").get_data(as_text=True)
    assert "No incidents match." in none
    dismissed = viewer.get("/incidents?status=dismissed").get_data(as_text=True)
    assert "No incidents match." in dismissed
    assert viewer.get("/incidents?status=closed").status_code == 400
    assert viewer.get("/incidents?site=agency&page=9").status_code == 200


def test_incident_page_leads_to_the_file_page_diff_capture_and_findings(env: WebEnv) -> None:
    a = env.archive
    incident_id = _incident_of(env, a.finding)
    analyst = env.client("analyst")
    page = analyst.get(f"/incidents/{incident_id}").get_data(as_text=True)
    assert f'<a href="{BASE}/files/detainees.csv" rel="noreferrer nofollow"' in page
    assert f'<a href="{BASE}/statistics" rel="noreferrer nofollow"' in page  # the page that linked it
    assert f'/captures/{a.page_v2}/diff?to={a.page_v1}' in page  # the change that added the link
    assert f'href="/captures/{a.table}"' in page and f'href="/captures/{a.table}/download"' in page
    assert f'href="/findings/{a.finding}"' in page
    assert "Published (first seen)" in page and "Online for at least 1 d" in page
    assert 'role="region"' in page and 'tabindex="0"' in page  # the sample scrolls, by keyboard too
    assert a.a_name not in page  # the sample is masked
    assert analyst.get("/incidents/99999").status_code == 404
    finding = analyst.get(f"/findings/{a.finding}").get_data(as_text=True)
    assert f'href="/incidents/{incident_id}"' in finding and "triage applies to the whole file" in finding
    assert "at least 0" not in finding


def test_triage_on_the_incident(env: WebEnv) -> None:
    a = env.archive
    incident_id = _incident_of(env, a.finding)
    analyst = env.client("analyst")
    base = f"/incidents/{incident_id}"
    refused = analyst.post(f"{base}/status", {"status": "dismissed"}, headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "dismissing needs a reason" in refused.get_data(as_text=True)
    assert analyst.post(f"{base}/status", {"status": "confirmed", "note": "real list"}).status_code == 302
    analyst.post(f"{base}/note", {"note": "called the press office"})
    analyst.post(f"{base}/assign", {"assignee": str(env.users["analyst"].id)})
    analyst.post(f"{base}/status", {"status": "reported"})
    panel = analyst.post(f"{base}/status", {"status": "removed", "removed_at": "2022-11-28T14:10"},
                         headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in panel and "status-removed" in panel
    with env.engine.connect() as conn:
        row = conn.execute(select(incidents).where(incidents.c.id == incident_id)).mappings().one()
        statuses = set(conn.execute(select(findings.c.status).where(findings.c.incident_id == incident_id))
                       .scalars())
        events = [(e.event, e.user_id) for e in conn.execute(
            select(incident_events).where(incident_events.c.incident_id == incident_id)
            .order_by(incident_events.c.id))]
    assert row["status"] == "removed" and statuses == {"removed"}
    assert row["triaged_at"] is not None and row["reported_at"] is not None
    assert row["assignee_id"] == env.users["analyst"].id
    analyst_id = env.users["analyst"].id
    assert events == [("status", analyst_id), ("note", analyst_id), ("assign", analyst_id),
                      ("status", analyst_id), ("status", analyst_id)]
    page = analyst.get(base).get_data(as_text=True)
    assert "Online for 1 d 5 h" in page and "Reported to the agency" in page and "called the press office" in page
    assert "Not seen removed yet" not in page


def test_viewer_cannot_triage_incidents(env: WebEnv) -> None:
    incident_id = _incident_of(env, env.archive.finding)
    viewer = env.client("viewer")
    actions = (("status", {"status": "confirmed"}), ("note", {"note": "x"}), ("assign", {"assignee": "none"}))
    for action, data in actions:
        assert viewer.post(f"/incidents/{incident_id}/{action}", data).status_code == 403
    page = viewer.get(f"/incidents/{incident_id}").get_data(as_text=True)
    assert "Viewers cannot triage." in page and "/download" not in page


def test_api_lists_and_shows_incidents(env: WebEnv) -> None:
    a = env.archive
    incident_id = _incident_of(env, a.finding)
    headers = {"Authorization": f"Bearer {env.token('viewer')}"}
    client = env.anonymous()
    listed = client.get("/api/v1/incidents?status=all", headers=headers).get_json()
    assert listed["total"] == 2 and {i["url"] for i in listed["incidents"]} == {
        f"{BASE}/files/detainees.csv", f"{BASE}/files/release.zip"}
    assert client.get("/api/v1/incidents?severity=urgent", headers=headers).status_code == 400
    assert client.get("/api/v1/incidents").status_code == 401
    body = client.get(f"/api/v1/incidents/{incident_id}", headers=headers).get_json()
    assert body["url"] == f"{BASE}/files/detainees.csv" and body["page_url"] == f"{BASE}/statistics"
    assert body["exposure"].startswith("online for at least 1 d") and body["timeline"][0]["event"] == "first_seen"
    assert sorted(f["id"] for f in body["findings"]) == sorted(body["finding_ids"]) and a.finding in body["finding_ids"]
    assert a.a_name not in str(body)
    assert client.get("/api/v1/incidents/99999", headers=headers).status_code == 404
    doc = client.get("/api/v1/openapi.json").get_json()
    assert {"/incidents", "/incidents/{incident_id}"} <= set(doc["paths"])
    assert "Incident" in doc["components"]["schemas"]
