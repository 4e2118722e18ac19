"""What an index run did: :class:`IndexSummary`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from indexer.errors import RecordProblem


@dataclass
class IndexSummary:
    """What an index run did (the CLI prints it; the service loop logs it)."""

    files: int = 0
    files_skipped: int = 0
    files_failed: int = 0  # files that could not be read or whose run stopped (see problems)
    records: int = 0
    captures: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    reappeared: int = 0
    documents_linked: int = 0
    findings: int = 0
    documents: int = 0
    errors: int = 0
    warnings: int = 0
    seconds: float = 0.0
    problems: list[RecordProblem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["problems"] = [p.to_dict() for p in self.problems]
        return data
