"""Turn extracted tables, hidden items and redaction hits into :class:`Finding` objects, with
readable reasons and masked samples."""

from __future__ import annotations

import re

from core.models import ColumnType, Finding, FindingKind, Severity, Table
from matcher.columns import ColumnEvidence, safe_header, type_columns
from matcher.decide import Decision, decide
from matcher.extracted import Extracted, HiddenItem, RedactionHit
from matcher.limits import Limits
from matcher.masking import mask_row, mask_value
from matcher.validators import is_email, is_national_id, is_phone, parse_date

_TOKEN = re.compile(r"[\w.@+\-/]+", re.UNICODE)


class _Classified:
    """Column evidence and decision per table object, computed once per scan."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._cache: dict[int, tuple[Table, list[ColumnEvidence], Decision]] = {}

    def get(self, table: Table) -> tuple[list[ColumnEvidence], Decision]:
        key = id(table)
        if key not in self._cache:
            columns = type_columns(table, self.limits.sample_rows)
            decision = decide(table, columns)
            self._cache[key] = (table, columns, decision)
        _, columns, decision = self._cache[key]
        return columns, decision


MAX_SAMPLE_COLUMNS = 12


def _sample(table: Table, columns: list[ColumnEvidence], limits: Limits) -> list[list[str]]:
    """Masked sample rows, cell for cell in the order of the finding's ``columns`` (the typed
    columns); a table with no typed column shows its first columns."""
    chosen = [c for c in columns if c.type][:MAX_SAMPLE_COLUMNS] or columns[:MAX_SAMPLE_COLUMNS]
    types = [c.type for c in chosen]
    rows = []
    for row in table.rows[: limits.sample_in_finding]:
        cells = [row[c.index] if c.index < len(row) else "" for c in chosen]
        rows.append(mask_row(cells, types))
    return rows


def _column_types(columns: list[ColumnEvidence]) -> list[ColumnType]:
    typed = [c for c in columns if c.type][:MAX_SAMPLE_COLUMNS]
    return [ColumnType(header=safe_header(c.header), type=c.type, confidence=c.confidence) for c in typed]


def person_finding(table: Table, columns: list[ColumnEvidence], decision: Decision, limits: Limits) -> Finding:
    reasons = list(decision.reasons)
    reasons.insert(0, f"{table.total_rows:,} rows that each describe one person")
    if table.hidden:
        reasons.insert(0, f"the table is not visible to readers ({table.hidden_reason})")
    return Finding(
        kind=FindingKind.person_table, severity=decision.severity, score=decision.score,
        rows=table.total_rows, locator=table.locator, columns=_column_types(columns), reasons=reasons,
        sample=_sample(table, columns, limits),
    )


def _text_identifiers(text: str) -> tuple[dict[str, int], list[str]]:
    counts: dict[str, int] = {}
    masked: list[str] = []
    for token in _TOKEN.findall(text)[:20000]:
        kind = ""
        if is_email(token):
            kind = "email"
        elif is_national_id(token):
            kind = "gov_id"
        elif parse_date(token) is not None:
            kind = "date"
        elif is_phone(token):
            kind = "phone"
        if kind:
            counts[kind] = counts.get(kind, 0) + 1
            if len(masked) < 5:
                masked.append(mask_value(token, "birth_date" if kind == "date" else kind))
    return counts, masked


def hidden_finding(item: HiddenItem, classified: _Classified, limits: Limits) -> Finding:
    reasons = [item.what]
    severity = Severity.low
    score = 0.5
    columns: list[ColumnType] = []
    sample: list[list[str]] = []
    rows = item.count
    if item.table is not None:
        table_columns, decision = classified.get(item.table)
        columns = _column_types(table_columns)
        rows = item.table.total_rows
        if decision.person_level:
            severity, score = decision.severity, max(score, decision.score)
            reasons.append("it holds a person-level table: " + "; ".join(decision.reasons[:4]))
            sample = _sample(item.table, table_columns, limits)
        else:
            reasons.append("it does not hold a person-level table")
    if item.parent is not None and item.columns:
        parent_columns, decision = classified.get(item.parent)
        hidden_cols = [parent_columns[j] for j in item.columns if j < len(parent_columns)]
        columns = _column_types(hidden_cols)
        described = ", ".join(
            f"column {c.index + 1} '{safe_header(c.header)}'" + (f" ({c.type})" if c.type else "") for c in hidden_cols
        )
        reasons.append(f"hidden columns: {described}")
        if decision.person_level:
            reasons.append("the sheet they belong to is a person-level table")
            if any(c.type for c in hidden_cols):
                severity, score = decision.severity, max(score, decision.score)
    if item.text:
        counts, masked = _text_identifiers(item.text)
        reasons.append(f"{item.text_chars:,} characters of hidden text")
        if counts:
            reasons.append("identifiers in it: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
            severity = max(severity, Severity.medium)
            sample = sample or [masked]
    return Finding(kind=FindingKind.hidden_content, severity=severity, score=score, rows=rows,
                   locator=item.locator, columns=columns, reasons=reasons, sample=sample)


def redaction_finding(hit: RedactionHit) -> Finding:
    masked = [mask_value(w) for w in hit.words[:8]]
    reasons = [
        f"{hit.chars:,} characters of text lie under {hit.boxes} filled dark rectangle(s): the redaction "
        "covers the text visually but the text is still in the file and can be copied out"
    ]
    counts, _ = _text_identifiers(" ".join(hit.words))
    if counts:
        reasons.append("identifiers under the boxes: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
    return Finding(kind=FindingKind.failed_redaction, severity=Severity.high, score=1.0, rows=hit.boxes,
                   locator=hit.locator, reasons=reasons, sample=[masked] if masked else [])


def build_findings(extracted: Extracted, limits: Limits) -> list[Finding]:
    classified = _Classified(limits)
    findings: list[Finding] = []
    for table in extracted.tables:
        columns, decision = classified.get(table)
        if decision.person_level:
            findings.append(person_finding(table, columns, decision, limits))
    for item in extracted.hidden:
        findings.append(hidden_finding(item, classified, limits))
    for hit in extracted.redactions:
        findings.append(redaction_finding(hit))
    findings.sort(key=lambda f: (-int(f.severity), f.kind.value, f.locator))
    return findings
