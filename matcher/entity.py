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
:data:`PERSON_MARGIN`.  The cue tables below are the whole rule set: a reader (or a test) can list
them, and ``spillwatch scan --explain`` shows which fired for a table.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

from matcher import validators as v
from matcher.columns import ColumnEvidence, safe_header
from matcher.lexicon import normalise
from matcher.orgnames import corporation_ratio


class Entity(enum.StrEnum):
    unknown = "unknown"  # no cue at all: nothing in the table points to any kind of row
    person = "person"
    organisation = "organisation"
    place = "place"
    work = "work"
    animal = "animal"
    event = "event"
    aggregate = "aggregate"


@dataclass(frozen=True)
class Signal:
    """One cue that fired on a table: for ``entity``, with ``weight``, because ``text``."""

    cue: str
    entity: Entity
    weight: float
    text: str


@dataclass(frozen=True)
class HeaderCue:
    """Header vocabulary that names what rows describe (folded, lower-case words or phrases)."""

    name: str
    entity: Entity
    weight: float
    words: frozenset[str]
    why: str
    phrases: frozenset[str] = frozenset()  # whole normalised headers ("title" but not "job title")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Weights are hand-set (see bench/README.md for how they were validated on held-out sources).  A
# cue fires once per table, its weight times the number of its distinct words found in the headers
# (at most MAX_WORDS_PER_CUE); the weight doubles when the cue names
# the table's first column (the row's subject: "company", "book", "AnimalName") and halves in a
# nested header ("company.name": an attribute of a related object).
HEADER_CUES: tuple[HeaderCue, ...] = (
    HeaderCue("animal words", Entity.animal, 1.2,
              _words("animal animals pet pets dog dogs cat cats canine feline breed breeds breedname species "
                     "especie especies espece especes specie spezies tierart hund hunde chien chiens perro "
                     "perros cao caes cane cani microchip rabies neutered spayed desexed kennel"),
              "headers name animals or breeds"),
    HeaderCue("work identifiers", Entity.work, 0.8,
              _words("isbn isbn13 issn doi shelfmark accession goodreads"),
              "headers hold catalogue numbers of books or objects (ISBN, DOI, accession)"),
    HeaderCue("work words", Entity.work, 0.6,
              _words("book books libro libros livre livres livro livros buch bucher artwork artworks painting "
                     "paintings sculpture manuscript manuscripts publisher publication published edition "
                     "chapter chapters editorial editora verlag editeur medium acquisition provenance "
                     "creation repository archive archives archivo arquivo fonds folio letter letters "
                     "correspondence bibliography catalogue"),
              "headers describe books, artworks or documents (publication, medium, repository…)"),
    HeaderCue("work phrases", Entity.work, 0.6, frozenset(),
              "headers name a document's call number or type",
              frozenset({"call number", "type of document", "document type", "original title", "book title",
                         "work title", "publication year", "year published", "date of publication"})),
    HeaderCue("company words", Entity.organisation, 0.4,
              _words("company companies corporation corporate firm firms empresa empresas entreprise entreprises "
                     "societe azienda aziende unternehmen incorporated incorporation headquarters hq naics "
                     "cnpj siren siret ticker vendor vendors supplier suppliers contractor bidder"),
              "headers name companies or suppliers"),
    HeaderCue("company facts", Entity.organisation, 0.6,
              _words("founded founding legal ceo revenue revenues subsidiaries"),
              "headers hold facts about organisations (founded, legal form, CEO, revenue)"),
    HeaderCue("company phrases", Entity.organisation, 0.8, frozenset(),
              "headers name an organisation's legal or trade name",
              frozenset({"legal form", "forma juridica", "forme juridique", "razon social", "raison sociale",
                         "ragione sociale", "trade name", "business name", "nome fantasia", "legal name",
                         "number of employees", "date founded", "year founded"})),
    HeaderCue("map features", Entity.place, 0.8,
              _words("osm highway aeroway railway waterway landuse amenity geometry geom wkt tunnel bridge "
                     "oneway lanes smoothness barrier"),
              "headers describe map features (OSM ids, highways, geometry)"),
    HeaderCue("place words", Entity.place, 0.4,
              _words("monument monuments statue statues memorial memorials plaque plaques landmark landmarks "
                     "building buildings park parks streets calle calles rue rues strasse strassen rua ruas via "
                     "vie avenue avenues road roads"),
              "headers name streets, buildings or monuments"),
    HeaderCue("place phrases", Entity.place, 0.8, frozenset(),
              "headers name a street or building",
              frozenset({"street name", "road name", "nombre de la calle", "nombre de calle", "nom de rue",
                         "nome da rua", "nome della via", "strassenname", "named after", "building name"})),
    HeaderCue("transaction words", Entity.event, 0.6,
              _words("invoice invoices factura facture fattura rechnung sku quantity qty shipment shipping"),
              "headers describe invoices or orders"),
    HeaderCue("transaction phrases", Entity.event, 0.6, frozenset(),
              "headers name order or invoice numbers",
              frozenset({"order id", "order number", "order no", "purchase order", "po number", "unit price",
                         "invoice number", "invoice no", "transaction id"})),
    HeaderCue("weather words", Entity.event, 0.8,
              _words("storm storms hurricane hurricanes typhoon cyclone wind windspeed pressure landfall"),
              "headers describe storms"),
)

