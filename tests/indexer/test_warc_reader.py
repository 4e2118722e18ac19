"""Reading real WARC/ARC files from other tools, broken ones included (../shared/corpus/warcs)."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from indexer.errors import RecordProblem
from indexer.warc_reader import WarcReader, WarcRecord, read_record_at


def read_all(path: Path, start: int = 0) -> tuple[list[WarcRecord], list[RecordProblem], WarcReader]:
    reader = WarcReader(path, start_offset=start)
    records: list[WarcRecord] = []
    problems: list[RecordProblem] = []
    for item in reader:
        (records if isinstance(item, WarcRecord) else problems).append(item)
    return records, problems, reader


def test_every_corpus_file_reads_or_fails_per_record(corpus: Path) -> None:
    files = sorted(p for p in corpus.iterdir() if p.is_file())
    assert len(files) >= 14
    for path in files:
        records, problems, _ = read_all(path)
        assert records or problems, path.name
        for problem in problems:
            assert problem.path == str(path) and problem.offset >= 0
            assert problem.message and problem.hint, problem


def test_good_files_have_no_problems_and_exact_positions(corpus: Path) -> None:
    for name in ("pywb__dupes.warc.gz", "pywb__example-wget-1-14.warc.gz", "pywb__example.arc.gz",
                 "warcio__example-iana.org-chunked.warc", "pywb__post-test.warc.gz"):
        records, problems, reader = read_all(corpus / name)
        assert problems == [], name
        responses = [r for r in records if r.rec_type in ("response", "resource")]
        assert responses, name
        for record in responses:
            again = read_record_at(corpus / name, record.offset)
            assert again.url == record.url and again.payload == record.payload
        # plain files: the blank lines after the last record are not part of it
        assert 0 <= (corpus / name).stat().st_size - (reader.next_offset or 0) <= 4


def test_arc_file_becomes_a_response(corpus: Path) -> None:
    records, problems, _ = read_all(corpus / "pywb__example.arc.gz")
    response = next(r for r in records if r.rec_type == "response")
    assert response.url == "http://example.com/" and response.status == 200
    assert b"Example Domain" in response.payload
    assert response.payload_digest.startswith("sha1:")


def test_wrong_chunks_skips_the_broken_record_with_offset_and_fix(corpus: Path) -> None:
    path = corpus / "warcio__example-wrong-chunks.warc.gz"
    records, problems, _ = read_all(path)
    # the gzip member at 516 holds the rest of the cut record (no record header): it is part of that
    # one problem, not a second one, and the reader looks for the next record after it
    assert [p.offset for p in problems] == [0]
    assert "cut short" in problems[0].message and "warcio recompress" in problems[0].hint
    assert all(p.skipped for p in problems)


def test_single_gzip_stream_is_indexed_and_says_to_recompress(corpus: Path) -> None:
    path = corpus / "warcio__example-bad-non-chunked.warc.gz"
    records, problems, reader = read_all(path)
    assert reader.decompressed
    assert any("warcio recompress" in p.hint and not p.skipped for p in problems)
    kinds = [r.rec_type for r in records]
    assert "response" in kinds and "revisit" in kinds
    response = next(r for r in records if r.rec_type == "response")
    assert read_record_at(path, response.offset).payload == response.payload


def test_truncated_record_is_a_warning_not_a_failure(corpus: Path) -> None:
    records, problems, _ = read_all(corpus / "warcio__example-trunc.warc")
    assert any(r.rec_type == "response" and r.status == 200 for r in records)
    # the record's gzip body ends early (a warning since content codings are decoded by core.encodings)
    assert len(problems) == 2 and not any(p.skipped for p in problems)
    assert sorted(p.offset for p in problems)[-1] == 2560
    assert any("gzip data of the body is broken" in p.message for p in problems)


def test_space_in_target_uri_and_missing_status_text(corpus: Path) -> None:
    records, problems, _ = read_all(corpus / "warcio__example-space-in-target-uri.warc.gz")
    assert [r.url for r in records if r.rec_type == "resource"] == ["file:///example%20with%20spaces.png"]
    records, problems, _ = read_all(corpus / "pywb__missing-status-text.warc")
    assert problems == [] and records[0].status == 302


def test_resume_from_an_offset_reads_the_rest(corpus: Path) -> None:
    path = corpus / "pywb__dupes.warc.gz"
    everything, _, _ = read_all(path)
    middle = everything[len(everything) // 2]
    rest, problems, _ = read_all(path, start=middle.offset)
    assert problems == []
    assert [r.offset for r in rest] == [r.offset for r in everything if r.offset >= middle.offset]


def test_file_cut_in_the_middle_keeps_the_records_before(tmp_path: Path, corpus: Path) -> None:
    source = corpus / "pywb__dupes.warc.gz"
    cut = tmp_path / "cut.warc.gz"
    data = source.read_bytes()
    cut.write_bytes(data[: len(data) // 2 + 100])
    records, problems, _ = read_all(cut)
    assert len(records) >= 5
    assert problems and all(p.path == str(cut) for p in problems)


def test_garbage_between_records_is_skipped(tmp_path: Path, corpus: Path) -> None:
    source = corpus / "warcio__example-iana.org-chunked.warc"
    data = source.read_bytes()
    broken = tmp_path / "garbage.warc"
    broken.write_bytes(b"GARBAGE LINE\r\n\r\n" + data)
    records, problems, _ = read_all(broken)
    assert problems and problems[0].offset == 0 and "GARBAGE" in problems[0].message
    response = next(r for r in records if r.rec_type == "response")
    assert response.url == "http://www.iana.org/"
    assert read_record_at(broken, response.offset).payload == response.payload


def test_missing_file_gives_a_clear_lookup_error(tmp_path: Path) -> None:
    with pytest.raises(LookupError, match="not found"):
        read_record_at(tmp_path / "gone.warc.gz", 0)


def test_plain_copy_of_gzip_reads_the_same(tmp_path: Path, corpus: Path) -> None:
    plain = tmp_path / "dupes.warc"
    with gzip.open(corpus / "pywb__dupes.warc.gz", "rb") as src, plain.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    a, _, _ = read_all(corpus / "pywb__dupes.warc.gz")
    b, problems, _ = read_all(plain)
    assert problems == []
    assert [(r.url, r.payload_digest) for r in a] == [(r.url, r.payload_digest) for r in b]
