"""Real browser tests: headless Chromium (Debian's ``chromium``) driven by Playwright, against the UI and
the replay origin served on 127.0.0.1 by the same servers ``spillwatch serve`` uses (``tests/web/live.py``).

Screenshots of the dashboard and a finding's page go to ``test-artifacts/screenshots`` (or
``SPILLWATCH_SCREENSHOT_DIR``) for CI to keep.
"""

# ruff: noqa: F811
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select

from core.catalog.schema import crawls, findings
from tests.web.archive import XSS_NAME

# the fixtures browser, live and page come from tests/web/live.py (F811: the tests take them as arguments)
from tests.web.live import SHOTS, Live, browser, live, login, page  # noqa: F401

pytestmark = pytest.mark.browser


def test_login_search_finding_confirm_diff(page: Any, live: Live) -> None:
    a = live.env.archive
    SHOTS.mkdir(parents=True, exist_ok=True)
    login(page, live)
    assert page.locator(".tile-critical .count").inner_text() != "0"
    page.screenshot(path=str(SHOTS / "dashboard.png"), full_page=True)

    page.click("nav >> text=Search")
    page.fill("input[name=q]", "monthly november")
    page.click("form.search button[type=submit]")
    page.wait_for_selector(".hit mark")
    assert "q=monthly" in page.url and "november" in page.url  # htmx pushed the URL, so the result can be shared
    assert page.locator(".hit mark").first.inner_text().lower() == "monthly"
    page.check("input[name=media_type][value='text/html']")  # a facet narrows the results in place
    page.wait_for_url("**media_type=text%2Fhtml**")
    assert page.locator(".hit").count() == 1

    page.click("nav >> text=Findings")
    page.click(f"a[href='/findings/{a.finding}'] >> nth=0")
    page.wait_for_url(f"**/findings/{a.finding}")
    assert "Table of people" in page.locator("h2").first.inner_text()
    page.screenshot(path=str(SHOTS / "finding.png"), full_page=True)
    # a transition the server refuses (422) shows its message in the panel (the browser's 'required' removed)
    page.evaluate("() => document.querySelector('.triage input[placeholder^=reason]').removeAttribute('required')")
    page.click(".triage button[value=dismissed]")
    page.wait_for_selector(".triage .flash.error")
    assert "needs a reason" in page.locator(".triage .flash.error").inner_text()
    page.fill(".triage form:has(input[value=confirmed]) input[name=note]", "real list, checked")
    page.click(".triage button[value=confirmed]")
    page.wait_for_selector(".triage .status-confirmed")
    assert "real list, checked" in page.locator("ol.history").inner_text()
    with live.env.engine.connect() as conn:
        assert conn.execute(select(findings.c.status).where(findings.c.id == a.finding)).scalar() == "confirmed"

    page.goto(f"{live.url}/captures/{a.page_v2}")
    page.click(f"a[href='/captures/{a.page_v2}/diff?to={a.page_v1}']")
    page.wait_for_selector("pre.diff")
    assert "Monthly figures for November." in page.locator(".op-add").all_inner_texts()[0]
    assert "Monthly figures for October." in page.locator(".op-del").all_inner_texts()[0]
    assert page.dialogs == []


