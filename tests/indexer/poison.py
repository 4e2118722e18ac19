"""Raw WARC/ARC bytes for poison-file tests: good records, and one record mutated the ways broken
crawlers and damaged disks break them (hand-built bytes: warcio's writer cannot write invalid files)."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass

from hypothesis import strategies as st

DATE = "2026-05-01T10:00:00Z"
ARC_DATE = "20260501100000"


def http_block(body: bytes, extra: bytes = b"") -> bytes:
    return (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n" + extra
            + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


def page(url: str) -> bytes:
    return f"<html><head><title>{url}</title></head><body><p>Page {url}</p></body></html>".encode()


@dataclass
class Mutation:
    """How the middle record is broken: headers dropped or replaced, the block replaced, the
    record's bytes cut, or its gzip member damaged."""

    drop: tuple[str, ...] = ()
    replace: tuple[tuple[str, bytes], ...] = ()
    block: bytes | None = None
    cut: int | None = None  # keep this many bytes of the record (plain) or member (gzip)
    flip: tuple[int, ...] = ()  # byte positions of the gzip member to damage


def warc_record(url: str, body: bytes, mutation: Mutation | None = None) -> bytes:
    mutation = mutation or Mutation()
    block = mutation.block if mutation.block is not None else http_block(body)
    headers: dict[str, bytes] = {
        "WARC-Type": b"response", "WARC-Record-ID": f"<urn:uuid:{hashlib.md5(url.encode()).hexdigest()}>".encode(),
        "WARC-Date": DATE.encode(), "WARC-Target-URI": url.encode(),
        "Content-Type": b"application/http; msgtype=response", "Content-Length": str(len(block)).encode(),
    }
    for name in mutation.drop:
        headers.pop(name, None)
    for name, value in mutation.replace:
        headers[name] = value
    version = headers.pop("version", b"WARC/1.1")
    head = version + b"\r\n" + b"".join(n.encode() + b": " + v + b"\r\n" for n, v in headers.items())
    data = head + b"\r\n" + block + b"\r\n\r\n"
    return data[:mutation.cut] if mutation.cut is not None else data


def arc_record(url: str, body: bytes, mutation: Mutation | None = None) -> bytes:
    mutation = mutation or Mutation()
    block = mutation.block if mutation.block is not None else http_block(body)
    fields = {"url": url.encode(), "ip": b"192.0.2.1", "date": ARC_DATE.encode(), "mime": b"text/html",
              "length": str(len(block)).encode()}
    for name in mutation.drop:
        fields.pop(name, None)
    for name, value in mutation.replace:
        fields[name] = value
    data = b" ".join(fields.values()) + b"\n" + block + b"\n"
    return data[:mutation.cut] if mutation.cut is not None else data


def arc_header() -> bytes:
    text = b"1 0 Spillwatch\nURL IP-address Archive-date Content-type Archive-length\n"
    return (b"filedesc://poison.arc 0.0.0.0 " + ARC_DATE.encode() + b" text/plain "
            + str(len(text)).encode() + b"\n" + text + b"\n")


def member(data: bytes, mutation: Mutation | None = None) -> bytes:
    packed = bytearray(gzip.compress(data))
    if mutation is not None:
        for position in mutation.flip:
            packed[position % len(packed)] ^= 0xA5
        if mutation.cut is not None:
            return bytes(packed[:mutation.cut])
    return bytes(packed)


WARC_FIELDS = ("WARC-Type", "WARC-Date", "WARC-Target-URI", "Content-Length", "WARC-Record-ID", "Content-Type")
ARC_FIELDS = ("url", "ip", "date", "mime", "length")

LENGTHS = st.sampled_from([b"99999999999", b"-5", b"-99999999999", b"abc", b"", b"1e9", b"0x10", b"\xff\xfe",
                           b"0", b"3", b"18446744073709551617"])
ENCODED = st.sampled_from([
    "Bücher/ö".encode("latin-1"), "дата".encode("utf-16"), b"\xff\xfe\xfd", b"\x00\x00", "日付".encode("shift_jis"),
    b"not-a-date", b"<>", b"http://", b"\r\n", b" " * 300,
])
BLOCKS = st.sampled_from([
    b"", b"HTTP/1.1", b"HTTP/1.1 abc\r\n\r\n", b"\x00" * 50, b"garbage\r\nwithout: status\r\n\r\nbody",
    b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\nnot gzip at all",
    b"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\n\r\nnot brotli",
    b"HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\n\r\n\x78\x9c\x00\x01",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nbad chunk\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n99999999\r\nshort\r\n",
    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-16\r\n\r\n<p>ü</p>".encode("latin-1"),
])


@st.composite
def warc_mutations(draw: st.DrawFn) -> Mutation:
    kind = draw(st.sampled_from(["drop", "length", "encoding", "block", "cut", "version"]))
    if kind == "drop":
        return Mutation(drop=tuple(draw(st.sets(st.sampled_from(WARC_FIELDS), min_size=1))))
    if kind == "length":
        return Mutation(replace=(("Content-Length", draw(LENGTHS)),))
    if kind == "encoding":
        return Mutation(replace=((draw(st.sampled_from(WARC_FIELDS)), draw(ENCODED)),))
    if kind == "block":
        return Mutation(block=draw(BLOCKS), replace=draw(st.sampled_from([(), (("Content-Length", b"12"),)])))
    if kind == "cut":
        return Mutation(cut=draw(st.integers(min_value=1, max_value=300)))
    return Mutation(replace=(("version", draw(st.sampled_from([b"WARC/9.9", b"WARC/", b"", b"\x1f\x8b"]))),))


@st.composite
def arc_mutations(draw: st.DrawFn) -> Mutation:
    kind = draw(st.sampled_from(["drop", "length", "encoding", "block", "cut"]))
    if kind == "drop":
        return Mutation(drop=tuple(draw(st.sets(st.sampled_from(ARC_FIELDS), min_size=1, max_size=3))))
    if kind == "length":
        return Mutation(replace=(("length", draw(LENGTHS)),))
    if kind == "encoding":
        return Mutation(replace=((draw(st.sampled_from(ARC_FIELDS)), draw(ENCODED)),))
    if kind == "block":
        return Mutation(block=draw(BLOCKS))
    return Mutation(cut=draw(st.integers(min_value=1, max_value=200)))


@st.composite
def gzip_damage(draw: st.DrawFn) -> Mutation:
    """A damaged gzip member: bytes flipped (header, deflate data or CRC) or the member cut."""
    if draw(st.booleans()):
        return Mutation(flip=tuple(draw(st.lists(st.integers(0, 400), min_size=1, max_size=4))))
    return Mutation(cut=draw(st.integers(min_value=1, max_value=150)))
