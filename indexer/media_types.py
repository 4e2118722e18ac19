"""Declared and sniffed media types of a capture.

Sniffing is the matcher's (:func:`matcher.sniff.sniff_media_type`: by content, never by the name
alone); this module only normalises the declared ``Content-Type`` and picks the type the indexer
acts on.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from matcher.sniff import BINARY, HTML, sniff_media_type

OCTET_STREAM = BINARY
HTML_TYPES = frozenset({HTML, "application/xhtml+xml"})
# Documents whose appearance on a page is "new document linked" (by URL extension, before fetching).
DOCUMENT_EXTENSIONS = frozenset({
    ".pdf", ".csv", ".tsv", ".xls", ".xlsx", ".xlsm", ".ods", ".odt", ".doc", ".docx", ".json", ".zip",
    ".txt", ".xml", ".pptx",
})


def essence(content_type: str) -> str:
    """``text/HTML; charset=UTF-8`` → ``text/html``."""
    return content_type.split(";", 1)[0].strip().lower()


def charset_of(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip("\"'").lower()
    return ""


def filename_of(url: str) -> str:
    try:
        path = urlsplit(url).path
    except ValueError:
        return ""
    return path.rsplit("/", 1)[-1]


def sniff(payload: bytes, url: str) -> str:
    """Media type by content (the matcher's sniffer); empty payload → empty string."""
    if not payload:
        return ""
    return sniff_media_type(payload, filename_of(url))


def effective(sniffed: str, declared: str) -> str:
    """The type to act on: the sniffed one, unless sniffing only said "some bytes"."""
    if sniffed and sniffed != OCTET_STREAM:
        return sniffed
    return essence(declared) or sniffed or OCTET_STREAM


def is_document_url(url: str) -> bool:
    name = filename_of(url).lower()
    dot = name.rfind(".")
    return dot >= 0 and name[dot:] in DOCUMENT_EXTENSIONS


def is_document_type(media_type: str) -> bool:
    """A file (table, report) rather than a page or a page resource."""
    if not media_type or media_type in HTML_TYPES:
        return False
    if media_type.startswith(("image/", "font/", "audio/", "video/")):
        return False
    return media_type not in {"text/css", "application/javascript", "text/javascript",
                              "application/x-javascript", OCTET_STREAM}
