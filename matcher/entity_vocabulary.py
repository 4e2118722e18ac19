"""The vocabulary of the row-entity decision (:mod:`matcher.entity`): the entities, the header cues
with their words and weights, the relation words of name columns and the weights of person cues.

Named data, so that a reader (or a test) can list the rules: every cue has a name, the entity it is
evidence for, a weight and the reason it gives.  Words are folded and lower-case (accents
stripped, as :func:`matcher.lexicon.normalise` leaves headers); multilingual where the classes of
table are (EN/ES/FR/PT/IT/DE).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


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
              _words("isbn isbn13 issn doi shelfmark accession goodreads inventarnummer inventario inventaire "
                     "signatura segnatura cote"),
              "headers hold catalogue numbers of books or objects (ISBN, DOI, accession)"),
    HeaderCue("work words", Entity.work, 0.6,
              _words("book books libro libros livre livres livro livros buch bucher artwork artworks painting "
                     "paintings sculpture manuscript manuscripts publisher publication published edition "
                     "chapter chapters editorial editora verlag editeur medium acquisition provenance "
                     "creation repository archive archives archivo arquivo fonds folio letter letters "
                     "correspondence bibliography catalogue erwerbung tecnica technique technik obra obras "
                     "oeuvre oeuvres werk werke"),
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
                    "destinatario destinataire sender dedicated dedicatee creator creators photographer "
                    "expediteur remitente mittente remetente absender empfanger kunstler verfasser pintor "
                    "pittore peintre compositor compositeur komponist fotografo photographe".split(),
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