def test_replayed_script_cannot_read_the_app_cookie(page: Any, live: Live) -> None:
    a = live.env.archive
    login(page, live)
    session = [c for c in page.context.cookies(live.url) if c["name"] == "spillwatch_session"]
    assert session and session[0]["httpOnly"]
    page.goto(f"{live.url}/captures/{a.evil}/view")
    frame_element = page.wait_for_selector("iframe.replay")
    assert frame_element.get_attribute("sandbox") == ""
    frame = frame_element.content_frame()
    frame.wait_for_selector("#out")
    assert frame.url.startswith(live.replay_url + "/replay/")
    assert "Detention statistics" in frame.locator("h1").inner_text()
    # the archived script did not run: it would have written the cookies it could read into #out
    assert frame.locator("#out").inner_text() == "untouched"
    cookie_seen = frame.evaluate("() => { try { return document.cookie; } catch (e) { return 'denied: ' + e.name; } }")
    assert session[0]["value"] not in cookie_seen
    assert "owned" not in page.locator("body").inner_text()
    # opened on its own (not framed), the sandbox header still keeps the script inert
    direct = page.context.new_page()
    direct.goto(frame.url)
    assert direct.locator("#out").inner_text() == "untouched"
    direct.close()
    page.wait_for_timeout(300)
    assert live.beacon_hits == []  # nothing was sent out: no image, no fetch
    assert page.dialogs == []


def test_markup_in_names_and_archived_text_is_inert(page: Any, live: Live) -> None:
    a = live.env.archive
    login(page, live)
    page.goto(f"{live.url}/findings/{a.zip_finding}")
    assert XSS_NAME in page.locator("dl.meta-grid").inner_text()  # shown as text…
    assert page.locator("img[src=x]").count() == 0  # …never as an element
    page.goto(f"{live.url}/captures/{a.evil}")
    assert page.locator("h1").inner_text() == "Archived <b>statistics</b> page"
    assert "<script>alert(2)</script>" in page.locator("pre.archived-text").inner_text()
    page.goto(f"{live.url}/captures/{a.xss_file}")
    assert "<b>North</b>" in page.locator("table.data").inner_text()
    assert page.locator("table.data b").count() == 0
    page.goto(f"{live.url}/search?q=onerror")
    assert page.locator("img[src=x]").count() == 0
    page.wait_for_timeout(200)
    assert page.dialogs == []


def test_viewer_sees_masked_data_only(page: Any, live: Live) -> None:
    a = live.env.archive
    login(page, live, "viewer")
    page.goto(f"{live.url}/captures/{a.table}")
    text = page.locator("table.data").first.inner_text()
    assert a.a_name not in text and "*" in text
    assert page.locator("text=View archived page").count() == 0
    page.goto(f"{live.url}/findings/{a.finding}")
    assert page.locator(".triage button").count() == 0


def _image_drawn(page: Any, selector: str) -> bool:
    return bool(page.eval_on_selector(selector, "img => img.complete && img.naturalWidth > 0"))


def test_charts_and_capture_calendar_render(page: Any, live: Live) -> None:
    a = live.env.archive
    SHOTS.mkdir(parents=True, exist_ok=True)
    login(page, live)
    page.wait_for_load_state("networkidle")
    assert _image_drawn(page, "figure.chart img[src='/charts/findings.svg']")  # the SVG loaded under its CSP
    assert "critical" in page.locator(".lead tbody tr").first.inner_text().lower()
    page.screenshot(path=str(SHOTS / "dashboard-lead.png"), full_page=True)
    page.goto(f"{live.url}/captures/{a.table_v2}")
    day = page.locator(".calendar td.has-captures a").first
    assert " on 2022-11-2" in day.inner_text() or " on 2022-11-2" in (day.text_content() or "")
    page.locator(".calendar").screenshot(path=str(SHOTS / "calendar.png"))
    day.focus()  # keyboard users see where they are
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"
    started = datetime.now(UTC) - timedelta(days=3)
    with live.env.engine.begin() as conn:  # a few days of full crawls and watch polls to draw
        conn.execute(insert(crawls), [
            {"site_id": "agency", "kind": "watch" if i % 4 else "full", "status": "finished",
             "started_at": started + timedelta(hours=2 * i), "pages": 1 if i % 4 else 14} for i in range(30)])
    page.goto(f"{live.url}/sites/agency")
    page.wait_for_load_state("networkidle")
    assert _image_drawn(page, "figure.chart img")
    page.screenshot(path=str(SHOTS / "site.png"), full_page=True)
    assert page.dialogs == []
