"""The disclosure page and API over the web test archive: viewers read it (masked), analysts report,
sweep and build evidence; the printable report and the evidence download; the API's roles."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from core.catalog.incidents import get_incident
from core.catalog.schema import audit_log, findings
from core.config import Config
from disclosure import signing
from tests.web.conftest import PASSWORDS, Client, WebEnv
from web import create_app


def _incident(env: WebEnv) -> int:
    with env.engine.connect() as conn:
        query = select(findings.c.incident_id).where(findings.c.id == env.archive.finding)
        return int(conn.execute(query).scalar_one())


def test_viewer_sees_the_page_masked_and_cannot_act(env: WebEnv) -> None:
    incident_id = _incident(env)
    viewer = env.client("viewer")
    page = viewer.get(f"/incidents/{incident_id}/disclosure")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Report to the publisher" in html and "Exposure" in html
    assert env.archive.a_name not in html
    assert "Send by e-mail" not in html  # no action forms for viewers
    assert viewer.post(f"/incidents/{incident_id}/disclosure/report", {"method": "by_hand"}).status_code == 403
    report = viewer.get(f"/incidents/{incident_id}/report.html")
    assert report.status_code == 200 and "@media print" in report.get_data(as_text=True)
    assert env.archive.a_name not in report.get_data(as_text=True)
    assert "script-src" not in report.headers["Content-Security-Policy"]


def test_analyst_reports_by_hand_and_the_incident_is_reported(env: WebEnv) -> None:
    incident_id = _incident(env)
    analyst = env.client("analyst")
    html = analyst.get(f"/incidents/{incident_id}/disclosure").get_data(as_text=True)
    assert "Record as sent by hand" in html and env.archive.a_name not in html
    response = analyst.post(f"/incidents/{incident_id}/disclosure/report",
                            {"method": "by_hand", "to": "https://agency.example.gov/contact", "note": "form #12"})
    assert response.status_code == 302
    with env.engine.connect() as conn:
        incident = get_incident(conn, incident_id)
        actions = conn.execute(select(audit_log.c.action)).scalars().all()
    assert incident is not None and incident.status == "reported"
    assert "disclosure_by_hand" in actions
    assert "form #12" not in html and "analyst" in analyst.get(f"/incidents/{incident_id}/disclosure").get_data(
        as_text=True)


def test_sweep_without_archives_says_what_to_configure(env: WebEnv) -> None:
    incident_id = _incident(env)
    analyst = env.client("analyst")
    analyst.post(f"/incidents/{incident_id}/disclosure/sweep")
    assert "disclosure.mirrors" in analyst.get(f"/incidents/{incident_id}/disclosure").get_data(as_text=True)


def test_evidence_built_from_the_page_and_downloaded_audited(env: WebEnv, tmp_path: Path) -> None:
    incident_id = _incident(env)
    key = tmp_path / "key.pem"
    signing.generate_key(key)
    app = create_app(Config(settings=env.settings.replace(evidence_signing_key=str(key)), sites=env.config.sites),
                     engine=env.engine)
    app.config["TESTING"] = True
    analyst = Client(app, "analyst", PASSWORDS["analyst"])
    assert analyst.post(f"/incidents/{incident_id}/disclosure/evidence").status_code == 302
    html = analyst.get(f"/incidents/{incident_id}/disclosure").get_data(as_text=True)
    assert "not time-stamped" in html
    name = next(part.split('"')[0] for part in html.split(f"/incidents/{incident_id}/disclosure/evidence/")[1:])
    download = analyst.get(f"/incidents/{incident_id}/disclosure/evidence/{name}")
    assert download.status_code == 200 and download.headers["Content-Disposition"].startswith("attachment")
    assert analyst.get(f"/incidents/{incident_id}/disclosure/evidence/..%2Fkey.pem").status_code == 404
    with env.engine.connect() as conn:
        assert ("download", f"evidence:{incident_id}") in conn.execute(
            select(audit_log.c.action, audit_log.c.target)).all()


def test_api_overview_and_roles(env: WebEnv) -> None:
    incident_id = _incident(env)
    http = env.anonymous()
    viewer = {"Authorization": f"Bearer {env.token('viewer')}"}
    analyst = {"Authorization": f"Bearer {env.token('analyst')}"}
    assert http.get(f"/api/v1/incidents/{incident_id}/disclosure").status_code == 401
    body = http.get(f"/api/v1/incidents/{incident_id}/disclosure", headers=viewer).get_json()
    assert body["incident_id"] == incident_id and body["exposure"] and body["reports"] == []
    assert http.post(f"/api/v1/incidents/{incident_id}/disclosure/report", json={"method": "by_hand"},
                     headers=viewer).status_code == 403
    done = http.post(f"/api/v1/incidents/{incident_id}/disclosure/report",
                     json={"method": "by_hand", "to": ["x@agency.example.gov"], "note": "phone"}, headers=analyst)
    assert done.status_code == 200 and done.get_json()["reports"][0]["method"] == "by_hand"
    draft = http.get(f"/api/v1/incidents/{incident_id}/disclosure/draft", headers=viewer).get_json()
    assert "agency.example.gov" in draft["body"] and env.archive.a_name not in draft["body"]
    assert http.get("/api/v1/incidents/999999/disclosure", headers=viewer).status_code == 404


def test_the_finding_page_links_to_the_disclosure_page(env: WebEnv) -> None:
    html = env.client("viewer").get(f"/findings/{env.archive.finding}").get_data(as_text=True)
    assert f"/incidents/{_incident(env)}/disclosure" in html


def test_the_printable_report_carries_the_incident_history(env: WebEnv) -> None:
    incident_id = _incident(env)
    analyst = env.client("analyst")
    analyst.post(f"/incidents/{incident_id}/disclosure/report", {"method": "by_hand", "to": "", "note": "phoned"})
    html = analyst.get(f"/incidents/{incident_id}/report.html").get_data(as_text=True)
    assert "Status confirmed → reported — phoned (analyst)" in html


def test_the_incident_page_links_to_the_disclosure_page(env: WebEnv) -> None:
    incident_id = _incident(env)
    html = env.client("viewer").get(f"/incidents/{incident_id}").get_data(as_text=True)
    assert f"/incidents/{incident_id}/disclosure" in html and f"/incidents/{incident_id}/report.html" in html


def test_the_disclosure_routes_are_in_the_openapi_document(env: WebEnv) -> None:
    paths = env.anonymous().get("/api/v1/openapi.json").get_json()["paths"]
    for suffix in ("", "/draft", "/report", "/sweep", "/evidence"):
        assert f"/incidents/{{incident_id}}/disclosure{suffix}" in paths
