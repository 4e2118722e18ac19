"""Visual diff of rendered captures: Pillow on synthetic screenshots, then the diff page over two real
rendered crawls (headless Chromium) of the scripted statistics page."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from core.catalog import open_catalog
from core.catalog.schema import captures
from core.config import Config
from crawler.run import run_crawl
from indexer.pipeline import Indexer
from indexer.search import open_search
from spillwatch.demo.agency_site import AgencySite
from tests.crawler.conftest import fast_job
from tests.crawler.script_site import CHROMIUM, STATS, need_chromium, script_site
from tests.web.conftest import PASSWORDS, Client, settings_for
from web import accounts, create_app
from web.visual_diff import compare


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_compare_counts_changed_pixels_and_paints_them() -> None:
    old = Image.new("RGB", (100, 100), (255, 255, 255))
    new = old.copy()
    new.paste((0, 0, 0), (40, 40, 50, 50))  # a 10x10 block
    new.putpixel((5, 5), (250, 250, 250))  # below the tolerance: not a change
    diff = compare(_png(old), _png(new))
    assert diff.changed_pixels == 100 and diff.percent == pytest.approx(1.0)
    assert diff.box == (40, 40, 50, 50)
    painted = Image.open(io.BytesIO(diff.highlighted)).convert("RGB")
    red, green, blue = painted.getpixel((45, 45))  # type: ignore[misc]
    assert red > 100 and green < 50 and blue < 50
    assert painted.getpixel((20, 80)) == (255, 255, 255)
    assert compare(_png(old), _png(old)).box is None


def test_compare_pads_screenshots_of_different_heights() -> None:
    short = Image.new("RGB", (50, 100), (255, 255, 255))
    tall = Image.new("RGB", (50, 200), (255, 255, 255))
    tall.paste((0, 0, 255), (0, 150, 50, 200))
    diff = compare(_png(short), _png(tall))
    assert diff.total_pixels == 50 * 200 and diff.changed_pixels == 50 * 50


@pytest.mark.browser
def test_diff_page_shows_the_screenshots_side_by_side(tmp_path: Path) -> None:
    need_chromium()
    settings = settings_for(tmp_path)
    engine, search = open_catalog(settings), open_search(settings)
    with AgencySite() as site:
        script_site(site, roster=False)
        files: list[str] = []
        for publish in (False, True):
            script_site(site, roster=publish)
            job = fast_job(tmp_path / "crawl", [f"http://localhost:{site.port}/"], render="browser",
                           chromium_path=CHROMIUM, sitemaps=False, max_depth=1, render_page_timeout=15.0)
            new = [p for p in run_crawl(job).warc_files if p not in files]
            Indexer(Config(settings=settings), engine, search).index_paths(new)
            files += new
    stats_url = f"http://localhost:{site.port}{STATS}"
    with engine.connect() as conn:
        old_id, new_id = conn.execute(select(captures.c.id).where(captures.c.url == stats_url)
                                      .order_by(captures.c.id)).scalars().all()
    with engine.begin() as conn:
        for role, password in PASSWORDS.items():
            accounts.create(conn, role, role, password)
    app = create_app(Config(settings=settings), engine=engine)
    app.config["TESTING"] = True
    analyst, viewer = Client(app, "analyst", PASSWORDS["analyst"]), Client(app, "viewer", PASSWORDS["viewer"])
    page = analyst.get(f"/captures/{new_id}/diff?to={old_id}").get_data(as_text=True)
    assert "% of pixels changed" in page
    assert "+Detainee roster (XLSX)" in page, "the text diff of a rendered page is the diff of its DOM"
    shown = analyst.get(f"/captures/{new_id}").get_data(as_text=True)
    assert "Detainee roster (XLSX)" in shown, "the capture page shows the rendered text"
    assert f"/captures/{old_id}/screenshot.png" in page and f"/captures/{new_id}/visual-diff.png?to={old_id}" in page
    shot = analyst.get(f"/captures/{old_id}/screenshot.png")
    assert shot.status_code == 200 and shot.mimetype == "image/png"
    painted = analyst.get(f"/captures/{new_id}/visual-diff.png?to={old_id}")
    assert painted.status_code == 200 and Image.open(io.BytesIO(painted.data)).format == "PNG"
    assert viewer.get(f"/captures/{old_id}/screenshot.png").status_code == 403
    assert "analysts and admins only" in viewer.get(f"/captures/{new_id}/diff?to={old_id}").get_data(as_text=True)
    app.extensions["spillwatch"].close()
    search.close()


PEOPLE_PAGE = """<!doctype html><html><head><title>Case list</title></head><body><h1>Case list</h1>
<table id="cases"><thead><tr><th>Last Name</th><th>First Name</th><th>Date of Birth</th><th>A-Number</th>
<th>Country of Citizenship</th></tr></thead><tbody></tbody></table>
<script>
fetch('/api/cases.json').then(r => r.json()).then(rows => {
  const body = document.querySelector('#cases tbody');
  for (const row of rows) {
    const tr = document.createElement('tr');
    for (const value of row) { const td = document.createElement('td'); td.textContent = value; tr.appendChild(td); }
    body.appendChild(tr);
  }
});
</script></body></html>"""


@pytest.mark.browser
def test_a_table_of_people_built_by_a_script_is_found_and_its_screenshot_is_audited(tmp_path: Path) -> None:
    import json

    from faker import Faker
    from sqlalchemy import select as sql_select

    from core.catalog.schema import audit_log, findings
    from spillwatch.demo.agency_documents import JSON_TYPE
    from spillwatch.demo.agency_site import Resource

    need_chromium()
    fake = Faker("en_US")
    Faker.seed(2211)
    rows = [[fake.last_name(), fake.first_name(), fake.date_of_birth(minimum_age=18).isoformat(),
             f"A{fake.random_number(digits=9, fix_len=True)}", fake.country()] for _ in range(25)]
    settings = settings_for(tmp_path)
    engine, search = open_catalog(settings), open_search(settings)
    with AgencySite() as site:
        site.set_page("/cases/", PEOPLE_PAGE)
        site.set_resource("/api/cases.json", Resource(body=json.dumps(rows).encode(), content_type=JSON_TYPE))
        seed = f"http://localhost:{site.port}/cases/"
        job = fast_job(tmp_path / "crawl", [seed], render="browser", chromium_path=CHROMIUM, sitemaps=False,
                       max_depth=0, render_page_timeout=15.0)
        Indexer(Config(settings=settings), engine, search).index_paths(run_crawl(job).warc_files)
    with engine.connect() as conn:
        found = conn.execute(sql_select(findings.c.url, findings.c.kind, findings.c.capture_id)).all()
    # the table the script built (from the rendered DOM), and the JSON answer it came from (archived and
    # indexed like any capture)
    assert sorted((url, kind) for url, kind, _ in found) == [
        (f"http://localhost:{site.port}/api/cases.json", "person_table"), (seed, "person_table")]
    capture_id = next(capture for url, _, capture in found if url == seed)
    with engine.begin() as conn:
        for role, password in PASSWORDS.items():
            accounts.create(conn, role, role, password)
    app = create_app(Config(settings=settings), engine=engine)
    app.config["TESTING"] = True
    analyst = Client(app, "analyst", PASSWORDS["analyst"])
    assert analyst.get(f"/captures/{capture_id}/screenshot.png").status_code == 403  # shows the people
    shot = analyst.get(f"/captures/{capture_id}/screenshot.png?unmasked=1")
    assert shot.status_code == 200 and shot.mimetype == "image/png"
    with engine.connect() as conn:
        actions = conn.execute(sql_select(audit_log.c.action, audit_log.c.target)).all()
    assert ("view_screenshot", f"capture:{capture_id}") in actions
    app.extensions["spillwatch"].close()
    search.close()
