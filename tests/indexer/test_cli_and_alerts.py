"""``spillwatch index`` / ``spillwatch search`` end to end, and alerts queued for new findings."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, func, select

from alerts.planner import plan_events
from core.catalog.schema import deliveries, findings
from core.config import Alerts, Channel, Config, Route
from indexer.pipeline import Indexer
from indexer.search import open_search
from spillwatch.cli import main
from tests.indexer.test_two_crawls import detainee_csv
from tests.indexer.warc_builder import write_warc

DAY = datetime(2026, 3, 1, tzinfo=UTC)


def test_index_and_search_commands(tmp_path: Path, corpus: Path, capsys) -> None:
    data = str(tmp_path / "data")
    assert main(["--data-dir", data, "index", "--no-progress", str(corpus)]) == 0
    out = capsys.readouterr()
    assert "indexed 14 file(s) (0 already indexed)" in out.out
    assert "27 captures" in out.out and "1 record(s) skipped, 3 warning(s)" in out.out
    assert "warcio recompress" in out.err and "cut short" in out.err

    assert main(["--data-dir", data, "index", "--json", str(corpus)]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["files_skipped"] == 14 and again["captures"] == 0

    assert main(["--data-dir", data, "search", "illustrative", "--type", "html"]) == 0
    out = capsys.readouterr().out
    assert "capture(s) match" in out and "[illustrative]" in out and "http://example.com/" in out
    assert main(["--data-dir", data, "search", "illustrative", "--json", "--site", "example.com"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["total"] >= 1 and all(h["site"] == "example.com" for h in result["hits"])
    assert any(matched for h in result["hits"] for segs in h["highlights"] for _t, matched in segs)
    assert main(["--data-dir", data, "search", "nothing-matches-this-word"]) == 1


def test_missing_path_is_a_clear_error(tmp_path: Path, capsys) -> None:
    assert main(["--data-dir", str(tmp_path), "index", str(tmp_path / "nope")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_new_finding_is_queued_for_alerting_once(tmp_path: Path, make_settings) -> None:
    settings = make_settings()
    config = Config(settings=settings, alerts=Alerts(
        channels=[Channel(name="ngo", kind="email", to=["alerts@ngo.example.org"])],
        routes=[Route(name="urgent", channels=["ngo"], min_severity="medium")]))
    from core.catalog import open_catalog

    engine = open_catalog(settings)
    search = open_search(settings)
    warc = write_warc(tmp_path / "leak.warc.gz", [
        ("http://agency.example/leak.csv", 200, "text/csv", detainee_csv(), DAY),
        ("http://agency.example/mirror/leak.csv", 200, "text/csv", detainee_csv(), DAY),
    ])
    summary = Indexer(config, engine, search).index_paths([warc])
    assert summary.findings == 1
    Indexer(config, engine, search).index_paths([warc])
    with create_engine(settings.catalog_url).connect() as conn:
        assert conn.execute(select(func.count()).select_from(findings)).scalar_one() == 1
        # the indexer records the event and sends nothing; the alerts side plans it, once
        assert conn.execute(select(func.count()).select_from(deliveries)).scalar_one() == 0
    assert plan_events(engine, config) == 1
    assert plan_events(engine, config) == 0
    Indexer(config, engine, search).index_paths([warc])
    assert plan_events(engine, config) == 0
    with create_engine(settings.catalog_url).connect() as conn:
        queued = conn.execute(select(deliveries.c.event, deliveries.c.channel)).all()
    assert queued == [("new", "ngo")]
    search.close()


def test_a_bug_on_one_record_does_not_stop_the_run(tmp_path: Path, make_settings) -> None:
    settings = make_settings()
    from core.catalog import open_catalog

    engine = open_catalog(settings)
    search = open_search(settings)
    warc = write_warc(tmp_path / "two.warc.gz", [
        ("http://agency.example/bad.csv", 200, "text/csv", b"a,b\n1,2\n", DAY),
        ("http://agency.example/good.csv", 200, "text/csv", detainee_csv(), DAY),
    ])

    def scan(data: bytes, filename: str = "", media_type: str = ""):
        if filename == "bad.csv":
            raise TypeError("matcher bug")
        from matcher.scan import scan_bytes

        return scan_bytes(data, filename=filename, media_type=media_type)

    summary = Indexer(Config(settings=settings), engine, search, scan=scan).index_paths([warc])
    assert summary.captures == 2 and summary.findings == 1 and summary.warnings == 1
    assert "TypeError" in summary.problems[0].message and "bad.csv" in summary.problems[0].message
    search.close()


def test_a_person_table_in_a_page_stays_one_finding_when_the_page_is_edited(tmp_path: Path, make_settings) -> None:
    settings = make_settings()
    from core.catalog import open_catalog

    engine = open_catalog(settings)
    search = open_search(settings)
    lines = detainee_csv().decode().strip().splitlines()
    cells = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in line.split(",")) + "</tr>" for line in lines[1:])
    header = "<tr>" + "".join(f"<th>{c}</th>" for c in lines[0].split(",")) + "</tr>"

    def page(intro: str) -> bytes:
        return f"<html><head><title>Book-ins</title></head><body><p>{intro}</p><table>{header}{cells}</table>" \
               "</body></html>".encode()

    later = datetime(2026, 3, 2, tzinfo=UTC)
    summary = Indexer(Config(settings=settings), engine, search).index_paths([
        write_warc(tmp_path / "a.warc.gz", [("http://agency.example/bookins", 200, "text/html",
                                             page("Weekly book-ins."), DAY)]),
        write_warc(tmp_path / "b.warc.gz", [("http://agency.example/bookins", 200, "text/html",
                                             page("Weekly book-ins. " + "A long note on methodology, sources and "
                                                  "revisions of earlier weeks. " * 40), later)]),
    ])
    assert summary.changed == 1 and summary.findings == 1
    with engine.connect() as conn:
        (row,) = conn.execute(select(findings.c.first_seen, findings.c.last_seen, findings.c.content_key)).all()
    assert row.content_key.startswith("table:")
    assert row.first_seen.replace(tzinfo=UTC) == DAY and row.last_seen.replace(tzinfo=UTC) == later
    # a later capture with only a timestamp changed: still the same exposure, seen later
    latest = datetime(2026, 3, 3, tzinfo=UTC)
    third = Indexer(Config(settings=settings), engine, search).index_paths([
        write_warc(tmp_path / "c.warc.gz", [("http://agency.example/bookins", 200, "text/html",
                                             page("Weekly book-ins. " + "A long note on methodology, sources "
                                                  "and revisions of earlier weeks. " * 40 + " 10:42:13"),
                                             latest)]),
    ])
    assert third.unchanged == 1 and third.findings == 0
    with engine.connect() as conn:
        (row,) = conn.execute(select(findings.c.last_seen)).all()
    assert row.last_seen.replace(tzinfo=UTC) == latest
    search.close()
