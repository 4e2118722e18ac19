"""Poison files are contained: whatever is wrong in one record or file, the reader and the indexer
report it and go on, and the good records around it are read (property-based, with hypothesis)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from core.catalog import open_catalog
from core.catalog.schema import captures
from core.config import Config
from indexer.errors import RecordProblem
from indexer.parse_errors import is_bad_input
from indexer.pipeline import Indexer
from indexer.search import open_search
from indexer.warc_reader import WarcReader, WarcRecord
from tests.indexer.poison import (
    Mutation,
    arc_header,
    arc_mutations,
    arc_record,
    gzip_damage,
    member,
    page,
    warc_mutations,
    warc_record,
)

EXAMPLES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FILES = itertools.count()
DAY = datetime(2026, 5, 1, tzinfo=UTC)


def good_urls(n: int) -> tuple[str, str, str]:
    """The same for every file (``n`` is only its name), so that an example fails the same way when
    hypothesis runs it again."""
    return ("http://agency.example/before.html", "http://agency.example/bad.html",
            "http://agency.example/after.html")


def poison_warc(folder: Path, mutation: Mutation, gzipped: bool,
                damage: Mutation | None = None) -> tuple[Path, str, str]:
    n = next(FILES)
    before, bad, after = good_urls(n)
    records = [warc_record(before, page(before)), warc_record(bad, page(bad), mutation),
               warc_record(after, page(after))]
    if gzipped:
        data = member(records[0]) + member(records[1], damage) + member(records[2])
        path = folder / f"poison-{n}.warc.gz"
    else:
        data = b"".join(records)
        path = folder / f"poison-{n}.warc"
    path.write_bytes(data)
    return path, before, after


def poison_arc(folder: Path, mutation: Mutation, gzipped: bool) -> tuple[Path, str, str]:
    n = next(FILES)
    before, bad, after = good_urls(n)
    parts = [arc_header(), arc_record(before, page(before)), arc_record(bad, page(bad), mutation),
             arc_record(after, page(after))]
    path = folder / (f"poison-{n}.arc.gz" if gzipped else f"poison-{n}.arc")
    path.write_bytes(b"".join(member(p) for p in parts) if gzipped else b"".join(parts))
    return path, before, after


def read_urls(path: Path) -> tuple[set[str], list[RecordProblem]]:
    urls: set[str] = set()
    problems: list[RecordProblem] = []
    for item in WarcReader(path):
        if isinstance(item, WarcRecord):
            urls.add(item.url)
        else:
            problems.append(item)
    for problem in problems:
        assert problem.path == str(path) and problem.message and problem.hint
    return urls, problems


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("poison")


@EXAMPLES
@given(mutation=warc_mutations(), gzipped=st.booleans())
def test_a_mutated_warc_record_never_stops_the_reader(folder: Path, mutation: Mutation, gzipped: bool) -> None:
    path, before, after = poison_warc(folder, mutation, gzipped)
    urls, _problems = read_urls(path)
    assert {before, after} <= urls, mutation


@EXAMPLES
@given(damage=gzip_damage())
def test_a_damaged_gzip_member_costs_only_its_record(folder: Path, damage: Mutation) -> None:
    path, before, after = poison_warc(folder, Mutation(), True, damage)
    urls, _problems = read_urls(path)
    assert {before, after} <= urls, damage


@EXAMPLES
@given(mutation=arc_mutations(), gzipped=st.booleans())
def test_a_mutated_arc_record_never_stops_the_reader(folder: Path, mutation: Mutation, gzipped: bool) -> None:
    # a plain ARC file has no record separator: a cut record glued to the next one's header line
    # cannot be told apart from it (a WARC/1.x line can), so cuts are tried in gzip files only
    gzipped = gzipped or mutation.cut is not None
    path, before, after = poison_arc(folder, mutation, gzipped)
    urls, _problems = read_urls(path)
    assert {before, after} <= urls, mutation


@pytest.fixture(scope="module")
def sqlite_indexer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Indexer]:
    from core.settings import resolve

    settings_ = resolve({}, {}, {"data_dir": str(tmp_path_factory.mktemp("data"))})
    engine, search = open_catalog(settings_), open_search(settings_)
    yield Indexer(Config(settings=settings_), engine, search)
    search.close()
    engine.dispose()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutation=st.one_of(warc_mutations(), gzip_damage()), gzipped=st.booleans())
def test_the_indexer_stores_the_good_records_around_a_bad_one(folder: Path, sqlite_indexer: Indexer,
                                                              mutation: Mutation, gzipped: bool) -> None:
    damage = mutation if mutation.flip or (gzipped and mutation.cut is not None) else None
    path, before, after = poison_warc(folder, Mutation() if damage else mutation, gzipped, damage)
    sqlite_indexer.index_paths([path])
    with sqlite_indexer.engine.connect() as conn:
        stored = set(conn.execute(select(captures.c.url).where(captures.c.warc_file == str(path))).scalars())
    assert {before, after} <= stored, mutation


def _our_bug() -> None:
    raise TypeError("a bug in Spillwatch's own code")


def test_parser_errors_are_bad_input_and_our_bugs_are_not(tmp_path: Path) -> None:
    path = tmp_path / "no-uri.warc"
    path.write_bytes(b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 99999999999\r\n\r\n")
    from warcio.archiveiterator import ArchiveIterator

    with path.open("rb") as fh, pytest.raises(AttributeError) as raised:
        list(ArchiveIterator(fh))
    assert is_bad_input(raised.value)  # raised inside warcio by the file's bytes
    with pytest.raises(TypeError) as bug:
        _our_bug()
    assert not is_bad_input(bug.value)
    assert is_bad_input(OSError(5, "Input/output error")) and not is_bad_input(MemoryError())


ISSUE_POISON = b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 99999999999\r\n\r\n"


def test_index_dir_goes_on_past_the_poison_record_of_the_issue(tmp_path: Path, capsys) -> None:
    """Issue 12 item 3: a record with no WARC-Target-URI and a huge Content-Length made warcio raise
    AttributeError, and `spillwatch index DIR` indexed nothing, good files included."""
    from spillwatch.cli import main
    from tests.indexer.warc_builder import write_warc

    folder = tmp_path / "warcs"
    folder.mkdir()
    (folder / "a-poison.warc").write_bytes(ISSUE_POISON)
    write_warc(folder / "b-good.warc.gz", [("http://agency.example/roster.html", 200, "text/html",
                                            page("roster"), DAY)])
    assert main(["--data-dir", str(tmp_path / "data"), "index", "--no-progress", str(folder)]) == 0
    out = capsys.readouterr()
    assert "indexed 2 file(s)" in out.out and "1 captures" in out.out and "1 record(s) skipped" in out.out
    assert "a-poison.warc: offset 0: unreadable record: warcio failed on it" in out.err
    assert "WARC-Target-URI" in out.err


def test_a_file_whose_run_stops_is_reported_and_the_others_are_indexed(tmp_path: Path, make_settings, capsys,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """An error that stops one file's run (here a bug, injected) fails that file only: recorded with
    why, exit status 1, the other files indexed; the service's limit gives it up after N runs."""
    from core.catalog.schema import warc_files
    from indexer import pipeline
    from spillwatch.cli import main
    from tests.indexer.warc_builder import write_warc

    folder = tmp_path / "warcs"
    folder.mkdir()
    bad = write_warc(folder / "a-bug.warc.gz", [("http://agency.example/a.html", 200, "text/html", page("a"), DAY)])
    write_warc(folder / "b-good.warc.gz", [("http://agency.example/b.html", 200, "text/html", page("b"), DAY)])
    real = pipeline.Indexer._index_records

    def buggy(self: Indexer, run: Any, reader: Any, progress: Any) -> None:
        if run.path.name == bad.name:
            raise TypeError("injected bug")
        real(self, run, reader, progress)

    monkeypatch.setattr(pipeline.Indexer, "_index_records", buggy)
    data = str(tmp_path / "data")
    assert main(["--data-dir", data, "index", "--no-progress", str(folder)]) == 1
    out = capsys.readouterr()
    assert "1 failed" in out.out and "1 captures" in out.out
    assert "indexing stopped by an internal error (TypeError): a bug in Spillwatch" in out.err
    assert "injected bug" not in out.err  # the exception text may quote archived content
    engine = open_catalog(make_settings())
    with engine.connect() as conn:
        row = conn.execute(select(warc_files).where(warc_files.c.path == str(bad))).mappings().one()
    assert row["status"] == "failed" and row["attempts"] == 1 and "internal error" in row["failure"]

    # the service's runs: the file stays pending with why until index_max_attempts runs failed
    settings_ = make_settings()
    with engine.begin() as conn:
        conn.execute(warc_files.update().where(warc_files.c.path == str(bad)).values(status="pending", attempts=0))
    search = open_search(settings_)
    try:
        for attempt in (1, 2):
            summary = pipeline.index_paths([bad], Config(settings=settings_), engine, search, max_attempts=2)
            assert summary.files_failed == 1
            with engine.connect() as conn:
                row = conn.execute(select(warc_files).where(warc_files.c.path == str(bad))).mappings().one()
            assert row["attempts"] == attempt and row["status"] == ("pending" if attempt == 1 else "failed")
    finally:
        search.close()
        engine.dispose()


def test_runs_that_never_finish_give_the_file_up(tmp_path: Path, make_settings) -> None:
    """A file whose runs were killed (out of memory, kill -9) counts its started attempts."""
    from indexer.warc_files import give_up_stalled, open_file, pending_paths, start_attempt

    engine = open_catalog(make_settings())
    path = tmp_path / "killer.warc.gz"
    state = open_file(engine, path, None)
    for _ in range(3):
        start_attempt(engine, state)
    with engine.begin() as conn:
        assert give_up_stalled(conn, 4) == [] and pending_paths(conn) == [str(path)]
        assert give_up_stalled(conn, 3) == [str(path)] and pending_paths(conn) == []
    engine.dispose()
