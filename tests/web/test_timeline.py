"""Timelines that don't drown: identical captures collapse into one row, the list and the site's crawl
list are paged and filtered, the capture calendar counts every capture, watch polls are counted apart."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select

from core.catalog.schema import captures, crawls
from indexer.pipeline import index_paths
from tests.web.archive import BASE, stats_page, write_warc
from tests.web.conftest import WebEnv
from web.capture_timeline import calendar_of, collapse

POLLS = 148
START = datetime(2022, 11, 29, 2, 58, 0, tzinfo=UTC)


def _row(i: int, digest: str, status: int = 200, record: str = "response") -> dict[str, object]:
    return {"id": i, "captured_at": START + timedelta(seconds=i), "status": status, "payload_digest": digest,
            "record_type": record}


def test_runs_of_the_same_content_collapse_newest_first() -> None:
    rows = [_row(1, "a"), _row(2, "a"), _row(3, "", 304), _row(4, "a", record="revisit"), _row(5, "b"),
            _row(6, "b"), _row(7, "a")]
    runs = collapse(list(reversed(rows)))
    assert [(r.first["id"], [c["id"] for c in r.checks]) for r in runs] == [(7, []), (5, [6]), (1, [2, 3, 4])]
    assert runs[2].last["id"] == 4 and runs[2].holds(3) and not runs[2].holds(5)


def test_calendar_groups_days_by_month_and_year() -> None:
    from web.capture_timeline import Day

    days = {date(2022, 11, 28): Day(date(2022, 11, 28), 150, 9), date(2023, 1, 2): Day(date(2023, 1, 2), 1, 11)}
    years = calendar_of(days)
    assert [(y.year, y.count, [m.name for m in y.months]) for y in years] == [
        (2023, 1, ["January 2023"]), (2022, 150, ["November 2022"])]
    cells = [c for week in years[1].months[0].weeks for c in week if c is not None]
    assert len(cells) == 30 and days[date(2022, 11, 28)] in cells  # every day of November, one with captures


def _watched(env: WebEnv) -> int:
    """A watched page polled POLLS times a second apart (same content), then changed: indexed for real."""
    page = stats_page("<p>Monthly figures for November.</p><p>Totals by country.</p>")
    changed = stats_page("<p>Monthly figures for December, with a new release.</p>")
    responses = [(f"{BASE}/watched", "text/html", page, START + timedelta(seconds=3 * i)) for i in range(POLLS + 1)]
    responses.append((f"{BASE}/watched", "text/html", changed, START + timedelta(minutes=20)))
    path = write_warc(env.settings.data_path / "watched.warc.gz", responses)
    index_paths([path], env.config, env.engine, env.search)
    with env.engine.connect() as conn:
        return int(conn.execute(select(captures.c.id).where(captures.c.url == f"{BASE}/watched")
                                .order_by(captures.c.captured_at.desc())).scalars().first() or 0)


def test_capture_page_collapses_unchanged_checks_and_counts_them_in_the_calendar(env: WebEnv) -> None:
    latest = _watched(env)
    html = env.client("viewer").get(f"/captures/{latest}").get_data(as_text=True)
    assert "unchanged, <a href=" in html and f"{POLLS} checks</a>" in html
    assert "2022-11-29 02:58:03 UTC – 2022-11-29 03:05:24 UTC" in html  # to the second
    timeline = html[html.index('class="list timeline"'):html.index("</table>", html.index('class="list timeline"'))]
    assert timeline.count("<tr") == 1 + 3  # header, the change, the run of checks, the first version
    assert f"{POLLS + 2} captures" in html
    versions = env.client("viewer").get(f"/captures/{latest}?timeline=changes").get_data(as_text=True)
    assert "unchanged, <a" not in versions and versions.count('class="list timeline"') == 1
    assert re.search(r'>29<span class="n">150<span class="visually-hidden"> captures on 2022-11-29</span>', html)


def test_timeline_pages_instead_of_a_silent_cap(env: WebEnv) -> None:
    versions = [(f"{BASE}/busy", "text/html", stats_page(f"<p>Version {i}</p>"), START + timedelta(minutes=i))
                for i in range(120)]
    index_paths([write_warc(env.settings.data_path / "busy.warc.gz", versions)], env.config, env.engine, env.search)
    with env.engine.connect() as conn:
        newest = conn.execute(select(captures.c.id).where(captures.c.url == f"{BASE}/busy")
                              .order_by(captures.c.captured_at.desc())).scalars().first()
    client = env.client("analyst")
    first = client.get(f"/captures/{newest}").get_data(as_text=True)
    assert "page 1 of 3" in first and "timeline_page=2" in first
    third = client.get(f"/captures/{newest}?timeline_page=3").get_data(as_text=True)
    assert "page 3 of 3" in third and "2022-11-29 02:58:00 UTC" in third  # the oldest version is reachable


def test_site_crawl_list_is_paged_filtered_and_counts_watch_polls(env: WebEnv) -> None:
    with env.engine.begin() as conn:
        conn.execute(insert(crawls), [
            {"site_id": "agency", "kind": "watch", "status": "finished", "started_at": START + timedelta(minutes=i),
             "finished_at": START + timedelta(minutes=i, seconds=2), "pages": 1, "message": "watch finished"}
            for i in range(119)])
        conn.execute(insert(crawls).values(site_id="agency", kind="full", status="finished",
                                           started_at=START - timedelta(hours=1), finished_at=START, pages=14))
    client = env.client("viewer")
    html = client.get("/sites/agency").get_data(as_text=True)
    assert "120 crawls" in html and "page 1 of 3" in html
    assert "119 watch polls" in html and "full (1)" in html and "watch (119)" in html
    full = client.get("/sites/agency?kind=full").get_data(as_text=True)
    assert "1 crawl match" in full and "watch finished" not in full
    assert client.get("/sites/agency?kind=bogus").status_code == 400
    assert "119 watch polls" in client.get("/sites").get_data(as_text=True)
    dashboard = client.get("/").get_data(as_text=True)
    assert "119 watch polls, last 2022-11-29 04:56 UTC" in dashboard
    assert "<td>14</td>" in dashboard  # the last full crawl's pages, not a watch poll's
    chart = client.get("/charts/sites/agency/crawls.svg")
    assert chart.content_type.startswith("image/svg+xml") and b"watch" in chart.data
    assert "script-src" not in chart.headers["Content-Security-Policy"]
    assert chart.headers["Content-Security-Policy"].startswith("default-src 'none'")
