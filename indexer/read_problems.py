"""The problems :class:`indexer.warc_reader.WarcReader` reports: what is wrong with a record, and
a hint that names a command or setting that fixes it."""

from __future__ import annotations

import zlib
from collections.abc import Iterator

from warcio.recordloader import ArcWarcRecord

from indexer.errors import RecordProblem
from indexer.parse_errors import DATA_ERRORS
from indexer.warc_headers import rec_label, short_by

RECOMPRESS_HINT = ("rewrite the file with one gzip member per record: "
                   "`warcio recompress {path} fixed.warc.gz`, then index fixed.warc.gz")


def problem_for(label: str, offset: int, exc: BaseException, gzipped: bool) -> RecordProblem:
    """The problem of a record warcio could not read, with how to fix it."""
    text = " ".join(str(exc).split())[:300] or exc.__class__.__name__
    if isinstance(exc, zlib.error) or (gzipped and "gzip" in text.lower()):
        hint = "the gzip data is damaged here; " + RECOMPRESS_HINT.format(path=label)
    elif isinstance(exc, EOFError):
        hint = "the file ends inside a record (an interrupted write?); re-crawl to replace it"
    else:
        hint = ("the record header is not valid WARC/ARC; check the file with `warcio check "
                f"{label}`; the next readable record is indexed")
    if not isinstance(exc, DATA_ERRORS):  # warcio itself failed on it (parse_errors)
        return RecordProblem(label, offset, "unreadable record: warcio failed on it "
                             f"({exc.__class__.__name__}: {text}); a required header field (WARC-Type, "
                             "WARC-Target-URI, WARC-Date, Content-Length) is probably missing or invalid", hint)
    return RecordProblem(label, offset, f"unreadable record: {exc.__class__.__name__}: {text}", hint)


def blank_line_warnings(label: str, warnings: list[tuple[int, bytes]]) -> Iterator[RecordProblem]:
    """Records not followed by the blank lines WARC requires (indexed, with a warning)."""
    for warn_offset, line in warnings:
        yield RecordProblem(
            label, warn_offset,
            f"record not followed by the blank lines WARC requires (found {line!r}); its "
            "Content-Length is probably wrong",
            f"the record before offset {warn_offset} may be cut short; check the file with "
            f"`warcio check {label}`", skipped=False)
    warnings.clear()


def length_problem(path: str, record: ArcWarcRecord, url: str, offset: int) -> RecordProblem | None:
    """The record's length is missing or negative (warcio then reads to the end of the file), or
    the file ends before it: a problem, and the reader looks for the next record inside it."""
    what = url or rec_label(record)
    if record.length is None or record.length < 0:
        declared = record.rec_headers.get_header("Content-Length")
        return RecordProblem(
            path, offset, f"{what} has no valid Content-Length ({declared!r}), so where it ends "
            "is unknown", "the WARC header needs Content-Length: the block's size in bytes; "
            f"`warcio check {path}` shows the record; the next readable record is indexed")
    short = short_by(record)
    if short:
        return RecordProblem(
            path, offset, f"{what} is cut short: {short} byte(s) of its Content-Length "
            "are missing (the file is truncated, a gzip member ends inside the record, or the "
            "length is wrong)",
            "re-crawl the URL, or rebuild the file with `warcio recompress` if the data is all there")
    return None
