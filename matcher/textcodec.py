"""Text encoding detection for delimited files: BOMs, UTF-16 without BOM, UTF-8, else
charset-normalizer's best guess (cp1252/latin-1 for most Western government exports)."""

from __future__ import annotations

import codecs


def _utf16_without_bom(head: bytes) -> str | None:
    sample = head[:4096]
    if len(sample) < 8:
        return None
    even = sample[0::2].count(0) / (len(sample) / 2)
    odd = sample[1::2].count(0) / (len(sample) / 2)
    if odd > 0.3 and even < 0.05:
        return "utf-16-le"
    if even > 0.3 and odd < 0.05:
        return "utf-16-be"
    return None


def detect_encoding(head: bytes) -> str:
    """Encoding of a text file from its first bytes (64 KiB is plenty)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    utf16 = _utf16_without_bom(head)
    if utf16:
        return utf16
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # a multi-byte sequence cut at the end of the head is still UTF-8
        if exc.start >= len(head) - 3:
            return "utf-8"
    from charset_normalizer import from_bytes  # imported by the first file that is not UTF-8 (~9 ms a process)

    best = from_bytes(head[:65536]).best()
    if best is None:
        return "cp1252"
    encoding = str(best.encoding)
    # On short samples charset-normalizer cannot tell the single-byte Latin code pages apart
    # (cp1250 vs cp1252 vs latin-1).  Western government exports are overwhelmingly cp1252, so it
    # wins whenever the bytes are valid cp1252.
    if encoding.replace("-", "_") in _LATIN_FAMILY:
        try:
            head.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            return encoding
    return encoding


_LATIN_FAMILY = frozenset({"cp1250", "cp1252", "latin_1", "iso8859_1", "iso8859_2", "iso8859_15", "mac_roman",
                           "cp1257", "iso8859_9", "cp1254", "mac_latin2"})


# Bytes that are not control characters (tab, newline, form feed and carriage return are text).
_NOT_CONTROL = bytes(b for b in range(256) if b >= 32 or b in (9, 10, 12, 13))


def looks_binary(head: bytes) -> bool:
    """NUL bytes (outside UTF-16) or many control characters: not a text table."""
    sample = head[:65536]
    if not sample:
        return False
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _utf16_without_bom(sample):
        return False
    if b"\x00" in sample:
        return True
    # C-level count: delete every byte that is not a control character, measure what is left
    controls = len(sample.translate(None, _NOT_CONTROL))
    return controls / len(sample) > 0.02
