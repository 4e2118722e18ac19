"""Masking of what an alert says about *where* a finding is: its URL, file name and linking page.

Agencies name files after people (``/files/Maria_Hernandez_A123456721_1987-03-14.csv``), so the URL
of a finding is personal data as much as its cells.  The path, query and fragment go through the rule
the matcher applies to free-text samples (:func:`matcher.masking.mask_text`): every word keeps its
first letter, every digit becomes ``*``.  The scheme, host and port stay (which agency published it),
and so does a file extension (what kind of file).  The full URL is in the UI behind login.

The rule is re-stated here rather than imported: ``alerts/`` and ``matcher/`` are on the same floor
and may not import each other; ``tests/alerts/test_privacy.py`` checks both give the same result.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_DIGIT = re.compile(r"\d")
_EXTENSION = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,7}$")


def mask_words(value: str) -> str:
    """Keep the first letter of each word, star the rest; star every digit (as the matcher does)."""
    return _DIGIT.sub("*", _WORD.sub(lambda m: m.group(0)[0] + "*" * (len(m.group(0)) - 1), value))


def mask_file_name(name: str) -> str:
    """``Maria_Hernandez_1987-03-14.csv`` → ``M****_H********_****-**-**.csv``."""
    extension = _EXTENSION.search(name)
    if extension is None or extension.start() == 0:
        return mask_words(name)
    return mask_words(name[: extension.start()]) + extension.group(0).lower()


def _mask_path(path: str) -> str:
    segments = path.split("/")
    return "/".join([mask_words(s) for s in segments[:-1]] + [mask_file_name(segments[-1])])


def mask_url(url: str) -> str:
    """Host kept; path (file extension kept), query and fragment masked; decoded first so that
    ``%20``-escaped names are masked too."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return mask_file_name(unquote(url))
    out = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{_mask_path(unquote(parts.path))}"
    if parts.query:
        out += "?" + mask_words(unquote(parts.query))
    if parts.fragment:
        out += "#" + mask_words(unquote(parts.fragment))
    return out


# How the matcher names a place inside one file (matcher/*_tables.py, spreadsheet.py, hidden.py): kept.
_INSIDE_FILE = re.compile(r"^(table|pages? \d|sheet '|JSON |XML |pivot cache )")
_PART_OF_FILE = re.compile(r" (body|tracked changes|comments|hidden rows)$")


def mask_locator(locator: str) -> str:
    """``release.zip > Maria_Hernandez/A123.csv > table`` → ``r******.zip > M****_H********/A***.csv > table``:
    the archive and member names in a finding's locator are file names, masked like the URL's; where in
    the file (table, page, sheet, a document's body…) stays."""
    return " > ".join(_mask_locator_part(part) for part in locator.split(" > "))


def _mask_locator_part(part: str) -> str:
    if _INSIDE_FILE.match(part):
        return part
    suffix = _PART_OF_FILE.search(part)
    if suffix is None:
        return _mask_path(part)
    return _mask_path(part[: suffix.start()]) + suffix.group(0)
