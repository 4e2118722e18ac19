"""Safe access to ZIP containers (ZIP archives, XLSX, DOCX, ODS): bomb checks before anything
inflates, and XML parts refused when they declare a DTD (entity bombs), before any parser sees them.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import IO

from lxml import etree

from matcher.errors import EncryptedFile, LimitExceeded, ScanError, UnsafeXml
from matcher.limits import Limits

# members smaller than this may compress extremely well (empty sheets) without being a bomb
_RATIO_FLOOR = 1024 * 1024


def open_zip(data: IO[bytes] | bytes, locator: str, kind: str) -> zipfile.ZipFile:
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    try:
        return zipfile.ZipFile(stream)
    except zipfile.BadZipFile:
        raise ScanError(
            f"{locator}: truncated or damaged {kind} (its ZIP directory is missing or corrupt); "
            "download the file again or open it in its application to repair it"
        ) from None
    except (OSError, ValueError, EOFError):
        raise ScanError(f"{locator}: damaged {kind}; download the file again") from None


def check_zip(zf: zipfile.ZipFile, limits: Limits, locator: str, kind: str) -> None:
    """Refuse archives that would inflate beyond the limits, before inflating anything."""
    infos = zf.infolist()
    if len(infos) > limits.max_archive_members:
        raise LimitExceeded(
            f"{locator}: {len(infos):,} members in the {kind} (limit {limits.max_archive_members:,}); "
            "not scanned. Unpack it and scan the parts you need."
        )
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise EncryptedFile(f"{locator}: encrypted, not scanned (password-protected {kind} member); "
                                "ask the publisher for an unprotected copy")
        total += info.file_size
        if info.file_size > limits.max_member_bytes:
            raise LimitExceeded(
                f"{locator}: a {kind} member expands to {info.file_size:,} bytes (limit "
                f"{limits.max_member_bytes:,}); not scanned (possible zip bomb)"
            )
        if info.file_size > _RATIO_FLOOR and info.compress_size and (
            info.file_size / info.compress_size > limits.max_compression_ratio
        ):
            raise LimitExceeded(
                f"{locator}: a {kind} member compresses {info.file_size / info.compress_size:,.0f}:1 "
                f"(limit {limits.max_compression_ratio:,.0f}:1); not scanned (possible zip bomb)"
            )
    if total > limits.max_total_uncompressed:
        raise LimitExceeded(
            f"{locator}: the {kind} expands to {total:,} bytes (limit {limits.max_total_uncompressed:,}); "
            "not scanned (possible zip bomb)"
        )


def read_member(zf: zipfile.ZipFile, name: str, limits: Limits, locator: str) -> bytes:
    """A member's bytes, never more than ``max_member_bytes`` whatever its header claims."""
    with zf.open(name) as member:
        data = member.read(limits.max_member_bytes + 1)
    if len(data) > limits.max_member_bytes:
        raise LimitExceeded(f"{locator}: a member expands beyond {limits.max_member_bytes:,} bytes; "
                            "not scanned (possible zip bomb)")
    return data


def check_xml_parts(zf: zipfile.ZipFile, locator: str, kind: str) -> None:
    """Refuse any XML part that declares a DTD: OOXML and ODF never need one; entity bombs do."""
    for info in zf.infolist():
        if not info.filename.endswith((".xml", ".rels", ".vml")):
            continue
        with zf.open(info) as member:
            head = member.read(4096)
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head or _utf16_doctype(head):
            raise UnsafeXml(
                f"{locator}: the {kind} contains XML with entity declarations ({info.filename}), a possible "
                "entity bomb; not scanned. Files saved by Office or LibreOffice never contain these."
            )


def _utf16_doctype(head: bytes) -> bool:
    return "<!DOCTYPE".encode("utf-16-le") in head or "<!ENTITY".encode("utf-16-le") in head


def parser() -> etree.XMLParser:
    """An lxml parser that resolves nothing and loads nothing."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def iter_elements(zf: zipfile.ZipFile, name: str, tags: tuple[str, ...]) -> Iterator[etree._Element]:
    """Stream elements of a member (``tags`` in Clark notation) and free them as we go."""
    with zf.open(name) as member:
        context = etree.iterparse(
            member, events=("end",), tag=tags, resolve_entities=False, no_network=True, load_dtd=False,
            huge_tree=False,
        )
        try:
            for _, element in context:
                yield element
                element.clear(keep_tail=False)
        except etree.XMLSyntaxError:
            raise ScanError(f"damaged XML part {name}") from None


def parse_xml(data: bytes, name: str) -> etree._Element:
    try:
        return etree.fromstring(data, parser())
    except etree.XMLSyntaxError:
        raise ScanError(f"damaged XML part {name}") from None
