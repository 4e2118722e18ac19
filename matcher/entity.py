"""What the rows of a table describe: a person, or something else that carries a person's name.

A table with a column of personal names is a list of people only when its rows describe people.
Rows of a dog-licence register describe dogs (the dogs have names, sexes and birth years), rows of
a museum catalogue describe artworks (the artist is an attribute of each), rows of a company
register describe companies (the CEO is an attribute), rows of a street list describe streets
named after people, and rows of a party-results sheet describe a party's votes in a place (the
party's list name repeats on every row).

The decision weighs *cues*: named rules, each with the entity it is evidence for, a weight and the
reason it gives.  Person cues come from the identifier and attribute columns the column typer found
(:mod:`matcher.columns`); cues for the other entities come from the vocabulary of all the headers
(``species``, ``breed``, ``isbn``, ``medium``, ``legal form``, ``invoice``, ``osm id``…) and from the
values of the name columns themselves (organisation-shaped, street-shaped, or a few names repeated
on every row).  The rows describe people when the person cues outweigh the best other entity by
:data:`PERSON_MARGIN`.  The header cues, relation words and person weights are named data in
:mod:`matcher.entity_vocabulary`, the value cues below (:data:`VALUE_CUES`): together the whole
rule set, which a reader (or a test) can list; ``spillwatch scan --explain`` shows which fired.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

from matcher import validators as v
from matcher.columns import ColumnEvidence, safe_header
from matcher.entity_lexicon import CREATOR_CATEGORY, PREFIX, creator_words, lexicon_cues
from matcher.entity_vocabulary import (
    CONTACT_WEIGHT,
    DISTINCT_NAMES_WEIGHT,
    HEADER_CUES,
    MAX_WORDS_PER_CUE,
    PERSON_MARGIN,
    PERSON_ROLE_WEIGHT,
    PERSON_WEIGHTS,
    RELATION_WORDS,
    Entity,
    HeaderCue,
    Signal,
)
from matcher.lexicon import normalise
from matcher.orgnames import corporation_ratio


@dataclass(frozen=True)
class Tuning:
    """What the cross-validation in ``bench/detection.py`` varies; the scanner uses the defaults.

    ``threshold``: the score from which a table is person-level; ``margin``: :data:`PERSON_MARGIN`;
    ``disabled``: cue names left out; ``words``: the hand-written header-cue words allowed (None:
    all); ``lexicon``: the general-lexicon categories allowed (:mod:`matcher.entity_lexicon`; None:
    all)."""

    threshold: float = 0.5
    margin: float = PERSON_MARGIN
    disabled: frozenset[str] = frozenset()
    words: frozenset[str] | None = None
    lexicon: frozenset[str] | None = None

    def allows(self, cue: HeaderCue) -> bool:
        if cue.name in self.disabled:
            return False
        lexicon = cue.name.startswith(PREFIX)
        return not lexicon or self.lexicon is None or cue.name.removeprefix(PREFIX) in self.lexicon


DEFAULT_TUNING = Tuning()
CONSTANT_ROWS = 10  # from this many rows, a column with one value is a constant of the list


@dataclass(frozen=True)
class RowEvidence:
    """What :func:`describe_rows` looks at: all columns, the name columns that would identify
    people, the other identifier columns and the attribute columns that describe people."""

    columns: list[ColumnEvidence]
    names: list[ColumnEvidence]
    identifiers: list[ColumnEvidence]
    attributes: list[ColumnEvidence]
    role_headers: list[str]
    name_values: Mapping[int, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class EntityDecision:
    entity: Entity
    person: float
    other: float
    signals: tuple[Signal, ...]

    def against(self) -> list[Signal]:
        return sorted((s for s in self.signals if s.entity != Entity.person), key=lambda s: -s.weight)

    def supporting(self) -> list[Signal]:
        return sorted((s for s in self.signals if s.entity == Entity.person), key=lambda s: -s.weight)


@lru_cache(maxsize=4096)
def _header_words(header: str) -> tuple[str, frozenset[str]]:
    norm = normalise(header)
    return norm, frozenset(norm.split())


def _cue_words(cue: HeaderCue, header: str, allowed: frozenset[str] | None) -> set[str]:
    norm, words = _header_words(header)
    found = set(cue.words & words) | ({norm} if norm in cue.phrases else set())
    # the hand-written words need support (Tuning.words); a lexicon's come from general knowledge
    return found if allowed is None or cue.name.startswith(PREFIX) else found & allowed


@lru_cache(maxsize=1)
def header_cues() -> tuple[HeaderCue, ...]:
    """The hand-written cues first (they claim a header for their entity), then the lexicon's."""
    return HEADER_CUES + lexicon_cues()


