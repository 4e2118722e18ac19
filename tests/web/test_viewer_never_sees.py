"""Holes 1, 2 and 7: one test enumerates every route and CLI verb that returns archived text and checks
that a synthetic roster's names, ID numbers and birth dates never reach a viewer — through search
(words, prefixes, phrases, exact IDs), snippets, capture pages, diffs, the JSON API and
``spillwatch search`` — neither from a flagged CSV nor from an HTML page whose small person table is
under the detector's threshold.  A new GET route fails the test until it is classified here."""

from __future__ import annotations

import html
import json
import os
import random
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from sqlalchemy import select

from core.catalog.schema import captures, findings, incidents
from tests.web.archive import COUNTRIES, FIRST, LAST, write_warc
from tests.web.conftest import PASSWORDS, WebEnv, _assemble, close_env, settings_for
from web import accounts

ROOT = Path(__file__).resolve().parents[2]
BASE = "https://records.example.gov"
DAY1, DAY2 = datetime(2023, 3, 1, 9, tzinfo=UTC), datetime(2023, 3, 2, 9, tzinfo=UTC)


def roster(seed: int, count: int) -> list[tuple[str, str, str, str]]:
    rng = random.Random(seed)
    people = []
    for _ in range(count):
        born = f"{rng.randint(1950, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(10, 28):02d}"
        people.append((rng.choice(FIRST), rng.choice(LAST), f"A{rng.randint(100_000_000, 299_999_999)}", born))
    return people


def as_csv(people: list[tuple[str, str, str, str]]) -> bytes:
    lines = ["Full Name,Date of Birth,A-Number,Country"]
    lines += [f"{f} {last},{born},{a},{COUNTRIES[i % len(COUNTRIES)]}" for i, (f, last, a, born) in enumerate(people)]
    return ("\n".join(lines) + "\n").encode()


def as_page(people: list[tuple[str, str, str, str]], note: str) -> bytes:
    rows = "".join(f"<tr><td>{f} {last}</td><td>{born}</td><td>{a}</td></tr>" for f, last, a, born in people)
    return (f"<html><head><title>Transfers</title></head><body><h1>Transfer notice</h1><p>{note}</p>"
            f"<table><tr><th>Name</th><th>Born</th><th>ID</th></tr>{rows}</table></body></html>").encode()


PEOPLE = roster(11, 30)
PAGE_PEOPLE = roster(12, 2)  # a person table below the detector's threshold


def secrets_of(people: list[tuple[str, str, str, str]]) -> list[str]:
    values: list[str] = []
    for first, last, a_number, born in people:
        values += [f"{first} {last}", a_number, a_number[1:], born]
        values += [part for part in (first, last) if len(part) >= 5]
    return values


SECRETS = secrets_of(PEOPLE + PAGE_PEOPLE)


def leaks(text: str) -> list[str]:
    return [v for v in SECRETS if re.search(rf"(?<!\w){re.escape(v)}(?!\w)", text)]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebEnv]:
    from core.catalog import open_catalog
    from core.config import Config
    from indexer.pipeline import index_paths
    from indexer.search import open_search
    from tests.web.archive import site_config

    folder = tmp_path_factory.mktemp("viewer")
    settings = settings_for(folder)
    config = Config(settings=settings, sites=site_config())
    engine, search = open_catalog(settings), open_search(settings)
    warcs = folder / "warcs"
    warcs.mkdir()
    write_warc(warcs / "one.warc.gz", [
        (f"{BASE}/transfers", "text/html", as_page(PAGE_PEOPLE, "Weekly transfers."), DAY1),
        (f"{BASE}/files/roster.csv", "text/csv", as_csv(PEOPLE[:25]), DAY1)])
    write_warc(warcs / "two.warc.gz", [
        (f"{BASE}/transfers", "text/html", as_page(PAGE_PEOPLE[::-1], "Weekly transfers, updated."), DAY2),
        (f"{BASE}/files/roster.csv", "text/csv", as_csv(PEOPLE[5:]), DAY2)])
    for name in ("one", "two"):
        index_paths([warcs / f"{name}.warc.gz"], config, engine, search)
    search.refresh()
    users = {}
    with engine.begin() as conn:
        for role, password in PASSWORDS.items():
            users[role] = accounts.create(conn, role, role, password)
    built = _assemble(config, engine, search, None, users)  # type: ignore[arg-type]
    yield built
    close_env(built)


