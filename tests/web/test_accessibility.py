"""Every page of the UI is clean of axe-core's serious and moderate violations, in real Chromium, for the
three roles; screenshots of each page are kept under ``test-artifacts/screenshots/a11y``."""

# ruff: noqa: F811
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from core.catalog.schema import findings
from tests.web.axe import axe_script, describe, violations

# the fixtures browser and live come from tests/web/live.py (F811: the tests take them as arguments)
from tests.web.live import SHOTS, Live, browser, live, login, login_admin  # noqa: F401
from tests.web.test_operations import add_deliveries

pytestmark = pytest.mark.browser


@pytest.fixture
def axe_page(browser: Any, live: Live) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    context.add_init_script(path=str(axe_script()))
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    yield opened
    context.close()


def pages_of(live: Live) -> dict[str, str]:
    a = live.env.archive
    return {
        "dashboard": "/",
        "search": "/search?q=monthly+november",
        "search-facets": "/search?q=detainee&has_finding=yes",
        "capture-page": f"/captures/{a.page_v2}",
        "capture-table": f"/captures/{a.table}",
        "diff": f"/captures/{a.page_v2}/diff?to={a.page_v1}",
        "diff-table": f"/captures/{a.table_v2}/diff?to={a.table}",
        "findings": "/findings",
        "finding": f"/findings/{a.finding}",
        "sites": "/sites",
        "site": "/sites/agency",
        "alerts": "/alerts",
        "account": "/account/two-factor",
        "api-docs": "/api-docs",
        "replay": f"/captures/{a.page_v2}/view",
        "incidents": "/incidents?status=all",
        "incident": f"/incidents/{incident_of(live, a.finding)}",
        "disclosure": f"/incidents/{incident_of(live, a.finding)}/disclosure",
        "incident-report": f"/incidents/{incident_of(live, a.finding)}/report.html",
        "feeds": "/feeds",
    }


def incident_of(live: Live, finding_id: int) -> int:
    with live.env.engine.connect() as conn:
        return int(conn.execute(select(findings.c.incident_id).where(findings.c.id == finding_id)).scalar_one())


def check(page: Any, live: Live, name: str, path: str) -> list[str]:
    response = page.goto(live.url + path)
    assert response is not None and response.status == 200, f"{name}: {path} answered {response and response.status}"
    assert page.url.startswith(live.url + path.split("?")[0]), f"{name}: landed on {page.url}"
    (SHOTS / "a11y").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "a11y" / f"{name}.png"), full_page=True)
    found = violations(page)
    return [f"{name} ({path}):\n{describe(found)}"] if found else []


def test_analyst_pages_are_clean(axe_page: Any, live: Live) -> None:
    add_deliveries(live.env)  # the alerts page with rows: checkboxes, message previews, masked samples
    problems: list[str] = []
    for name, path in pages_of(live).items():
        if name == "dashboard":
            login(axe_page, live)
        problems += check(axe_page, live, name, path)
    assert not problems, "axe-core violations:\n" + "\n".join(problems)


def test_login_viewer_and_admin_pages_are_clean(axe_page: Any, live: Live) -> None:
    problems = check(axe_page, live, "login", "/login")
    login(axe_page, live, "viewer")
    a = live.env.archive
    problems += check(axe_page, live, "viewer-capture", f"/captures/{a.table}")
    problems += check(axe_page, live, "viewer-search", "/search?q=detainee")
    axe_page.context.clear_cookies()
    login_admin(axe_page, live)
    problems += check(axe_page, live, "users", "/users")
    problems += check(axe_page, live, "audit", "/audit")
    assert not problems, "axe-core violations:\n" + "\n".join(problems)
