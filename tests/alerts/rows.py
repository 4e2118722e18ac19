"""Catalog rows for alert tests, with synthetic people (Faker, fixed seed).

Raw values appear only where a careless alert could pick them up — the capture title, link anchor
text, column headers (a headerless CSV makes a person's row the "header"), the matcher's reasons — and,
once each, a raw birth date and ID number in the sample to exercise the second masking net.  Every
other sample cell is masked the way the matcher masks (first letters, year only, last two characters).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from faker import Faker
from sqlalchemy import Connection, Engine, insert, select

from core.catalog.schema import captures, findings, links, sites


@dataclass(frozen=True)
class Person:
    name: str
    birth_date: date
    a_number: str

    @property
    def raw_values(self) -> list[str]:
        first, *_, last = self.name.split()
        values = [self.name, self.a_number, self.a_number[1:], self.birth_date.isoformat(),
                  self.birth_date.strftime("%m/%d/%Y"), self.birth_date.strftime("%d.%m.%Y")]
        values += [part for part in (first, last) if len(part) >= 5]
        return values


def people(count: int, seed: int = 2022) -> list[Person]:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    out = []
    for _ in range(count):
        name = f"{fake.first_name()} {fake.last_name()}"
        out.append(Person(name, fake.date_of_birth(minimum_age=18, maximum_age=70),
                          "A" + str(fake.random_number(digits=9, fix_len=True))))
    return out


def mask_name(name: str) -> str:
    return re.sub(r"[^\W\d_]+", lambda m: m.group(0)[0] + "*" * (len(m.group(0)) - 1), name)


def mask_id(value: str) -> str:
    return value[0] + "*" * (len(value) - 3) + value[-2:]


NOW = datetime(2022, 11, 28, 15, 4, tzinfo=UTC)


def insert_site(conn: Connection, site_id: str = "ice", name: str = "ICE detention statistics") -> None:
    conn.execute(insert(sites).values(id=site_id, name=name, config_json={}, created_at=NOW, updated_at=NOW))


def insert_capture(conn: Connection, url: str, title: str = "", site_id: str = "ice") -> int:
    return int(conn.execute(insert(captures).values(
        site_id=site_id, url=url, surt=url, captured_at=NOW, record_type="response", status=200,
        media_type_declared="", media_type_sniffed="", payload_digest=f"sha1:{uuid.uuid4().hex}", title=title,
        warc_file="test.warc.gz", warc_offset=uuid.uuid4().int % 10**15, warc_length=100,
    )).inserted_primary_key[0])


def insert_finding(conn: Connection, crowd: list[Person], *, number: int = 1, site_id: str = "ice",
                   kind: str = "person_table", severity: str = "critical", rows: Any = 6252,
                   columns: Any = None, sample: Any = None, status: str = "new",
                   reappeared_at: datetime | None = None, url: str = "", page: str = "") -> int:
    """A finding like the 2022 ICE spreadsheet, its file capture, and the page linking to it."""
    victim = crowd[0]
    url = url or f"https://www.ice.gov/doclib/detention/FY23_detentionStats_{number}.xlsx"
    page = page or "https://www.ice.gov/detain/detention-management"
    page_id = insert_capture(conn, page, title=f"Detention statistics — {victim.name}", site_id=site_id)
    conn.execute(insert(links).values(capture_id=page_id, target_url=url, target_surt=url,
                                      anchor_text=f"{victim.name} {victim.a_number}"))
    file_id = insert_capture(conn, url, title=victim.name, site_id=site_id)
    if columns is None:
        columns = [
            {"header": victim.name, "type": "person_name", "confidence": 0.93},
            {"header": victim.birth_date.isoformat(), "type": "birth_date", "confidence": 0.9},
            {"header": victim.a_number, "type": "gov_id", "confidence": 0.88},
            {"header": "Citizenship Country", "type": "nationality", "confidence": 0.8},
            {"header": "Detention Facility", "type": "detention_facility", "confidence": 0.7},
        ]
    if sample is None:
        sample = [[mask_name(p.name), f"{p.birth_date.year}-**-**", mask_id(p.a_number), "H*******", "K**** C*"]
                  for p in crowd[1:4]]
        sample[0][1] = crowd[1].birth_date.isoformat()  # a raw date the matcher missed: the second net
        sample[1][2] = crowd[2].a_number  # a raw ID number the matcher missed
    return int(conn.execute(insert(findings).values(
        content_key=f"sha1:file{number}:{kind}:sheet2", capture_id=file_id, site_id=site_id, url=url,
        payload_digest=f"sha1:file{number}", kind=kind, severity=severity, score=0.97, rows=rows,
        locator="sheet 'Sheet2' (hidden)", columns=columns,
        reasons=[f"header {victim.name!r} looks like a person's name", f"ID {victim.a_number} valid"],
        sample=sample, status=status, first_seen=NOW, last_seen=NOW, reappeared_at=reappeared_at,
        created_at=NOW,
    )).inserted_primary_key[0])


def leaks(text: str, crowd: list[Person]) -> list[str]:
    """Raw synthetic values found in ``text`` (empty when nothing leaked)."""
    found = []
    for person in crowd:
        for value in person.raw_values:
            if re.search(rf"(?<![\w]){re.escape(value)}(?![\w])", text):
                found.append(value)
    return found


def incident_of(engine: Engine, finding_id: int) -> int:
    """The incident a finding was attached to (alerts are per incident: keys and links name it)."""
    with engine.connect() as conn:
        return int(conn.execute(select(findings.c.incident_id).where(findings.c.id == finding_id)).scalar_one())
