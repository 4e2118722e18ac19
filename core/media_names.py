"""Short names and words for the media types of archived documents: ``xlsx`` ↔
``application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`` ↔ "Excel workbook (xlsx)".

The short names are those of the config's ``follow_types`` and of ``spillwatch search --type``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MediaName:
    short: str
    media_type: str
    label: str


MEDIA_NAMES = (
    MediaName("html", "text/html", "Web page"),
    MediaName("pdf", "application/pdf", "PDF document"),
    MediaName("csv", "text/csv", "CSV table"),
    MediaName("tsv", "text/tab-separated-values", "Tab-separated table"),
    MediaName("json", "application/json", "JSON data"),
    MediaName("txt", "text/plain", "Plain text"),
    MediaName("xls", "application/vnd.ms-excel", "Excel workbook (old format)"),
    MediaName("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel workbook"),
    MediaName("ods", "application/vnd.oasis.opendocument.spreadsheet", "OpenDocument spreadsheet"),
    MediaName("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document"),
    MediaName("zip", "application/zip", "ZIP archive"),
)
BY_MEDIA_TYPE = {m.media_type: m for m in MEDIA_NAMES}
BY_SHORT = {m.short: m for m in MEDIA_NAMES}


def media_type_of(name: str) -> str:
    """A short name (``xlsx``) as its media type; a media type as itself."""
    key = name.strip().lower()
    return BY_SHORT[key].media_type if key in BY_SHORT else key


def describe_media_type(media_type: str) -> tuple[str, str]:
    """(words, short name) of a media type; an unknown one is its own words and has no short name."""
    known = BY_MEDIA_TYPE.get(media_type.strip().lower())
    return (known.label, known.short) if known else (media_type, "")
