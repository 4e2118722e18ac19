"""HTTP content codings of archived bodies: ``gzip``, ``deflate``, ``br``, ``zstd`` and stacks of them.

WARCs keep bodies as the server sent them (docs/architecture.md §3), so a page served with
``Content-Encoding: br`` is stored brotli-compressed. Extraction and scanning (and the crawler's
spider, which follows links) need the decoded entity: :func:`decode_body` undoes each coding of the
header in reverse order (``gzip, br`` was gzipped first, then brotli-compressed), with the decoders
made for the job (``zlib``, ``brotlicffi``, ``zstandard``) rather than warcio's, which knows neither
``zstd`` nor stacked codings and, with the current ``brotli`` package, crashes on ``br`` (it sets
``unused_data`` on a decompressor that refuses it).

Every decoder runs under the same bounds as the parsers (docs/architecture.md §5): output stops at
``limit`` bytes (the body is then marked truncated, as a long body is) and at ``max_ratio`` times its
input (a decompression bomb). A coding that is unknown or whose data is broken is a problem of that
record only: the result says what was wrong, and the body keeps what could be decoded (or the stored
bytes when nothing could).
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import brotlicffi
import zstandard

CHUNK = 64 * 1024
BROTLI_CHUNK = 4096  # small input steps: what precedes damaged data is still decoded
# Outputs below this may compress extremely well (blank pages, empty tables) without being a bomb.
RATIO_FLOOR = 1024 * 1024
NO_CODING = frozenset({"", "identity", "none"})
# the matcher's zip-bomb ratio (matcher.limits.Limits.max_compression_ratio); callers pass their own
MAX_RATIO = 200.0


class _Broken(Exception):
    """The data is not valid for its coding."""


class _Bomb(Exception):
    """The output grew past ``max_ratio`` times the input."""


@dataclass
class Decoded:
    """A decoded body. ``problem`` is empty when every coding was undone."""

    body: bytes
    truncated: bool = False
    problem: str = ""
    hint: str = ""


def codings(header: str) -> list[str]:
    """The codings of a ``Content-Encoding`` value, in the order they were applied."""
    found = [token.strip().lower() for token in header.split(",")]
    return ["gzip" if token == "x-gzip" else token for token in found if token not in NO_CODING]


class _Sink:
    """Collects output up to ``limit`` bytes and ``max_ratio`` x input."""

    def __init__(self, limit: int, input_size: int, max_ratio: float) -> None:
        self.limit = limit
        self.ceiling = max(RATIO_FLOOR, int(input_size * max_ratio))
        self.parts: list[bytes] = []
        self.size = 0
        self.full = False

    def room(self) -> int:
        return max(0, min(self.limit, self.ceiling + 1) - self.size)

    def add(self, data: bytes) -> None:
        if not data:
            return
        self.parts.append(data)
        self.size += len(data)
        if self.size > self.ceiling:
            raise _Bomb
        if self.size >= self.limit:
            self.full = True

    def body(self) -> bytes:
        return b"".join(self.parts)[: self.limit]


def _zlib(data: bytes, sink: _Sink, wbits: int) -> None:
    """gzip (several members too) or deflate, output bounded with ``max_length``."""
    rest = data
    while rest and not sink.full:
        inflater = zlib.decompressobj(wbits)
        pending = rest
        while pending and not sink.full:
            sink.add(inflater.decompress(pending, max(1, sink.room())))
            pending = inflater.unconsumed_tail
        if not inflater.eof:
            if not sink.full:
                sink.add(inflater.flush())
                if wbits != 16 + zlib.MAX_WBITS:  # deflate ending early: what arrived is the body
                    return
                raise _Broken("the gzip data ends before its end marker")
            return
        rest = inflater.unused_data
        if wbits != 16 + zlib.MAX_WBITS or not rest.startswith(b"\x1f\x8b"):
            return  # trailing bytes after the stream are ignored, as browsers do


def _gzip(data: bytes, sink: _Sink) -> None:
    _zlib(data, sink, 16 + zlib.MAX_WBITS)


def _deflate(data: bytes, sink: _Sink) -> None:
    # RFC 9110 deflate is a zlib stream, but many servers send raw deflate: try both, as browsers do
    wbits = zlib.MAX_WBITS if len(data) >= 2 and (data[0] * 256 + data[1]) % 31 == 0 and data[0] & 0x0F == 8 \
        else -zlib.MAX_WBITS
    _zlib(data, sink, wbits)


def _brotli(data: bytes, sink: _Sink) -> None:
    decoder = brotlicffi.Decompressor()
    for start in range(0, len(data), BROTLI_CHUNK):
        if sink.full:
            return
        sink.add(decoder.process(data[start:start + BROTLI_CHUNK], output_buffer_limit=max(1, sink.room())))
        while not decoder.can_accept_more_data() and not sink.full:
            sink.add(decoder.process(b"", output_buffer_limit=max(1, sink.room())))
    if not sink.full and not decoder.is_finished():
        raise _Broken("the brotli data ends before its last block")


def _zstd(data: bytes, sink: _Sink) -> None:
    with zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data), read_across_frames=True) as reader:
        while not sink.full:
            chunk = reader.read(min(CHUNK, max(1, sink.room())))
            if not chunk:
                return
            sink.add(chunk)


DECODERS: dict[str, Callable[[bytes, _Sink], None]] = {
    "gzip": _gzip,
    "deflate": _deflate,
    "br": _brotli,
    "zstd": _zstd,
}
DECODE_ERRORS = (_Broken, zlib.error, brotlicffi.error, zstandard.ZstdError)


def decode_body(body: bytes, content_encoding: str, *, limit: int,
                max_ratio: float = MAX_RATIO) -> Decoded:
    """``body`` with the codings of ``content_encoding`` undone, at most ``limit`` bytes."""
    layers = codings(content_encoding)
    current, truncated = body, False
    for done, coding in enumerate(reversed(layers)):
        decoder = DECODERS.get(coding)
        if decoder is None:
            return Decoded(current[:limit], truncated or len(current) > limit,
                           f"unknown Content-Encoding {coding!r} (of {content_encoding!r}); body kept as stored",
                           f"supported codings: {', '.join(DECODERS)}; the text of this record is not searchable")
        sink = _Sink(limit, len(current), max_ratio)
        try:
            decoder(current, sink)
        except _Bomb:
            return Decoded(sink.body(), True,
                           f"{coding}-decoded body grew past {max_ratio:.0f} times its compressed size "
                           f"({len(current):,} bytes); possible decompression bomb, only its first "
                           f"{sink.size:,} bytes are indexed", "nothing to do unless the file is expected; "
                           "the stored bytes stay in the WARC")
        except DECODE_ERRORS as exc:
            if not sink.size and done == 0 and not _looks_encoded(current, coding):
                # servers that label plain bodies as compressed: browsers show them as they are
                return Decoded(current[:limit], len(current) > limit,
                               f"body declared {content_encoding!r} is not {coding}-encoded; indexed as stored",
                               "nothing to do: the server mislabels its responses", )
            detail = " ".join(str(exc).split())[:160].strip("b'\"") or "invalid data"
            return Decoded(sink.body(), True,
                           f"{coding} data of the body is broken after {sink.size:,} decoded bytes: {detail}",
                           "only the part decoded before the damage is indexed; re-crawl the URL for a whole copy")
        current = sink.body()
        truncated = truncated or sink.full
    return Decoded(current[:limit], truncated or len(current) > limit)


def _looks_encoded(data: bytes, coding: str) -> bool:
    """Whether ``data`` starts like ``coding``'s format: gzip and zstd have magic numbers; a brotli or
    deflate stream is taken as encoded unless its start is plain UTF-8 text."""
    if coding == "gzip":
        return data.startswith(b"\x1f\x8b")
    if coding == "zstd":
        return data.startswith(b"\x28\xb5\x2f\xfd")
    head = data[:512].decode("utf-8", "ignore")
    if len(head.encode("utf-8")) < min(len(data), 512) - 3:
        return True
    return any(ord(char) < 32 and char not in "\t\r\n\f" for char in head)
