"""Catalog schema and migrations on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, insert, inspect, select, text, update
from sqlalchemy.exc import IntegrityError

from core.catalog import open_catalog, upgrade
from core.catalog import schema as s
from core.settings import Settings

NOW = datetime(2022, 11, 28, 14, 0, tzinfo=UTC)

ENTITIES = ("sites", "crawls", "warc_files", "captures", "versions", "changes", "links", "findings",
            "finding_events", "deliveries", "users", "audit_log")


def _capture(engine: Engine, offset: int = 0, url: str = "https://ice.example.gov/stats.xlsx") -> int:
    with engine.begin() as conn:
        result = conn.execute(insert(s.captures).values(
            site_id="ice", url=url, surt="gov,example,ice)/stats.xlsx", captured_at=NOW,
            record_type="response", status=200, media_type_declared="application/octet-stream",
            media_type_sniffed="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            payload_digest="sha1:ABC", warc_file="crawl-1.warc.gz", warc_offset=offset, warc_length=1234))
        return int(result.inserted_primary_key[0])


def test_every_entity_has_a_table(catalog: Engine) -> None:
    tables = set(inspect(catalog).get_table_names())
    assert set(ENTITIES) <= tables
    assert "alembic_version" in tables


def test_upgrade_is_idempotent(catalog: Engine) -> None:
    upgrade(catalog)
    upgrade(catalog)
    with catalog.connect() as conn:
        versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert versions and len(versions) == len(set(versions))


def test_capture_position_is_unique(catalog: Engine) -> None:
    _capture(catalog, offset=0)
    _capture(catalog, offset=500)
    with pytest.raises(IntegrityError):
        _capture(catalog, offset=0)


def test_finding_content_key_and_status_history(catalog: Engine) -> None:
    capture_id = _capture(catalog)
    row: dict[str, Any] = dict(
        content_key="sha1:ABC|person_table|sheet 'Detainees'", capture_id=capture_id, site_id="ice",
        url="https://ice.example.gov/stats.xlsx", payload_digest="sha1:ABC", kind="person_table",
        severity="critical", score=0.97, rows=6252, locator="sheet 'Detainees'",
        columns=[{"header": "DOB", "type": "birth_date", "confidence": 0.99}],
        reasons=["column 3 'DOB': 248/250 plausible birth dates"], sample=[["M**** H******", "1987-**-**"]],
        first_seen=NOW, last_seen=NOW, created_at=NOW)
    with catalog.begin() as conn:
        user_id = conn.execute(insert(s.users).values(name="ana", password_hash="x", role="analyst",
                                                      created_at=NOW)).inserted_primary_key[0]
        finding_id = conn.execute(insert(s.findings).values(**row)).inserted_primary_key[0]
        conn.execute(update(s.findings).where(s.findings.c.id == finding_id).values(status="confirmed"))
        conn.execute(insert(s.finding_events).values(finding_id=finding_id, at=NOW, user_id=user_id,
                                                     event="status", from_status="new", to_status="confirmed"))
    with pytest.raises(IntegrityError), catalog.begin() as conn:
        conn.execute(insert(s.findings).values(**row))
    with catalog.connect() as conn:
        stored = conn.execute(select(s.findings)).mappings().one()
        history = conn.execute(select(s.finding_events)).mappings().all()
    assert stored["status"] == "confirmed" and stored["rows"] == 6252
    assert stored["columns"][0]["type"] == "birth_date"
    assert stored["first_seen"].astimezone(UTC) == NOW
    assert [(h["from_status"], h["to_status"]) for h in history] == [("new", "confirmed")]


def test_delivery_idempotency_key(catalog: Engine) -> None:
    values = dict(idempotency_key="finding:1:new:urgent:ngo-email", route="urgent", channel="ngo-email",
                  notifier="email", next_attempt_at=NOW, created_at=NOW)
    with catalog.begin() as conn:
        conn.execute(insert(s.deliveries).values(**values))
    with pytest.raises(IntegrityError), catalog.begin() as conn:
        conn.execute(insert(s.deliveries).values(**values))


def test_json_and_big_integers_round_trip(catalog: Engine) -> None:
    with catalog.begin() as conn:
        crawl_id = conn.execute(insert(s.crawls).values(
            site_id="ice", started_at=NOW, bytes=5 * 2**40, warc_files=["a.warc.gz", "b.warc.gz"],
        )).inserted_primary_key[0]
        stored = conn.execute(select(s.crawls).where(s.crawls.c.id == crawl_id)).mappings().one()
    assert stored["bytes"] == 5 * 2**40 and stored["warc_files"] == ["a.warc.gz", "b.warc.gz"]
    assert stored["status"] == "running" and stored["pages"] == 0


def test_open_catalog_creates_sqlite_file_in_wal_mode(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    engine = open_catalog(settings)
    assert (settings.data_path / "catalog.sqlite3").exists()
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_open_catalog_uses_database_url(make_settings: Callable[..., Settings], catalog_url: str) -> None:
    engine = open_catalog(make_settings(database_url=catalog_url))
    assert engine.url.get_backend_name() == catalog_url.split(":")[0].split("+")[0]
    assert "findings" in inspect(engine).get_table_names()
    engine.dispose()


def test_unreachable_database_is_a_clear_error(make_settings: Callable[..., Settings]) -> None:
    from core.errors import ServiceUnavailable

    settings = make_settings(database_url="postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    with pytest.raises(ServiceUnavailable) as info:
        open_catalog(settings)
    assert "SPILLWATCH_DATABASE_URL" in str(info.value)
    assert "secret" not in str(info.value)
