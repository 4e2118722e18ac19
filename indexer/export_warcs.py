"""``spillwatch export cdxj --warcs DIR``: the WARC files a CDXJ export names, copied beside it.

A CDXJ index is only useful to pywb or another replay tool with the files it names. With
``warc_storage: s3://`` those files may not be on this machine: each is then streamed down from the
bucket whole (never held in memory; written under a temporary name and renamed when complete). A
file keeps its path below the data folder inside DIR (``crawls/<site>/warcs/<name>``), so names never
clash; a file outside the data folder keeps its own name.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from core.errors import ServiceUnavailable
from indexer.wacz import MEMBER_SEP, split_member

if TYPE_CHECKING:
    from core.warc_store import S3Store

CHUNK = 8 * 1024 * 1024


@dataclass
class CopiedWarcs:
    names: dict[str, str] = field(default_factory=dict)  # catalog path -> name relative to DIR
    copied: int = 0
    problems: list[str] = field(default_factory=list)


def copy_warcs(paths: Iterable[str], dest: Path, data_dir: Path, store: S3Store | None) -> CopiedWarcs:
    """Copy each file (the WACZ of a WACZ member) into ``dest``; a file that cannot be had is reported
    in ``problems`` and the others are still copied."""
    result = CopiedWarcs()
    done: dict[Path, str] = {}
    for path in paths:
        member = split_member(path)
        container = Path(member[0] if member else path)
        try:
            if container not in done:
                done[container] = _copy_one(container, dest, data_dir.resolve(), store)
                result.copied += 1
        except (OSError, ValueError, ServiceUnavailable) as exc:  # ValueError: outside the data folder
            result.problems.append(f"{container}: not copied ({exc})")
            continue
        result.names[path] = done[container] + (f"{MEMBER_SEP}{member[1]}" if member else "")
    return result


def _copy_one(container: Path, dest: Path, data_dir: Path, store: S3Store | None) -> str:
    try:
        name = container.resolve().relative_to(data_dir).as_posix()
    except ValueError:
        name = container.name
    target = dest / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if container.is_file():
        with container.open("rb") as source:
            _write(source, target)
    elif store is not None:
        with store.open_stream(container) as source:  # streamed down in chunks, never read whole
            _write(source, target)
    else:
        raise FileNotFoundError(2, "not on this machine and warc_storage is not s3://", str(container))
    return name


def _write(source: IO[bytes], target: Path) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            shutil.copyfileobj(source, out, CHUNK)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