def without_echo(body: str, url: str) -> str:
    """The page without the viewer's own query echoed back (in the search box): typing a name is not
    learning it."""
    query = parse_qs(urlsplit(url).query).get("q", [""])[0]
    if not query:
        return body
    forms = {query, html.escape(query), html.escape(query, quote=False), json.dumps(query)[1:-1],
             html.escape(query, quote=False).replace('"', "&#34;")}
    for form in sorted(forms, key=len, reverse=True):
        body = body.replace(form, "")
    return body


def _ids(env: WebEnv) -> tuple[list[int], list[int]]:
    with env.engine.connect() as conn:
        capture_ids = list(conn.execute(select(captures.c.id)).scalars())
        finding_ids = list(conn.execute(select(findings.c.id)).scalars())
    return capture_ids, finding_ids


def _feed_token(env: WebEnv) -> str:
    from web.incident_feed import issue_feed_token

    with env.engine.begin() as conn:
        return issue_feed_token(conn, env.users["viewer"].id, "test")


def _incident_ids(env: WebEnv) -> list[int]:
    with env.engine.connect() as conn:
        return list(conn.execute(select(incidents.c.id)).scalars())


def probes() -> list[str]:
    first, last, a_number, born = PEOPLE[7]
    page_first, page_last, page_a, page_born = PAGE_PEOPLE[0]
    return [last, first, f'"{first} {last}"', a_number, a_number[:4] + "*", a_number[:6] + "*", born,
            born[:4], page_last, f'"{page_first} {page_last}"', page_a, page_a[:5] + "*", page_born, "", "transfers"]


# Every GET route, with the concrete URLs that exercise it for a viewer, or why it returns no archived text.
def route_urls(env: WebEnv) -> dict[str, list[str] | str]:
    capture_ids, finding_ids = _ids(env)
    searches = [f"/search?q={quote(q)}" for q in probes()]
    return {
        "static": "static files",
        "auth.login": "login form",
        "two_factor.verify": "second login step, no archived text",
        "two_factor.enrol": "two-factor enrolment at login, no archived text",
        "two_factor.account": ["/account/two-factor"],
        "dashboard.index": ["/"],
        "search.index": searches + [u + "&has_finding=yes" for u in searches],
        "captures.show": [f"/captures/{c}" for c in capture_ids],
        "captures.diff": [f"/captures/{c}/diff" for c in capture_ids],
        "captures.view": [f"/captures/{c}/view" for c in capture_ids],  # 403 for viewers
        "captures.download": [f"/captures/{c}/download" for c in capture_ids],  # 403 for viewers
        "findings.index": ["/findings", "/findings?status=all"],
        "findings.show": [f"/findings/{f}" for f in finding_ids],
        "incidents.index": ["/incidents", "/incidents?status=all"],
        "feeds.index": ["/feeds"],
        "feeds.incidents": [f"/feeds/{_feed_token(env)}/incidents.atom"],
        "incidents.show": [f"/incidents/{i}" for i in _incident_ids(env)],
        "sites.index": ["/sites"],
        "sites.show": ["/sites/agency"],
        "alerts.index": ["/alerts"],
        "api_docs.index": "the API's reference page, no archived text",
        "charts.findings_chart": ["/charts/findings.svg"],
        "charts.crawls_chart": ["/charts/sites/agency/crawls.svg"],
        "users.index": "admins only, no archived text",
        "users.audit": "admins only, ids and actions",
        "api.openapi": "the API's description",
        "api.search": [f"/api/v1/search?q={quote(q)}" for q in probes()],
        "api.capture": [f"/api/v1/captures/{c}{s}" for c in capture_ids for s in ("", "?text=1")],
        "api.findings_list": ["/api/v1/findings?status=all"],
        "api.finding": [f"/api/v1/findings/{f}" for f in finding_ids],
        "api.incidents_list": ["/api/v1/incidents?status=all"],
        "api.incident": [f"/api/v1/incidents/{i}" for i in _incident_ids(env)],
        "api.cdx": [f"/api/v1/cdx?url={quote(BASE)}/&matchType=prefix", f"/api/v1/cdx?url={quote(BASE)}/&output=json"],
        "api.timemap": [f"/api/v1/timemap/link/{BASE}/files/roster.csv"],
        "api.timegate": "a 302 to a capture page (those are checked above), no archived text",
        "screenshots.screenshot": [f"/captures/{c}/screenshot.png" for c in capture_ids],  # 403 for viewers
        "screenshots.visual_diff": [f"/captures/{c}/visual-diff.png?to={c}" for c in capture_ids],  # 403
        **_disclosure_urls(env),
    }


