"""Mirror sweep against a real pywb: a collection holding a copy of the leaked file is found (CDX API
and Memento TimeMap), an empty one is not; answers are recorded once; the egress guard applies."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from core.catalog.schema import mirror_copies, mirror_sweeps
from core.config import Mirror
from disclosure import mirrors
from disclosure.guarded_get import GuardedGet
from tests.services.pywb import Pywb, start_pywb

LEAKED = "http://agency.example/statistics/releases/detainee-roster.csv"
OTHER = "http://agency.example/statistics/"


def _warc(path: Path) -> Path:
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        for url, when, body, kind in [(LEAKED, "2026-11-28T14:02:11Z", b"Last Name,First Name\nDoe,Jane\n", "text/csv"),
                                      (LEAKED, "2026-11-28T16:40:00Z", b"Last Name,First Name\nDoe,Jane\n", "text/csv"),
                                      (OTHER, "2026-11-28T14:00:00Z", b"<html>stats</html>", "text/html")]:
            http = StatusAndHeaders("200 OK", [("Content-Type", kind), ("Content-Length", str(len(body)))],
                                    protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http,
                                                          warc_headers_dict={"WARC-Date": when}))
    return path


@pytest.fixture(scope="module")
def pywb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pywb]:
    root = tmp_path_factory.mktemp("pywb")
    server = start_pywb(root, {"holds": [_warc(root / "copy.warc.gz")], "empty": []})
    yield server
    server.stop()


def _getter(allow_private: bool = True) -> GuardedGet:
    return GuardedGet(timeout=10, allow_private=allow_private, user_agent="spillwatch-test")


def test_cdx_sweep_finds_the_copies_in_one_archive_and_none_in_the_empty_one(pywb: Pywb, catalog: Engine) -> None:
    holds = Mirror(name="holds", kind="cdx", url=f"{pywb.url}/holds/cdx", replay_url=f"{pywb.url}/holds/")
    empty = Mirror(name="empty", kind="cdx", url=f"{pywb.url}/empty/cdx")
    now = datetime.now(UTC)
    with _getter() as getter, catalog.begin() as conn:
        results = mirrors.sweep(conn, getter, [holds, empty], LEAKED, now)
    assert [(r.archive, [c.timestamp for c in r.copies], r.error) for r in results] == [
        ("holds", ["20261128140211", "20261128164000"], ""), ("empty", [], "")]
    with catalog.connect() as conn:
        copies = mirrors.copies_of(conn, LEAKED)
        sweeps = {s["archive"]: s["copies"] for s in mirrors.last_sweeps(conn, LEAKED)}
    assert [(c["archive"], c["status"], c["memento_url"]) for c in copies] == [
        ("holds", "200", f"{pywb.url}/holds/20261128140211/{LEAKED}"),
        ("holds", "200", f"{pywb.url}/holds/20261128164000/{LEAKED}")]
    assert sweeps == {"holds": 2, "empty": 0}


def test_a_copy_found_again_is_recorded_once(pywb: Pywb, catalog: Engine) -> None:
    holds = Mirror(name="holds", kind="cdx", url=f"{pywb.url}/holds/cdx")
    first = datetime.now(UTC)
    with _getter() as getter:
        for at in (first, first + timedelta(hours=1)):
            with catalog.begin() as conn:
                mirrors.sweep(conn, getter, [holds], LEAKED, at)
    with catalog.connect() as conn:
        assert conn.execute(select(func.count()).select_from(mirror_copies)).scalar() == 2
        assert conn.execute(select(func.count()).select_from(mirror_sweeps)).scalar() == 2
        last = conn.execute(select(mirror_copies.c.last_found_at)).scalars().all()
    assert all(seen.replace(tzinfo=UTC) > first for seen in last)


def test_memento_timemap_lists_the_copies(pywb: Pywb, catalog: Engine) -> None:
    timemap = Mirror(name="pywb-timemap", kind="memento", url=f"{pywb.url}/holds/timemap/link/")
    empty = Mirror(name="empty-timemap", kind="memento", url=f"{pywb.url}/empty/timemap/link/")
    with _getter() as getter, catalog.begin() as conn:
        found, none = mirrors.sweep(conn, getter, [timemap, empty], LEAKED, datetime.now(UTC))
    assert [c.timestamp for c in found.copies] == ["20261128140211", "20261128164000"]
    assert all(c.memento_url.startswith(f"{pywb.url}/holds/") for c in found.copies) and found.error == ""
    assert none.copies == [] and none.error == ""


def test_the_egress_guard_refuses_a_private_archive(pywb: Pywb, catalog: Engine) -> None:
    holds = Mirror(name="holds", kind="cdx", url=f"{pywb.url}/holds/cdx")
    with _getter(allow_private=False) as getter, catalog.begin() as conn:
        (result,) = mirrors.sweep(conn, getter, [holds], LEAKED, datetime.now(UTC))
    assert result.copies == [] and "refused by the egress guard" in result.error
    with catalog.connect() as conn:
        assert mirrors.last_sweeps(conn, LEAKED)[0]["error"] == result.error


def test_an_archive_that_is_down_is_an_error_not_an_exception(catalog: Engine) -> None:
    from tests.services.procs import free_port

    down = Mirror(name="down", kind="cdx", url=f"http://127.0.0.1:{free_port()}/cdx")
    with _getter() as getter, catalog.begin() as conn:
        (result,) = mirrors.sweep(conn, getter, [down], LEAKED, datetime.now(UTC))
    assert result.copies == [] and "cannot connect" in result.error


@pytest.mark.parametrize(("body", "timestamps"), [
    (b'[["urlkey","timestamp","original","mimetype","statuscode","digest","length"],'
     b'["example,agency)/x","20261128140211","http://agency.example/x","text/csv","200","ABC","12"]]',
     ["20261128140211"]),
    (b"example,agency)/x 20261128140211 http://agency.example/x text/csv 200 ABC 12\n", ["20261128140211"]),
    (b"[]", []),
    (b"", []),
])
def test_cdx_answers_in_every_spelling(body: bytes, timestamps: list[str]) -> None:
    assert [row["timestamp"] for row in mirrors.cdx_rows(body)] == timestamps
