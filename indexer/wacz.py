"""WARCs inside WACZ files (Web Archive Collection Zipped, https://specs.webrecorder.net/wacz/1.1.1/).

A WACZ is a ZIP holding ``archive/*.warc.gz``, CDXJ indexes, ``pages/pages.jsonl`` and a
``datapackage.json`` that lists every file with its size and SHA-256. The indexer reads the WARCs
in place: a member is named ``/path/x.wacz#archive/data.warc.gz`` (:data:`MEMBER_SEP`), and its
records' offsets are offsets into the member, as in the WACZ's own CDXJ. WACZ writers store WARC
members uncompressed in the ZIP (the WARCs are gzipped per record already), so a member is read as
a window of the ZIP file and seeks are free; a deflated member is read through :mod:`zipfile`.

:func:`wacz_members` checks the package before anything is indexed: a ZIP that cannot be read, a
missing or broken ``datapackage.json``, or a member whose size or digest differs from it is one
:class:`WaczError` for the whole file, naming what is wrong.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from pathlib import Path
from typing import IO, Any

from indexer.errors import IndexingError

MEMBER_SEP = "#"
WACZ_SUFFIX = ".wacz"
WARC_MEMBER_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
_HASH_CHUNK = 1 << 20


class WaczError(IndexingError):
    """The WACZ file cannot be indexed as it is (not a ZIP, no datapackage.json, a digest differs)."""


def member_path(wacz: Path, member: str) -> str:
    return f"{wacz}{MEMBER_SEP}{member}"


def split_member(path: str | Path) -> tuple[Path, str] | None:
    """(WACZ file, member name) of a member path; None for a plain file."""
    text = str(path)
    marker = WACZ_SUFFIX + MEMBER_SEP
    at = text.lower().find(marker)
    if at < 0:
        return None
    return Path(text[: at + len(WACZ_SUFFIX)]), text[at + len(marker):]


def is_wacz(path: Path) -> bool:
    return path.name.lower().endswith(WACZ_SUFFIX)


class _Window(io.RawIOBase):
    """A read-only, seekable view of ``length`` bytes of a file from ``start`` (a stored ZIP member)."""

    def __init__(self, path: Path, start: int, length: int) -> None:
        super().__init__()
        self._fh = path.open("rb")
        self._start, self._length, self._pos = start, length, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: self._length}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: Any) -> int:
        count = max(0, min(len(buffer), self._length - self._pos))
        if not count:
            return 0
        self._fh.seek(self._start + self._pos)
        data = self._fh.read(count)
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def close(self) -> None:
        self._fh.close()
        super().close()


def _data_start(path: Path, info: zipfile.ZipInfo) -> int:
    """Where a member's data begins in the ZIP (after its local header)."""
    with path.open("rb") as fh:
        fh.seek(info.header_offset)
        local = fh.read(30)
    if local[:4] != b"PK\x03\x04":
        raise WaczError(f"{path}: member {info.filename}: no local ZIP header at its offset; the WACZ is damaged")
    name_length = int.from_bytes(local[26:28], "little")
    extra_length = int.from_bytes(local[28:30], "little")
    return info.header_offset + 30 + name_length + extra_length


def open_source(path: str | Path) -> IO[bytes]:
    """A plain file, or a WARC member of a WACZ, opened for binary reading (seekable)."""
    member = split_member(path)
    if member is None:
        return Path(path).open("rb")
    wacz, name = member
    with zipfile.ZipFile(wacz) as archive:
        try:
            info = archive.getinfo(name)
        except KeyError:
            raise FileNotFoundError(2, f"no member {name} in {wacz}", str(path)) from None
    if info.compress_type == zipfile.ZIP_STORED:
        return io.BufferedReader(_Window(wacz, _data_start(wacz, info), info.file_size), 1 << 16)
    archive = zipfile.ZipFile(wacz)
    return archive.open(info)  # closing the member leaves the ZipFile to the garbage collector


def source_size(path: str | Path) -> int:
    member = split_member(path)
    if member is None:
        return Path(path).stat().st_size
    with zipfile.ZipFile(member[0]) as archive:
        return archive.getinfo(member[1]).file_size


def source_mtime(path: str | Path) -> float:
    member = split_member(path)
    return (member[0] if member else Path(path)).stat().st_mtime


def _digest_of(archive: zipfile.ZipFile, name: str, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    with archive.open(name) as fh:
        for chunk in iter(lambda: fh.read(_HASH_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _package(wacz: Path, archive: zipfile.ZipFile) -> list[dict[str, Any]]:
    try:
        package = json.loads(archive.read("datapackage.json"))
    except KeyError:
        raise WaczError(f"{wacz}: no datapackage.json; not a WACZ (a ZIP of WARCs must list them in "
                        "datapackage.json; rebuild it with `wacz create`)") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise WaczError(f"{wacz}: datapackage.json is not valid JSON ({exc}); rebuild the WACZ with "
                        "`wacz create`") from None
    resources = package.get("resources") if isinstance(package, dict) else None
    if not isinstance(resources, list):
        raise WaczError(f"{wacz}: datapackage.json has no 'resources' list; rebuild the WACZ with `wacz create`")
    return [r for r in resources if isinstance(r, dict)]


def wacz_members(wacz: Path) -> list[str]:
    """Member paths of the WARCs of ``wacz``, after checking them against ``datapackage.json``."""
    try:
        archive = zipfile.ZipFile(wacz)
    except (zipfile.BadZipFile, OSError) as exc:
        raise WaczError(f"{wacz}: not a readable ZIP file ({exc}); a WACZ is a ZIP: check the download "
                        "or rebuild it with `wacz create`") from None
    with archive:
        names = set(archive.namelist())
        warcs: list[str] = []
        for resource in _package(wacz, archive):
            name = str(resource.get("path", ""))
            if name not in names:
                raise WaczError(f"{wacz}: datapackage.json lists {name!r}, which is not in the ZIP; the WACZ is "
                                "incomplete: rebuild it with `wacz create`")
            _check(wacz, archive, name, resource)
            if name.startswith("archive/") and name.lower().endswith(WARC_MEMBER_SUFFIXES):
                warcs.append(member_path(wacz, name))
        if not warcs:
            raise WaczError(f"{wacz}: datapackage.json lists no WARC under archive/; nothing to index")
        return sorted(warcs)


def _check(wacz: Path, archive: zipfile.ZipFile, name: str, resource: dict[str, Any]) -> None:
    size = resource.get("bytes")
    if isinstance(size, int) and archive.getinfo(name).file_size != size:
        raise WaczError(f"{wacz}: {name} holds {archive.getinfo(name).file_size:,} bytes, datapackage.json "
                        f"says {size:,}; the member was changed or cut: rebuild the WACZ with `wacz create`")
    algorithm, _, expected = str(resource.get("hash", "")).partition(":")
    if not expected or algorithm.lower().replace("-", "") not in hashlib.algorithms_available:
        return  # no digest to check (allowed by the spec)
    actual = _digest_of(archive, name, algorithm.lower().replace("-", ""))
    if actual != expected.lower():
        raise WaczError(f"{wacz}: {name}: {algorithm} digest {actual} differs from datapackage.json's "
                        f"{expected}; the member is damaged: fetch or rebuild the WACZ")
