"""Why a table was (or was not) flagged: the row-entity decision and the top signals for and
against, for ``spillwatch scan --explain``.

The explanation quotes headers (masked when they look like data, as in findings) and column
numbers, never cell values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.models import Table
from matcher.columns import type_columns
from matcher.decide import Decision, decide
from matcher.limits import DEFAULT_LIMITS, Limits

TOP_SIGNALS = 4


@dataclass(frozen=True)
class Explanation:
    locator: str
    rows: int
    person_level: bool
    entity: str
    score: float
    signals_for: list[str] = field(default_factory=list)
    signals_against: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {"locator": self.locator, "rows": self.rows, "person_table": self.person_level,
                "entity": self.entity, "score": round(self.score, 4), "for": list(self.signals_for),
                "against": list(self.signals_against), "reasons": list(self.reasons)}

    def lines(self) -> list[str]:
        verdict = "PERSON TABLE" if self.person_level else "not flagged"
        out = [f"table {self.locator or 'file'} ({self.rows:,} rows): {verdict}; rows describe: {self.entity}; "
               f"score {self.score:.2f}"]
        out += [f"  + {s}" for s in self.signals_for]
        out += [f"  - {s}" for s in self.signals_against]
        out += [f"  . {r}" for r in self.reasons]
        return out


def explain_decision(table: Table, decision: Decision) -> Explanation:
    signals_for: list[str] = []
    signals_against: list[str] = []
    if decision.row_entity is not None:
        signals_for = [f"{s.text} [{s.cue}, {s.weight:+.1f}]" for s in decision.row_entity.supporting()[:TOP_SIGNALS]]
        signals_against = [f"{s.entity.value}: {s.text} [{s.cue}, {s.weight:.1f}]"
                           for s in decision.row_entity.against()[:TOP_SIGNALS]]
    signals_against += [f"aggregate guard: {g}" for g in decision.guards]
    return Explanation(table.locator, table.total_rows, decision.person_level, decision.entity.value,
                       decision.score, signals_for, signals_against, decision.reasons)


def explain_tables(tables: list[Table], limits: Limits = DEFAULT_LIMITS) -> list[Explanation]:
    """One explanation per table, in the order the reader found them."""
    out = []
    for table in tables:
        columns = type_columns(table, limits.sample_rows)
        out.append(explain_decision(table, decide(table, columns)))
    return out

