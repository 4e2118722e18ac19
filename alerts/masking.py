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


def mask_url(url: str) -> str:
    """Host kept; path (file extension kept), query and fragment masked; decoded first so that
    ``%20``-escaped names are masked too."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return mask_file_name(unquote(url))
    segments = unquote(parts.path).split("/")
    masked = [mask_words(s) for s in segments[:-1]] + [mask_file_name(segments[-1])]
    out = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{'/'.join(masked)}"
    if parts.query:
        out += "?" + mask_words(unquote(parts.query))
    if parts.fragment:
        out += "#" + mask_words(unquote(parts.fragment))
    return out