def header_signals(columns: list[ColumnEvidence], tuning: Tuning = DEFAULT_TUNING) -> list[Signal]:
    """Signals from header vocabulary (one per cue), subject and nesting taken into account."""
    subject = next((c.header for c in columns if c.total and not _is_id_header(c.header)), "")
    out: list[Signal] = []
    counted: set[tuple[Entity, str]] = set()  # a header counts once per entity ("Book title": a book word)
    for cue in header_cues():
        if not tuning.allows(cue):
            continue
        hits = [c.header for c in columns
                if (cue.entity, c.header) not in counted and _cue_words(cue, c.header, tuning.words)]
        if not hits:
            continue
        counted.update((cue.entity, h) for h in hits)
        # each distinct word of the cue counts, up to three ("medium", "acquisition", "creation")
        found = {w for h in hits for w in _cue_words(cue, h, tuning.words)}
        weight = cue.weight * min(len(found), MAX_WORDS_PER_CUE)
        if subject in hits:
            weight *= 2
        elif all("." in h for h in hits):
            weight *= 0.5
        quoted = ", ".join(f"'{safe_header(h)}'" for h in hits[:3])
        out.append(Signal(cue.name, cue.entity, round(weight, 3), f"{cue.why}: {quoted}"))
    return out


def _is_id_header(header: str) -> bool:
    words = _header_words(header)[1]
    return not words or bool(words & {"id", "no", "nr", "number", "code", "column", "index", "key", "rowid"})


@dataclass(frozen=True)
class ValueCue:
    """A rule over the name columns' values."""

    name: str
    entity: Entity
    weight: float
    why: str
    test: Callable[[ColumnEvidence, list[str]], float | None]  # the share that fired, or None


def _organisation_share(ev: ColumnEvidence, values: list[str]) -> float | None:
    distinct = list(dict.fromkeys(values))[:60]
    if not distinct:
        return None
    shaped = sum(1 for x in distinct if v.is_organisation(x)) / len(distinct)
    # the parser tags titled or annotated personal names ("Deputy Sheriff John Smith", "Clark Kent
    # (New Earth)") as corporations too: a value with a listed given name is not counted
    unlisted = [x for x in distinct if not v.given_name_hit(x)]
    share = max(shaped, corporation_ratio(unlisted) * len(unlisted) / len(distinct))
    return share if share >= 0.5 else None


def _street_share(ev: ColumnEvidence, values: list[str]) -> float | None:
    distinct = list(dict.fromkeys(values))[:200]
    if not distinct:
        return None
    share = sum(1 for x in distinct if v.is_street_name(x)) / len(distinct)
    return share if share >= 0.3 else None


def _repeated_share(ev: ColumnEvidence, values: list[str]) -> float | None:
    # the same few names on every row: a list or party name repeated per place, not a roster
    if len(values) < 30:
        return None
    ratio = len(set(values)) / len(values)
    return 1 - ratio if ratio < 0.2 else None


VALUE_CUES: tuple[ValueCue, ...] = (
    ValueCue("organisation-shaped names", Entity.organisation, 1.2,
             "values are names of organisations (legal-form or party words, or parsed as a corporation)",
             _organisation_share),
    ValueCue("street-shaped names", Entity.place, 1.2,
             "values are street names (a street word first or last)", _street_share),
    ValueCue("repeated names", Entity.aggregate, 0.5,
             "a few names repeat on every row (a category, not one person per row)", _repeated_share),
)


def value_signals(evidence: RowEvidence, tuning: Tuning = DEFAULT_TUNING) -> list[Signal]:
    out: list[Signal] = []
    disabled = tuning.disabled
    for cue in VALUE_CUES:
        if cue.name in disabled or not evidence.names:
            continue
        # every name column must pass: beside one column of personal names, a column of offices or
        # organisations is an attribute, not the row's subject
        tested = [cue.test(ev, evidence.name_values.get(ev.index, [])) for ev in evidence.names]
        shares = [share for share in tested if share is not None]
        if len(shares) == len(tested):
            ev = evidence.names[0]
            text = f"column {ev.index + 1} '{safe_header(ev.header)}': {cue.why} ({min(shares):.0%})"
            out.append(Signal(cue.name, cue.entity, cue.weight, text))
    relation_words = _relation_words(tuning)
    relations = [relation_words[w] for ev in evidence.names for w in _header_words(ev.header)[1] if w in relation_words]
    found = [e for e in relations if e is not None]
    if evidence.names and found and "name column is an attribute" not in disabled:
        related = [ev for ev in evidence.names if any(w in relation_words for w in _header_words(ev.header)[1])]
        if 2 * len(related) >= len(evidence.names):
            quoted = ", ".join(f"'{safe_header(ev.header)}'" for ev in related[:3])
            out.append(Signal("name column is an attribute", found[0], 0.6,
                              f"the names are each row's {_ROLE_OF[found[0]]}: {quoted}"))
    return out


