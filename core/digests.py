"""One spelling for WARC payload digests, so that equal payloads compare equal whoever wrote them.

WARC writers label and encode the same digest differently: warcio and Heritrix write
``sha1:BASE32``, ArchiveWeb.page writes ``sha-256:hex`` in one record and ``sha256:hex`` in the next,
others write base64. :func:`normalise_digest` turns every form into ``<algorithm>:<BASE32>`` (label
lower-case without hyphen, value base32 upper-case without padding), the form of the records this
project writes, so revisits resolve against their originals and payloads are compared by value.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re

# digest sizes in bytes by normalised label
SIZES = {"sha1": 20, "sha224": 28, "sha256": 32, "sha384": 48, "sha512": 64, "md5": 16}
_HEX = re.compile(r"[0-9a-fA-F]+")
_BASE32 = re.compile(r"[A-Za-z2-7]+=*")


def _label(raw: str) -> str:
    return raw.strip().lower().replace("-", "").replace("_", "")


def _value_bytes(value: str, size: int) -> bytes | None:
    """The digest's bytes from its base16, base32 or base64 form; None when it is none of them."""
    if len(value) == 2 * size and _HEX.fullmatch(value):
        return bytes.fromhex(value)
    if _BASE32.fullmatch(value) and len(value.rstrip("=")) == -(-size * 8 // 5):
        padded = value.rstrip("=").upper()
        padded += "=" * (-len(padded) % 8)
        try:
            return base64.b32decode(padded)
        except binascii.Error:
            return None
    try:
        decoded = base64.b64decode(value.replace("-", "+").replace("_", "/") + "=" * (-len(value) % 4),
                                   validate=True)
    except binascii.Error:
        return None
    return decoded if len(decoded) == size else None


def normalise_digest(digest: str) -> str:
    """``<algorithm>:<BASE32>`` for any spelling of a digest; unknown forms are only trimmed (an
    unknown algorithm keeps its value, lower-cased label)."""
    text = digest.strip()
    if not text:
        return ""
    label, sep, value = text.partition(":")
    if not sep:  # a bare value: CDX files drop the label of sha1 digests
        label, value = ("sha1", text) if len(text) in (32, 40) else ("", text)
        if not label:
            return text
    name = _label(label)
    size = SIZES.get(name)
    raw = _value_bytes(value.strip(), size) if size else None
    if raw is None:
        return f"{name}:{value.strip()}"
    return f"{name}:{base64.b32encode(raw).decode('ascii').rstrip('=')}"


def sha1_digest(data: bytes) -> str:
    """``sha1:BASE32`` of ``data``, as in WARC-Payload-Digest."""
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")
