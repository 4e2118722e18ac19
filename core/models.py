"""Dataclasses that cross package boundaries.

Every stage (crawler, indexer, matcher, alerts, web) speaks in these types, so they live in the
kernel and carry no behaviour beyond (de)serialisation.  docs/architecture.md §3 ("Findings") fixes the JSON
shape of :class:`Finding`; :meth:`Finding.to_dict` is that shape.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


class Severity(enum.IntEnum):
    """Ordered severities (docs/architecture.md §4). Integer order allows ``>=`` comparisons."""

    low = 1
    medium = 2
    high = 3
    critical = 4

    @classmethod
    def parse(cls, value: str | Severity) -> Severity:
        if isinstance(value, Severity):
            return value
        try:
            return cls[value.strip().lower()]
        except KeyError:
            choices = ", ".join(s.name for s in cls)
            raise ValueError(f"unknown severity {value!r}; expected one of: {choices}") from None

    @classmethod
    def names(cls, worst_first: bool = False) -> tuple[str, ...]:
        """The severity names, mildest first (or worst first): the one list every package reads."""
        ordered = sorted(cls, reverse=worst_first)
        return tuple(member.name for member in ordered)


class FindingKind(enum.StrEnum):
    person_table = "person_table"
    hidden_content = "hidden_content"
    failed_redaction = "failed_redaction"


@dataclass(frozen=True)
class ColumnType:
    """The type the matcher assigned to one column of a table."""

    header: str
    type: str
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Table:
    """A table extracted from a document: header plus rows of cell strings.

    ``locator`` says where in the file the table sits ("sheet 'Detainees'", "page 3 table 1",
    "zip member a.csv"); ``row_count`` is exact when the extractor streamed the whole table, while
    ``rows`` may hold only a sample of it.
    """

    header: list[str]
    rows: list[list[str]]
    locator: str = ""
    row_count: int | None = None
    hidden: bool = False
    hidden_reason: str = ""

    @property
    def total_rows(self) -> int:
        return self.row_count if self.row_count is not None else len(self.rows)


@dataclass
class Finding:
    """One thing worth an analyst's attention in one file (docs/architecture.md §3 "Findings")."""

    kind: FindingKind
    severity: Severity
    score: float
    rows: int
    locator: str
    columns: list[ColumnType] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    sample: list[list[str]] = field(default_factory=list)  # already masked

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "severity": self.severity.name,
            "score": round(self.score, 4),
            "rows": self.rows,
            "locator": self.locator,
            "columns": [c.to_dict() for c in self.columns],
            "reasons": list(self.reasons),
            "sample": [list(r) for r in self.sample],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(
            kind=FindingKind(data["kind"]),
            severity=Severity.parse(data["severity"]),
            score=float(data["score"]),
            rows=int(data["rows"]),
            locator=str(data.get("locator", "")),
            columns=[ColumnType(**c) for c in data.get("columns", [])],
            reasons=list(data.get("reasons", [])),
            sample=[list(r) for r in data.get("sample", [])],
        )


@dataclass
class Capture:
    """One archived response/resource/revisit record as the catalog knows it (docs/architecture.md §3)."""

    url: str
    surt: str
    captured_at: datetime
    status: int | None
    media_type_declared: str
    media_type_sniffed: str
    payload_digest: str
    warc_file: str
    warc_offset: int
    warc_length: int
    record_type: str = "response"
    site_id: str | None = None
    refers_to_digest: str | None = None


@dataclass
class SearchDocument:
    """The one search document schema both backends index (docs/architecture.md §3 "Search documents").

    ``text`` and ``title`` are already HTML-stripped; the backends fold accents themselves in
    Python (see :mod:`indexer.search.folding`) because Elasticsearch's integration-test
    distribution lacks ``asciifolding``.
    """

    id: str
    url: str
    site: str
    media_type: str
    captured_at: datetime
    title: str = ""
    text: str = ""
    has_finding: bool = False
    severity: str | None = None
    capture_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # What roles without unmasked access see and match on (indexer/search/masking.py); None: the same
    # as ``title``/``text``.
    masked_title: str | None = None
    masked_text: str | None = None
