"""Triage through the UI on both catalogs (SQLite and PostgreSQL): transitions act on the finding's
incident (the published file) and write finding_events for each of its findings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.catalog.schema import finding_events, findings
from tests.web.conftest import WebEnv, settings_for


def status_of(env: WebEnv, finding_id: int) -> dict[str, Any]:
    with env.engine.connect() as conn:
        return dict(conn.execute(select(findings).where(findings.c.id == finding_id)).mappings().one())


def events_of(env: WebEnv, finding_id: int) -> list[tuple[str, str | None, str | None, str]]:
    with env.engine.connect() as conn:
        rows = conn.execute(select(finding_events).where(finding_events.c.finding_id == finding_id,
                                                         finding_events.c.event.not_in(("seen", "new")))
                            .order_by(finding_events.c.id))
        return [(r.event, r.from_status, r.to_status, r.note) for r in rows]


def test_triage_life_cycle(make_env, catalog_url: str, tmp_path) -> None:
    env = make_env(settings_for(tmp_path, database_url=catalog_url))
    fid = env.archive.finding
    analyst = env.client("analyst")
    assert analyst.post(f"/findings/{fid}/status", {"status": "reported"}, follow_redirects=True
                        ).status_code == 200
    assert status_of(env, fid)["status"] == "new"  # new cannot jump to reported
    analyst.post(f"/findings/{fid}/status", {"status": "confirmed", "note": "real detainee list"})
    analyst.post(f"/findings/{fid}/note", {"note": "called the agency's FOIA office"})
    analyst.post(f"/findings/{fid}/assign", {"assignee": str(env.users["analyst"].id)})
    analyst.post(f"/findings/{fid}/status", {"status": "reported"})
    analyst.post(f"/findings/{fid}/status", {"status": "removed", "removed_at": "2022-11-28T14:10"})
    row = status_of(env, fid)
    assert row["status"] == "removed" and row["assignee_id"] == env.users["analyst"].id
    assert row["removed_at"].strftime("%Y-%m-%d %H:%M") == "2022-11-28 14:10"
    assert events_of(env, fid) == [
        ("status", "new", "confirmed", "real detainee list"),
        ("note", None, None, "called the agency's FOIA office"),
        ("assign", None, None, "assigned to analyst"),
        ("status", "confirmed", "reported", ""),
        ("status", "reported", "removed", ""),
    ]
    page = analyst.get(f"/findings/{fid}").get_data(as_text=True)
    assert "Online for 1 d 5 h" in page  # exposure: first seen 2022-11-27 09:00 → removed 2022-11-28 14:10
    assert "called the agency" in page


def test_dismiss_needs_a_reason_and_htmx_gets_the_panel(env: WebEnv) -> None:
    fid = env.archive.finding
    analyst = env.client("analyst")
    response = analyst.post(f"/findings/{fid}/status", {"status": "dismissed"}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    panel = response.get_data(as_text=True)
    assert "<html" not in panel and "dismissing needs a reason" in panel
    ok = analyst.post(f"/findings/{fid}/status", {"status": "dismissed", "note": "aggregate"},
                      headers={"HX-Request": "true"})
    assert ok.status_code == 200 and "status-dismissed" in ok.get_data(as_text=True)
    reopened = analyst.post(f"/findings/{fid}/status", {"status": "new"}, follow_redirects=True)
    assert reopened.status_code == 200 and status_of(env, fid)["status"] == "new"


def test_viewer_cannot_triage(env: WebEnv) -> None:
    fid = env.archive.finding
    viewer = env.client("viewer")
    for url, data in ((f"/findings/{fid}/status", {"status": "confirmed"}), (f"/findings/{fid}/note", {"note": "x"}),
                      (f"/findings/{fid}/assign", {"assignee": "none"}), ("/findings/bulk", {"ids": str(fid),
                                                                                             "status": "confirmed"})):
        assert viewer.post(url, data).status_code == 403
    assert status_of(env, fid)["status"] == "new" and events_of(env, fid) == []


def test_assign_only_to_analysts(env: WebEnv) -> None:
    fid = env.archive.finding
    response = env.client("admin").post(f"/findings/{fid}/assign", {"assignee": str(env.users["viewer"].id)},
                                        follow_redirects=True)
    assert "assigned to enabled analysts and admins only" in response.get_data(as_text=True)
    assert status_of(env, fid)["assignee_id"] is None


def test_bulk_actions(env: WebEnv) -> None:
    a = env.archive
    with env.engine.connect() as conn:
        rows = conn.execute(select(findings.c.id, findings.c.incident_id).order_by(findings.c.id)).all()
    ids = [r.id for r in rows]
    # triage acts on the file: confirming the first finding confirms every finding of its incident
    same_file = [r.id for r in rows if r.incident_id == rows[0].incident_id]
    assert len(same_file) == 2  # two versions of detainees.csv: one published file, one incident
    analyst = env.client("analyst")
    analyst.post(f"/findings/{ids[0]}/status", {"status": "confirmed"})
    assert all(status_of(env, i)["status"] == "confirmed" for i in same_file)
    response = analyst.post("/findings/bulk", {"ids": [str(i) for i in ids], "status": "confirmed",
                                               "back": "/findings?status=all"}, follow_redirects=False)
    assert response.status_code == 302 and response.headers["Location"] == "/findings?status=all"
    page = analyst.get("/findings?status=all").get_data(as_text=True)
    assert f"{len(ids) - len(same_file)} finding(s) now confirmed." in page
    assert all(f"#{i} skipped" in page for i in same_file)
    assert all(status_of(env, i)["status"] == "confirmed" for i in ids)
    dismissed = analyst.post("/findings/bulk", {"ids": [str(a.zip_finding)], "status": "dismissed"},
                             follow_redirects=True).get_data(as_text=True)
    assert "needs a reason" in dismissed
    assert analyst.post("/findings/bulk", {"status": "confirmed"}, follow_redirects=True).status_code == 200