MAX_WORDS_PER_CUE = 3

# Headers of a name column that make the person an attribute of the row (the row is a book whose
# author is named, a company whose CEO is named…).  Folded words of the header.
RELATION_WORDS: Mapping[str, Entity] = MappingProxyType({
    **dict.fromkeys("author authors autor autores auteur auteurs autore autori artist artists artista "
                    "artiste painter composer composers illustrator translator recipient recipients addressee "
                    "destinatario destinataire sender dedicated dedicatee creator creators photographer".split(),
                    Entity.work),
    **dict.fromkeys("ceo ceos founder founders chairman chairwoman proprietor".split(), Entity.organisation),
    **dict.fromkeys("animal pet dog cat".split(), Entity.animal),
    **dict.fromkeys("honours honors honoree honouree commemorates commemorated namesake homenajeado "
                    "homenageado".split(), Entity.place),
})

# Weights of person cues, by column type of an identifier or attribute column.
PERSON_WEIGHTS: Mapping[str, float] = MappingProxyType({
    "person_name": 1.0, "split_name": 1.0, "gov_id": 1.0, "email": 0.6, "phone": 0.5,
    "birth_date": 0.4, "age": 0.4, "sex": 0.3, "nationality": 0.3, "sensitive_category": 0.4,
    "address": 0.3, "location_detention": 0.4, "case_id": 0.2,
})
PERSON_ROLE_WEIGHT = 0.3   # a header names a role people play (candidate, employee, inmate…)
DISTINCT_NAMES_WEIGHT = 0.2  # nearly every row holds another name
CONTACT_WEIGHT = 0.8  # names beside a personal email, phone, home address or ID number (a pet's owner)
# Person cues must outweigh the strongest other entity by this factor (fitted by grouped
# cross-validation in bench/detection.py; see bench/README.md).
PERSON_MARGIN = 1.0


@dataclass(frozen=True)
class Tuning:
    """What the cross-validation in ``bench/detection.py`` varies; the scanner uses the defaults.

    ``threshold``: the score from which a table is person-level; ``margin``: :data:`PERSON_MARGIN`;
    ``disabled``: cue names left out; ``words``: the header-cue words allowed (None: all)."""

    threshold: float = 0.5
    margin: float = PERSON_MARGIN
    disabled: frozenset[str] = frozenset()
    words: frozenset[str] | None = None


DEFAULT_TUNING = Tuning()


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
    return found if allowed is None else found & allowed


def header_signals(columns: list[ColumnEvidence], tuning: Tuning = DEFAULT_TUNING) -> list[Signal]:
    """Signals from header vocabulary (one per cue), subject and nesting taken into account."""
    subject = next((c.header for c in columns if c.total and not _is_id_header(c.header)), "")
    out: list[Signal] = []
    counted: set[tuple[Entity, str]] = set()  # a header counts once per entity ("Book title": a book word)
    for cue in HEADER_CUES:
        if cue.name in tuning.disabled:
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
    allowed = tuning.words
    relation_words = [w for w in RELATION_WORDS if allowed is None or w in allowed]
    relations = [RELATION_WORDS[w] for ev in evidence.names for w in _header_words(ev.header)[1] if w in relation_words]
    found = [e for e in relations if e is not None]
    if evidence.names and found and "name column is an attribute" not in disabled:
        related = [ev for ev in evidence.names if any(w in relation_words for w in _header_words(ev.header)[1])]
        if 2 * len(related) >= len(evidence.names):
            quoted = ", ".join(f"'{safe_header(ev.header)}'" for ev in related[:3])
            out.append(Signal("name column is an attribute", found[0], 0.6,
                              f"the names are those of a {_ROLE_OF[found[0]]} of each row: {quoted}"))
    return out


_ROLE_OF: Mapping[Entity, str] = MappingProxyType({
    Entity.work: "work's author, artist or correspondent", Entity.organisation: "company's officer",
    Entity.animal: "animal", Entity.place: "place's namesake", Entity.person: "person",
})


def person_signals(evidence: RowEvidence) -> list[Signal]:
    out: list[Signal] = []
    seen: set[str] = set()
    for ev in evidence.names + evidence.identifiers + evidence.attributes:
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
    """Every header word and phrase a cue looks for (what ``Tuning.words`` restricts)."""
    out: set[str] = set(RELATION_WORDS)
    for cue in HEADER_CUES:
        out |= cue.words | cue.phrases
    return frozenset(out)


def cue_names() -> list[str]:
    """Every cue's name (header, value and person cues): what ``disabled`` may hold."""
    names = [c.name for c in HEADER_CUES] + [c.name for c in VALUE_CUES] + ["name column is an attribute"]
    return names + [f"person: {k}" for k in PERSON_WEIGHTS] + ["person: role header", "person: distinct names",
                                                               "person: names with contacts"]