@lru_cache(maxsize=64)
def _relation_words(tuning: Tuning) -> Mapping[str, Entity]:
    allowed = tuning.words
    out = {w: e for w, e in RELATION_WORDS.items() if allowed is None or w in allowed}
    if tuning.lexicon is None or CREATOR_CATEGORY in tuning.lexicon:
        out.update({w: Entity.work for w in creator_words() if w not in out})
    return MappingProxyType(out)


_ROLE_OF: Mapping[Entity, str] = MappingProxyType({
    Entity.work: "author, artist or correspondent", Entity.organisation: "officer (CEO, founder)",
    Entity.animal: "animal", Entity.place: "namesake", Entity.person: "person",
})


def person_signals(evidence: RowEvidence) -> list[Signal]:
    out: list[Signal] = []
    seen: set[str] = set()
    # an attribute with one value on every row ("USA") describes the list, not each row
    varied = [ev for ev in evidence.attributes if ev.total < CONSTANT_ROWS or ev.distinct_ratio * ev.total > 1.5]
    for ev in evidence.names + evidence.identifiers + varied:
        kind = "split_name" if ev.type in {"given_name", "family_name"} else ev.type
        if kind in seen or kind not in PERSON_WEIGHTS:
            continue
        seen.add(kind)
        what = "given and family names" if kind == "split_name" else ev.what
        out.append(Signal(f"person: {kind}", Entity.person, PERSON_WEIGHTS[kind],
                          f"column {ev.index + 1} '{safe_header(ev.header)}': {what}"))
    if evidence.role_headers:  # headers of the name columns that name a role (candidate, inmate…)
        quoted = ", ".join(f"'{safe_header(h)}'" for h in evidence.role_headers[:3])
        out.append(Signal("person: role header", Entity.person, PERSON_ROLE_WEIGHT,
                          f"headers name a role people play: {quoted}"))
    if evidence.names and evidence.identifiers:
        reach = ", ".join(f"'{safe_header(ev.header)}'" for ev in evidence.identifiers[:3])
        out.append(Signal("person: names with contacts", Entity.person, CONTACT_WEIGHT,
                          f"names beside personal contact details, addresses or ID numbers ({reach}): whatever "
                          "else the rows describe, they identify and reach people"))
    distinct = [ev for ev in evidence.names if ev.distinct_ratio >= 0.8 and ev.total >= 3]
    if distinct:
        out.append(Signal("person: distinct names", Entity.person, DISTINCT_NAMES_WEIGHT,
                          f"column {distinct[0].index + 1}: a different name on nearly every row"))
    return out


def totals(signals: Iterable[Signal]) -> dict[Entity, float]:
    out: dict[Entity, float] = {}
    for s in signals:
        out[s.entity] = out.get(s.entity, 0.0) + s.weight
    return out


def describe_rows(evidence: RowEvidence, tuning: Tuning = DEFAULT_TUNING) -> EntityDecision:
    """The entity the rows describe: people when the person cues outweigh the strongest other
    entity's by ``tuning.margin``."""
    signals = [s for s in person_signals(evidence) if s.cue not in tuning.disabled]
    signals += header_signals(evidence.columns, tuning) + value_signals(evidence, tuning)
    scores = totals(signals)
    person = scores.pop(Entity.person, 0.0)
    other_entity, other = max(scores.items(), key=lambda kv: kv[1], default=(Entity.unknown, 0.0))
    entity = Entity.person if person > 0 and person > other * tuning.margin else other_entity
    return EntityDecision(entity, round(person, 3), round(other, 3), tuple(signals))


def cue_vocabulary() -> frozenset[str]:
    """Every hand-written header word and phrase a cue looks for (what ``Tuning.words`` restricts)."""
    out: set[str] = set(RELATION_WORDS)
    for cue in HEADER_CUES:
        out |= cue.words | cue.phrases
    return frozenset(out)


def cue_names() -> list[str]:
    """Every cue's name (header, value and person cues): what ``disabled`` may hold."""
    names = [c.name for c in header_cues()] + [c.name for c in VALUE_CUES] + ["name column is an attribute"]
    return names + [f"person: {k}" for k in PERSON_WEIGHTS] + ["person: role header", "person: distinct names",
                                                               "person: names with contacts"]
