"""A statistics page that lists its releases only through ``fetch('/api/releases.json')``, served by the
demo's agency site (a real HTTP server), and a roster of synthetic people (Faker) to publish there.

Also a page that tries to reach other local servers and the cloud-metadata address from the browser,
and a ``Beacon`` server that records every request that reaches it.
"""

from __future__ import annotations

import io
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from faker import Faker
from openpyxl import Workbook

from spillwatch.demo.agency_documents import JSON_TYPE, XLSX_TYPE
from spillwatch.demo.agency_site import AgencySite, Resource

CHROMIUM = os.environ.get("SPILLWATCH_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
STATS = "/statistics/"
API = "/api/releases.json"
ROSTER = "/statistics/releases/detainee-roster.xlsx"
NOTES = "/statistics/releases/method-notes.csv"  # named only in the JSON, never linked by the script

STATS_PAGE = """<!doctype html>
<html><head><title>Detention statistics</title><meta charset="utf-8"></head>
<body><h1>Detention statistics</h1><p>Releases:</p><ul id="releases"></ul>
<script>
fetch('/api/releases.json').then(r => r.json()).then(data => {
  const list = document.getElementById('releases');
  for (const release of data.releases) {
    const item = document.createElement('li');
    const link = document.createElement('a');
    link.href = release.url;
    link.textContent = release.title;
    item.appendChild(link);
    list.appendChild(item);
  }
});
</script></body></html>
"""


def need_chromium() -> None:
    """Browser tests run in CI whatever happens: a missing Chromium fails there, and is a skip elsewhere."""
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} not found: install Debian's chromium package (apt-get install -y chromium)"
        if IN_CI:
            pytest.fail(message + " (CI=true: browser tests must run)", pytrace=False)
        pytest.skip(message)


def roster_xlsx(rows: int = 60, seed: int = 1717) -> tuple[bytes, list[str]]:
    """A person-level table of synthetic people; also returns the raw values (never to be seen in alerts)."""
    fake = Faker(["en_US", "es_MX"])
    Faker.seed(seed)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Last Name", "First Name", "Date of Birth", "Country of Citizenship", "A-Number",
                  "Detention Facility"])
    raw: list[str] = []
    for _ in range(rows):
        last, first = fake.last_name(), fake.first_name()
        born = fake.date_of_birth(minimum_age=18, maximum_age=70).isoformat()
        a_number = f"A{fake.random_number(digits=9, fix_len=True)}"
        sheet.append([last, first, born, fake.country(), a_number, "Harbor County Processing Center"])
        raw += [f"{first} {last}", a_number]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), raw


def releases_json(*releases: tuple[str, str]) -> bytes:
    return json.dumps({"releases": [{"title": t, "url": u} for t, u in releases],
                       "attachments": [{"notes": NOTES}]}).encode()


def script_site(site: AgencySite, *, roster: bool = True) -> None:
    """Put the scripted statistics page on ``site``; the roster is in its JSON only."""
    site.set_page(STATS, STATS_PAGE)
    listed = [("Monthly aggregates (XLSX)", "/statistics/releases/monthly.xlsx")]
    if roster:
        body, _raw = roster_xlsx()
        site.set_resource(ROSTER, Resource(body=body, content_type=XLSX_TYPE))
        listed.append(("Detainee roster (XLSX)", ROSTER))
    site.set_resource(API, Resource(body=releases_json(*listed), content_type=JSON_TYPE))
    site.set_resource(NOTES, Resource(body=b"note\nall figures are aggregates\n", content_type="text/csv"))


class _Beacon(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.hits.append(self.path)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "image/gif")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


class Beacon:
    """A server on 127.0.0.1 that records every request reaching it."""

    def __init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Beacon)
        self.server.hits = []  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def hits(self) -> list[str]:
        return self.server.hits  # type: ignore[attr-defined, no-any-return]

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def __enter__(self) -> Beacon:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def hostile_page(site: AgencySite, other_port: int) -> str:
    """A page reaching for another local server and the metadata address by <img>, fetch and redirect,
    and loading an image larger than the crawl's max_response_size (1 MB in the tests)."""
    other = f"http://127.0.0.1:{other_port}"
    site.set_resource("/hop", Resource(body=b"", content_type="text/plain", status=302,
                                       location=f"{other}/redirected"))
    site.set_resource("/huge.png", Resource(body=b"\x89PNG" + bytes(1_500_000), content_type="image/png"))
    return site.set_page("/hostile/", f"""<!doctype html><html><head><title>Hostile</title></head><body>
<h1>Nothing to see</h1>
<img src="{other}/img"><img src="http://169.254.169.254/latest/meta-data/img"><img src="/hop"><img src="/huge.png">
<script>
fetch('{other}/fetch').catch(() => null);
fetch('http://169.254.169.254/latest/meta-data/fetch').catch(() => null);
</script></body></html>""")
