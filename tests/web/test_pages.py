"""Every page for each role: content, masking for viewers, audit of unmasked views, inert markup."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.catalog.schema import audit_log
from tests.web.archive import XSS_NAME
from tests.web.conftest import WebEnv


def audit_actions(env: WebEnv) -> list[tuple[str, str]]:
    with env.engine.connect() as conn:
        return [(r.action, r.target) for r in conn.execute(select(audit_log).order_by(audit_log.c.id))]


@pytest.mark.parametrize("role", ["admin", "analyst", "viewer"])
def test_dashboard(shared_env: WebEnv, role: str) -> None:
    html = shared_env.client(role).get("/").get_data(as_text=True)
    assert "open critical" in html and "Open findings, worst first" in html
    assert "Agency of Examples" in html  # crawl health lists the configured site
    assert "Changes worth a look" in html and "/statistics" in html
    assert "Alert delivery failures" in html


def test_search_page(shared_env: WebEnv) -> None:
    client = shared_env.client("viewer")
    html = client.get("/search?q=monthly+figures").get_data(as_text=True)
    assert "<mark>Monthly</mark>" in html and "<mark>figures</mark>" in html
    assert f"/captures/{shared_env.archive.page_v2}" in html
    partial = client.get("/search?q=monthly", headers={"HX-Request": "true", "HX-Target": "results"})
    assert "<html" not in partial.get_data(as_text=True) and "<mark>" in partial.get_data(as_text=True)
    assert client.get("/search?from=yesterday").status_code == 400


def test_search_masks_snippets_of_documents_with_findings(shared_env: WebEnv) -> None:
    first, last = shared_env.archive.a_name.split(" ", 1)
    html = shared_env.client("analyst").get(f"/search?q={first}").get_data(as_text=True)
    assert "Snippet masked" in html
    assert shared_env.archive.a_name not in html


def test_capture_page_masked_for_viewer(shared_env: WebEnv) -> None:
    a = shared_env.archive
    viewer = shared_env.client("viewer")
    html = viewer.get(f"/captures/{a.table}").get_data(as_text=True)
    assert "Full Name" in html and "masked" in html
    assert a.a_name not in html
    assert "View archived page" not in html and "Download original" not in html and "Show unmasked" not in html
    assert viewer.get(f"/captures/{a.table}?unmasked=1").status_code == 403
    assert viewer.get(f"/captures/{a.table}/download").status_code == 403
    assert viewer.get(f"/captures/{a.evil}/view").status_code == 403
    assert viewer.get(f"/captures/{a.table_v2}/diff?to={a.table}&unmasked=1").status_code == 403


def test_analyst_unmasked_view_is_audited(env: WebEnv) -> None:
    a = env.archive
    analyst = env.client("analyst")
    masked = analyst.get(f"/captures/{a.table}").get_data(as_text=True)
    assert a.a_name not in masked and "Show unmasked (audited)" in masked
    assert ("view_unmasked", f"capture:{a.table}") not in audit_actions(env)
    unmasked = analyst.get(f"/captures/{a.table}?unmasked=1").get_data(as_text=True)
    assert a.a_name in unmasked
    assert ("view_unmasked", f"capture:{a.table}") in audit_actions(env)
    audit = env.client("admin").get("/audit?unmasked=1").get_data(as_text=True)
    assert "view_unmasked" in audit and "analyst" in audit


def test_capture_timeline_and_findings(shared_env: WebEnv) -> None:
    a = shared_env.archive
    html = shared_env.client("analyst").get(f"/captures/{a.table_v2}").get_data(as_text=True)
    assert "Table of people" in html and "critical" in html
    assert f"/captures/{a.table_v2}/diff?to={a.table}" in html
    assert "rows that each describe one person" in html
    assert shared_env.client("viewer").get("/captures/999999").status_code == 404


def test_text_diff(shared_env: WebEnv) -> None:
    a = shared_env.archive
    html = shared_env.client("viewer").get(f"/captures/{a.page_v2}/diff?to={a.page_v1}").get_data(as_text=True)
    assert "op-add" in html and "Monthly figures for November." in html
    assert "op-del" in html and "Monthly figures for October." in html
    default = shared_env.client("viewer").get(f"/captures/{a.page_v2}/diff").get_data(as_text=True)
    assert "Monthly figures for November." in default


def test_table_diff_rows_masked_then_unmasked(env: WebEnv) -> None:
    a = env.archive
    viewer_html = env.client("viewer").get(f"/captures/{a.table_v2}/diff?to={a.table}").get_data(as_text=True)
    assert "1 rows added" in viewer_html and "3 removed" in viewer_html and "masked" in viewer_html
    removed_name = a.table_bytes.decode().splitlines()[-1].split(",")[0]
    assert removed_name not in viewer_html
    analyst_html = env.client("analyst").get(f"/captures/{a.table_v2}/diff?to={a.table}&unmasked=1"
                                             ).get_data(as_text=True)
    assert removed_name in analyst_html
    assert ("view_unmasked", f"diff:{a.table}..{a.table_v2}") in audit_actions(env)


def test_download_is_an_attachment_and_audited(env: WebEnv) -> None:
    a = env.archive
    response = env.client("analyst").get(f"/captures/{a.xss_file}/download")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "<" not in disposition and ">" not in disposition
    assert 'filename="img_src_x_onerror_alert_1_.csv"' in disposition
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.data.startswith(b"District,Count")
    table = env.client("analyst").get(f"/captures/{a.table}/download")
    assert table.data == a.table_bytes
    assert ("download", f"capture:{a.table}") in audit_actions(env)


def test_markup_in_archived_content_renders_inert(shared_env: WebEnv) -> None:
    a = shared_env.archive
    client = shared_env.client("analyst")
    finding = client.get(f"/findings/{a.zip_finding}").get_data(as_text=True)
    assert XSS_NAME not in finding
    assert "&lt;img src=x onerror=alert(1)&gt;.csv" in finding
    evil = client.get(f"/captures/{a.evil}").get_data(as_text=True)
    assert "<b>statistics</b>" not in evil and "&lt;b&gt;statistics&lt;/b&gt;" in evil
    assert "<script>alert(2)</script>" not in evil
    found = client.get("/search?q=onerror").get_data(as_text=True)
    assert "release.zip" in found and "<img src=x" not in found and "&lt;i" in found
    cell = client.get(f"/captures/{a.xss_file}").get_data(as_text=True)
    assert "<b>North</b>" not in cell and "&lt;b&gt;North&lt;/b&gt;" in cell


def test_replay_page_frames_the_replay_origin_in_a_sandbox(env: WebEnv) -> None:
    a = env.archive
    html = env.client("analyst").get(f"/captures/{a.evil}/view").get_data(as_text=True)
    origin = env.app.extensions["spillwatch"].replay_url
    assert f'<iframe class="replay" sandbox src="{origin}/replay/' in html
    assert ("replay", f"capture:{a.evil}") in audit_actions(env)


@pytest.mark.parametrize("role", ["admin", "analyst", "viewer"])
def test_findings_queue(shared_env: WebEnv, role: str) -> None:
    html = shared_env.client(role).get("/findings").get_data(as_text=True)
    assert "detainees.csv" in html and "critical" in html
    assert ('name="ids"' in html) == (role != "viewer")
    assert shared_env.client(role).get("/findings?status=bogus").status_code == 400
    filtered = shared_env.client(role).get("/findings?status=dismissed").get_data(as_text=True)
    assert "No findings match." in filtered


def test_finding_page(shared_env: WebEnv) -> None:
    a = shared_env.archive
    html = shared_env.client("viewer").get(f"/findings/{a.finding}").get_data(as_text=True)
    assert "Table of people" in html and "Exposure" in html and "masked" in html
    assert "Viewers cannot triage." in html
    assert a.a_name not in html
    analyst = shared_env.client("analyst").get(f"/findings/{a.finding}").get_data(as_text=True)
    assert "Confirm" in analyst and "Dismiss" in analyst
    assert shared_env.client("viewer").get("/findings/999999").status_code == 404


def test_sites_pages(shared_env: WebEnv) -> None:
    html = shared_env.client("viewer").get("/sites").get_data(as_text=True)
    assert "Agency of Examples" in html and "every 6h" in html
    site = shared_env.client("viewer").get("/sites/agency").get_data(as_text=True)
    assert "https://agency.example.gov/" in site and "Crawl history" in site
    assert shared_env.client("viewer").get("/sites/nope").status_code == 404


def test_crawl_now_queues_a_crawl(env: WebEnv) -> None:
    from core.catalog.schema import crawls

    assert env.client("viewer").post("/sites/agency/crawl").status_code == 403
    response = env.client("analyst").post("/sites/agency/crawl", follow_redirects=True)
    assert "Crawl of agency queued" in response.get_data(as_text=True)
    again = env.client("analyst").post("/sites/agency/crawl", follow_redirects=True)
    assert "already queued or running" in again.get_data(as_text=True)
    with env.engine.connect() as conn:
        queued = conn.execute(select(crawls).where(crawls.c.status == "queued")).mappings().all()
    assert [(r["site_id"], r["kind"]) for r in queued] == [("agency", "full")]
    assert env.client("analyst").post("/sites/unknown/crawl").status_code == 404


def test_static_htmx_is_the_pinned_copy(shared_env: WebEnv) -> None:
    import hashlib
    from pathlib import Path

    import web

    readme = (Path(web.__file__).parent / "static" / "README.md").read_text()
    body = shared_env.anonymous().get("/static/htmx.min.js").data
    assert hashlib.sha256(body).hexdigest() in readme
    html = shared_env.client("viewer").get("/").get_data(as_text=True)
    assert 'src="/static/htmx.min.js"' in html and "unpkg" not in html and "cdn" not in html.lower()


def test_viewer_never_sees_table_cells_even_without_findings(shared_env: WebEnv) -> None:
    a = shared_env.archive
    viewer = shared_env.client("viewer").get(f"/captures/{a.xss_file}").get_data(as_text=True)
    assert "South" not in viewer and "S****" in viewer  # an aggregate table, but viewers see masked cells
    analyst = shared_env.client("analyst").get(f"/captures/{a.xss_file}").get_data(as_text=True)
    assert "South" in analyst  # no finding: analysts read it without an audit entry
    page = shared_env.client("viewer").get(f"/captures/{a.page_v2}").get_data(as_text=True)
    assert "Monthly figures for November." in page  # prose of a page is not masked


def test_viewer_search_snippets_of_tables_are_masked(shared_env: WebEnv) -> None:
    viewer = shared_env.client("viewer").get("/search?q=south").get_data(as_text=True)
    assert "South" not in viewer.replace('value="south"', "")  # viewers match masked cells only
    viewer = shared_env.client("viewer").get("/search?q=s*&media_type=text/csv").get_data(as_text=True)
    assert "table cells are masked for viewers" in viewer and "<mark>S</mark>****" in viewer
    analyst = shared_env.client("analyst").get("/search?q=south").get_data(as_text=True)
    assert "<mark>South</mark>" in analyst
