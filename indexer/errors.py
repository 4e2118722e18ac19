"""Problems the indexer reports. Each names the file, the offset, what is wrong and how to fix it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from core.errors import SpillwatchError


class IndexingError(SpillwatchError):
    """Indexing cannot start (no such path, catalog or search backend unusable)."""


@dataclass(frozen=True)
class RecordProblem:
    """One record (or one stretch of a file) that could not be indexed as it is.

    ``skipped`` is False for a warning about a record that was still indexed (e.g. a record not
    followed by the blank lines WARC requires).
    """

    path: str
    offset: int
    message: str
    hint: str
    skipped: bool = True

    def __str__(self) -> str:
        what = "skipped" if self.skipped else "indexed with a warning"
        return f"{self.path}: offset {self.offset}: {self.message} ({what}); {self.hint}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RecordProblem:
        return cls(path=str(data.get("path", "")), offset=int(data.get("offset", 0)),
                   message=str(data.get("message", "")), hint=str(data.get("hint", "")),
                   skipped=bool(data.get("skipped", True)))
