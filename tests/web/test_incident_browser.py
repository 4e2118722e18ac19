"""The incident page in a real browser (headless Chromium through Playwright): from the nav to the
incident, its timeline and masked sample, triage through htmx; a screenshot is kept as an artifact."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from core.catalog.schema import findings
from tests.web.test_browser import SHOTS, Live, browser, live, login, page  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.browser


def test_incident_page_timeline_sample_and_triage(page: Any, live: Live) -> None:  # noqa: F811
    a = live.env.archive
    with live.env.engine.connect() as conn:
        incident_id, sample = conn.execute(select(findings.c.incident_id, findings.c.sample)
                                           .where(findings.c.id == a.finding)).one()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 900, "height": 900})
    login(page, live)
    page.click("nav >> text=Incidents")
    page.wait_for_url("**/incidents")
    page.click(f"a[href='/incidents/{incident_id}'] >> nth=0")
    page.wait_for_url(f"**/incidents/{incident_id}")
    assert "Online for at least 1 d" in page.locator("p.exposure").inner_text()
    steps = page.locator("ol.timeline li").all_inner_texts()
    assert steps[0].startswith("Published (first seen)") and "Not seen removed yet." in steps[-1]
    link = page.locator("p.url a").first
    assert link.get_attribute("rel") == "noreferrer nofollow"
    region = page.locator("div.scroll[role=region]").first
    region.focus()  # reachable by keyboard, so it scrolls with the arrow keys
    assert page.evaluate("document.activeElement.getAttribute('role')") == "region"
    cells = region.locator("tbody tr").first.locator("td").count()
    assert cells == len(sample[0])  # every column of the sample
    assert a.a_name not in page.content()
    page.screenshot(path=str(SHOTS / "incident.png"), full_page=True)

    page.fill("form.transition:has(input[value=confirmed]) input[name=note]", "real detainee list")
    page.click("form.transition:has(input[value=confirmed]) button")
    page.wait_for_selector("#triage .status-confirmed")
    assert "Status new → confirmed" in page.locator("#triage ol.history").inner_text()
    page.goto(f"{live.url}/findings/{a.finding}")
    assert "confirmed" in page.locator(".triage h2").inner_text()
