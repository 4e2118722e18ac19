"""Media type by content (magic numbers, ZIP directory, text shape), not by file name.

The file name is only a tie-breaker between text formats that look alike (``.tsv`` vs ``.csv``)
and is never trusted against the bytes: binary garbage named ``.csv`` is
``application/octet-stream``.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import IO

from matcher.textcodec import detect_encoding, looks_binary

CSV = "text/csv"
TSV = "text/tab-separated-values"
TEXT = "text/plain"
HTML = "text/html"
JSON = "application/json"
XML = "application/xml"
PDF = "application/pdf"
ZIP = "application/zip"
GZIP = "application/gzip"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSM = "application/vnd.ms-excel.sheet.macroEnabled.12"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODT = "application/vnd.oasis.opendocument.text"
XLS = "application/vnd.ms-excel"
DOC = "application/msword"
CFB = "application/x-ole-storage"
# password-protected OOXML (an OLE container holding "EncryptedPackage"); Apache Tika's name for it
ENCRYPTED_OOXML = "application/x-tika-ooxml-protected"
BINARY = "application/octet-stream"

SPREADSHEETS = frozenset({XLSX, XLSM, ODS, XLS})
DELIMITED = frozenset({CSV, TSV, TEXT})

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HEAD_BYTES = 65536


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def _sniff_cfb(data: bytes) -> str:
    if _utf16("EncryptedPackage") in data or _utf16("EncryptionInfo") in data:
        return ENCRYPTED_OOXML
    if _utf16("Workbook") in data or _utf16("Book") in data:
        return XLS
    if _utf16("WordDocument") in data:
        return DOC
    return CFB


def _zip_names(stream: IO[bytes]) -> list[str] | None:
    try:
        with zipfile.ZipFile(stream) as zf:
            return zf.namelist()[:5000]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None


def _sniff_zip(stream: IO[bytes], head: bytes) -> str:
    names = _zip_names(stream)
    if names is None:
        # truncated archive (no central directory): look at the local headers in the head
        names = [n.decode("latin-1") for n in (b"xl/", b"word/", b"ppt/", b"mimetype") if n in head]
    if head[30:38] == b"mimetype":
        if b"opendocument.spreadsheet" in head[:200]:
            return ODS
        if b"opendocument.text" in head[:200]:
            return ODT
    if any(n.startswith("xl/") for n in names):
        return XLSM if any(n.endswith("vbaProject.bin") for n in names) else XLSX
    if any(n.startswith("word/") for n in names):
        return DOCX
    if any(n.startswith("ppt/") for n in names):
        return PPTX
    return ZIP


def is_json_lines(text: str) -> bool:
    """JSON Lines (``.jsonl``, ``.ndjson``): every line of the head (the last may be cut) is a JSON
    object."""
    lines = [ln for ln in text.splitlines()[:21] if ln.strip()]
    if len(lines) > 20:
        lines = lines[:20]
    elif len(lines) > 2:
        lines = lines[:-1]  # the head may end inside the last line
    if len(lines) < 2:
        return False
    try:
        return all(isinstance(json.loads(ln), dict) for ln in lines)
    except (ValueError, RecursionError):
        return False


def _sniff_text(head: bytes, filename: str) -> str:
    if looks_binary(head):
        return BINARY
    encoding = detect_encoding(head)
    text = head.decode(encoding, errors="replace").lstrip("\ufeff \t\r\n")
    lowered = text[:2048].lower()
    if text[:1] in "[{":
        try:
            json.loads(text)
            return JSON
        except RecursionError:
            return JSON  # nested deeper than the parser allows: the JSON reader reports it
        except ValueError:
            if is_json_lines(text):
                return JSON
            if len(head) >= HEAD_BYTES or filename.lower().endswith(".json"):
                return JSON  # a head cut mid-document still starts like JSON
    if lowered.startswith("<?xml"):
        # XHTML says <html; an XML data file may hold <Table> elements (SpreadsheetML)
        return HTML if "<html" in lowered or "<!doctype html" in lowered else XML
    if lowered.startswith(("<!doctype html", "<html")) or "<table" in lowered or "<body" in lowered:
        return HTML
    if lowered.startswith("<"):
        return HTML  # an HTML fragment (<div>, <p>…) without a doctype
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    if not lines:
        return TEXT
    tabs = sum(1 for ln in lines if "\t" in ln)
    if tabs >= 0.8 * len(lines):
        return TSV
    delimited = sum(1 for ln in lines if "," in ln or ";" in ln or "|" in ln)
    if delimited >= 0.8 * len(lines) or filename.lower().endswith((".csv", ".tsv", ".txt")):
        return CSV
    return TEXT


def sniff_stream(stream: IO[bytes], filename: str = "") -> str:
    """Media type of a seekable binary stream; the stream is left at position 0."""
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    try:
        if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
            return _sniff_zip(stream, head)
        if head.startswith(_CFB_MAGIC):
            stream.seek(0)
            return _sniff_cfb(stream.read(4 * 1024 * 1024))
        if b"%PDF-" in head[:1024]:
            return PDF
        if head.startswith(b"\x1f\x8b"):
            return GZIP
        return _sniff_text(head, filename)
    finally:
        stream.seek(0)


def sniff_media_type(data: bytes, filename: str = "") -> str:
    """Media type of ``data`` by content; ``filename`` only breaks ties between text formats."""
    return sniff_stream(io.BytesIO(data), filename)