def _disclosure_urls(env: WebEnv) -> dict[str, list[str] | str]:
    """The incidents' disclosure pages, printable reports, the API's overview and draft (masked for
    everyone), and evidence downloads (403 for viewers)."""
    from core.catalog.schema import incidents

    with env.engine.connect() as conn:
        ids = [int(i) for i in conn.execute(select(incidents.c.id)).scalars()]
    return {
        "disclosure.page": [f"/incidents/{i}/disclosure" for i in ids],
        "disclosure.printable": [f"/incidents/{i}/report.html" for i in ids],
        "disclosure.download": [f"/incidents/{i}/disclosure/evidence/incident-{i}-20260101T000000Z.wacz" for i in ids],
        "api.disclosure_api.disclosure": [f"/api/v1/incidents/{i}/disclosure" for i in ids],
        "api.disclosure_api.draft": [f"/api/v1/incidents/{i}/disclosure/draft" for i in ids],
    }


def test_every_route_and_cli_verb_hides_the_roster_from_viewers(env: WebEnv, tmp_path: Path) -> None:
    capture_ids, finding_ids = _ids(env)
    assert len(finding_ids) >= 1 and len(capture_ids) == 4
    with env.engine.connect() as conn:  # the page's table is below the threshold: no finding there
        flagged = set(conn.execute(select(findings.c.url)).scalars())
    assert flagged == {f"{BASE}/files/roster.csv"}
    routes = route_urls(env)
    get_endpoints = {r.endpoint for r in env.app.url_map.iter_rules() if "GET" in (r.methods or set())}
    assert get_endpoints - set(routes) == set(), "classify the new route(s) in route_urls"

    viewer = env.client("viewer")
    token = env.token("viewer")
    seen: list[tuple[str, list[str]]] = []
    for urls in routes.values():
        if isinstance(urls, str):
            continue
        for url in urls:
            if url.startswith("/api/"):
                response = env.app.test_client().get(url, headers={"Authorization": f"Bearer {token}"})
            else:
                response = viewer.get(url)
            assert response.status_code in (200, 403), (url, response.status_code)
            found = leaks(without_echo(response.get_data(as_text=True), url))
            if found:
                seen.append((url, found))
    assert seen == [], "\n".join(f"{url}: {found}" for url, found in seen)

    # the probes find nothing a viewer could use as an oracle
    for query in probes()[:-2]:
        body = env.app.test_client().get(f"/api/v1/search?q={quote(query)}",
                                         headers={"Authorization": f"Bearer {token}"}).get_json()
        assert body["total"] == 0, query

    # spillwatch search on the command line: masked unless --unmasked
    for query in probes()[:-1]:
        out = cli_search(env, query)
        assert leaks(out.stdout + out.stderr) == [], query


def cli_search(env: WebEnv, query: str, *extra: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SPILLWATCH_")}
    environment["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", "spillwatch", "--data-dir", str(env.settings.data_path), "search",
                           query, *extra], capture_output=True, text=True, cwd=ROOT, env=environment, timeout=120)


def test_unmasked_cli_search_is_audited(env: WebEnv) -> None:
    from web.audit import recent

    first, last, a_number, _born = PEOPLE[7]
    out = cli_search(env, a_number, "--unmasked")
    assert out.returncode == 0, out.stderr
    assert a_number in out.stdout
    with env.engine.connect() as conn:
        entries = recent(conn, action="cli_search_unmasked")
    assert entries and a_number not in repr(entries) and last not in repr(entries)


def test_analyst_searches_that_hit_flagged_documents_are_audited(env: WebEnv) -> None:
    from web.audit import recent

    first, last, a_number, _born = PEOPLE[7]
    analyst = env.client("analyst")
    with env.engine.connect() as conn:
        before = len(recent(conn, action="search_flagged"))
    assert analyst.get(f"/search?q={quote(a_number)}").status_code == 200
    token = env.token("analyst")
    body = env.app.test_client().get(f"/api/v1/search?q={quote(last)}",
                                     headers={"Authorization": f"Bearer {token}"}).get_json()
    assert body["total"] >= 1
    assert analyst.get("/search?q=transfers").status_code == 200  # no flagged document: no entry
    with env.engine.connect() as conn:
        entries = recent(conn, action="search_flagged")
    assert len(entries) == before + 2
    assert a_number not in repr(entries) and last not in repr(entries)
    assert all(e["details"]["flagged_captures"] for e in entries[:2])


