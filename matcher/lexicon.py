"""Multilingual lexicon of column headers (EN/ES/FR/PT/IT/DE) and the fuzzy matcher over it.

A header is normalised (accents folded, ``_ - . / #`` to spaces, camel-case split) and compared
with the terms of each column type: exact term, then a multi-word term whose words all occur in
the header, then a single-word term equal to a header word, then a typo-tolerant rapidfuzz ratio.
Terms of four letters or fewer (``DOB``, ``SSN``, ``COC``) match exactly only: fuzzy matching on
short strings confuses ``dob`` with ``job``.  Aggregate terms (Total, Count, Rate, %, per 100k,
FY…) mark a header as a statistic rather than an attribute of a person.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from matcher.names import fold

TERMS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "person_name": (
        "name", "names", "full name", "fullname", "person", "person name", "individual name",
        "name of person", "subject name", "detainee name", "employee name", "patient name",
        "client name", "inmate name", "applicant name", "student name", "victim name", "decedent",
        "deceased", "nombre", "nombre completo", "nombres y apellidos", "apellidos y nombres",
        "nombre y apellido", "nom complet", "nom et prenom", "nom prenom", "prenom nom",
        "nom et prenoms", "nome", "nome completo", "nome do detido", "nombre del detenido",
        "nomes", "nomi", "nome e cognome", "cognome e nome", "cognome nome", "vollstandiger name",
        "name vorname", "vorname name", "nachname vorname", "vorname nachname",
    ),
    "given_name": (
        "first name", "firstname", "fname", "first", "given name", "givenname", "given names",
        "forename", "forenames", "first nm", "middle name", "middlename", "mname", "middle",
        "primer nombre", "segundo nombre", "nombre de pila", "nombres", "prenom", "prenoms",
        "primeiro nome", "pnome", "nome proprio", "primo nome", "vorname", "vornamen", "rufname",
        "first names", "given", "prenome",
    ),
    "family_name": (
        "last name", "lastname", "lname", "surname", "surnames", "family name", "last nm",
        "maiden name", "apellido", "apellidos", "primer apellido", "segundo apellido",
        "apellido paterno", "apellido materno", "nom de famille", "nom", "nom d usage",
        "sobrenome", "apelido", "ultimo nome", "apelidos", "sobrenomes", "cognome", "cognomi",
        "nachname", "familienname", "last names", "family names", "noms", "noms de famille",
    ),
    "birth_date": (
        "dob", "d o b", "date of birth", "birth date", "birthdate", "birthday", "born",
        "birth dt", "bdate", "dt of birth", "fecha de nacimiento", "fecha nacimiento",
        "f nacimiento", "fec nac", "fnac", "nacimiento", "fecha de nac", "date de naissance",
        "date naissance", "ne le", "nee le", "ddn", "data de nascimento", "data nascimento",
        "dt nasc", "nascimento", "dt nascimento", "year of birth", "birth year", "yob",
        "ano de nacimiento", "annee de naissance", "ano de nascimento", "data di nascita",
        "data nascita", "anno di nascita", "geburtsdatum", "geburtstag", "geburtsjahr", "geb datum",
    ),
    "age": (
        "age", "edad", "idade", "age years", "current age", "age at arrest", "age at death",
        "age at entry", "anos", "ans", "eta", "alter",
    ),
    "sex": ("sex", "gender", "sexo", "genero", "sexe", "genre", "m f", "sesso", "geschlecht"),
    "nationality": (
        "nationality", "citizenship", "country of citizenship", "citizenship country", "coc",
        "country of birth", "cob", "birth country", "country of origin", "origin country",
        "nacionalidad", "pais de nacimiento", "pais de origen", "pais de nacionalidad",
        "nationalite", "pays de naissance", "pays d origine", "nacionalidade",
        "pais de origem", "pais de nascimento", "country", "pais", "pays", "nazionalita",
        "cittadinanza", "staatsangehorigkeit", "nationalitat", "geburtsland",
    ),
    "gov_id": (
        "ssn", "social security", "social security number", "social security no", "ss", "soc sec",
        "soc sec no", "a number", "a num", "anumber", "anum", "alien number", "alien no",
        "alien registration number", "alien id", "a file", "afile", "a file number", "passport",
        "passport number", "passport no", "pasaporte", "numero de pasaporte", "no pasaporte",
        "passeport", "numero de passeport", "passaporte", "numero do passaporte", "national id",
        "national id number", "id number", "identity number", "dni", "nie", "curp", "cpf", "rg",
        "nir", "nss", "itin", "tax id", "numero de securite sociale", "driver license",
        "drivers license", "driver licence", "dl number", "licencia de conducir", "permis de conduire",
        "cedula", "cedula de identidad", "documento de identidad", "numero de documento",
        "carteira de identidade", "id card", "green card", "uscis number", "fbi number",
        "codice fiscale", "passaporto", "numero passaporto", "carta d identita", "reisepass",
        "reisepassnummer", "personalausweis", "ausweisnummer", "steuer id", "steueridentifikationsnummer",
        "numero de cedula", "cedula de ciudadania", "matricula", "cuil", "cuit", "nif",
    ),
    "email": (
        "email", "e mail", "email address", "mail", "correo", "correo electronico", "courriel",
        "adresse email", "adresse electronique", "adresse mail", "endereco de email", "primary email",
        "indirizzo email", "posta elettronica", "e mail adresse",
    ),
    "phone": (
        "phone", "telephone", "tel", "phone number", "mobile", "cell", "cellphone", "cell phone",
        "home phone", "mobile phone", "contact number", "telefono", "celular", "movil",
        "telefone", "telemovel", "portable", "numero de telephone", "tel portable",
        "cellulare", "telefonnummer", "handy", "handynummer",
    ),
    "address": (
        "address", "home address", "street address", "streetaddress", "street", "residence",
        "residential address", "mailing address", "addr", "address line 1", "address 1",
        "direccion", "domicilio", "calle", "adresse", "domicile", "rue", "endereco",
        "morada", "logradouro", "residencia", "indirizzo", "residenza", "anschrift", "wohnort",
        "strasse",
    ),
    "postal_code": (
        "zip", "zip code", "zipcode", "postal code", "postcode", "codigo postal", "cp",
        "code postal", "cep", "cap", "plz", "postleitzahl",
    ),
    "location_detention": (
        "facility", "detention facility", "detention center", "facility name", "detention location",
        "current facility", "detention facility name", "aor", "area of responsibility", "jail",
        "prison", "institution", "housing facility", "centro de detencion", "estacion migratoria",
        "centre de retention", "lieu de detention", "centro de detencao", "unidade prisional",
        "book in facility",
    ),
    "case_id": (
        "case number", "case no", "case id", "case", "file number", "file no", "docket",
        "docket number", "booking number", "inmate number", "register number", "receipt number",
        "expediente", "numero de expediente", "numero de caso", "dossier", "numero de dossier",
        "processo", "numero do processo", "protocolo", "eoir number",
    ),
    "sensitive_category": (
        "immigration status", "asylum", "asylum status", "refugee status", "legal status",
        "removal status", "criminality", "criminal history", "criminal record", "conviction",
        "convictions", "charge", "charges", "offense", "offence", "crime", "most serious criminal conviction",
        "diagnosis", "medical condition", "disability", "hiv status", "religion", "religious affiliation",
        "ethnicity", "race", "raceethnicity", "race ethnicity", "ethnic origin", "sexual orientation",
        "gender identity", "juvenile", "minor", "uac", "unaccompanied", "estatus migratorio",
        "situacion migratoria", "asilo", "antecedentes penales", "delito", "diagnostico", "religion",
        "etnia", "raza", "orientacion sexual", "menor", "statut", "demandeur d asile",
        "casier judiciaire", "infraction", "diagnostic", "ethnie", "origine ethnique", "mineur",
        "situacao migratoria", "antecedentes criminais", "religiao", "raca", "orientacao sexual",
        "menor de idade",
    ),
    "date": (
        "date", "start date", "end date", "fecha", "data", "year", "month", "day", "ano", "annee",
        "mes", "mois", "period", "periodo", "eow",
    ),
})

# Words that name a role a person plays: evidence that a column holds people, only when the
# values also look like personal names.
PERSON_ROLES = frozenset(
    """appointee candidate nominee officer employee staff detainee inmate prisoner victim decedent
    player member applicant student patient client defendant complainant beneficiary worker
    owner resident tenant voter migrant official representative senator legislator
    contact signatory solicitante detenido empleado victima candidato funcionario paciente alumno
    estudiante beneficiario detenu employe victime candidat eleve detido vitima aluno physician
    doctor nurse teacher payee donor contributor deputy deputado diputado deputato senator senatore
    senador mayor councillor councilor judge athlete medalist laureate astronaut passenger crew
    driver pilot soldier appointee alumni alunno studente dipendente mitarbeiter schuler kandidat
    abgeordneter autoridad attendee participant registrant volunteer donante borrower customer patron
    buyer purchaser subscriber claimant guest visitor requester cliente comprador""".split()
)

_AGGREGATE = re.compile(
    r"\b(total|totals|count|counts|rate|rates|number of|no of|num of|pct|percent|percentage|share|"
    r"per|avg|average|mean|median|ratio|sum|frequency|freq|fy|fiscal year|tasa|taux|taxa|cantidad|"
    r"quantidade|nombre de|numero de casos|porcentaje|pourcentage|percentual|promedio|moyenne|media|"
    r"index|score|population|pop|income|servings|deaths|births|murders|frec|frecuencia|frequence|frequenza|"
    r"haufigkeit|anzahl|occurrences)\b|%|#|\bperc\w*|\bfy\d+"
)
_NOT_A_PERSON = re.compile(r"\b(storm|hurricane|typhoon|cyclone|vessel|ship|boat|company|organi[sz]ation|"
                           r"pollster|airline|firm|agency|brand|product|team|school|city|county|state|column|field|variable|"
                           r"file|sheet|place|street|town|village|project|program|course|dataset|table|location|locality|district|"
                           r"region|province|municipality|venue|site|monument|building|park)\b")
TOTAL_WORDS = frozenset({"total", "totals", "grand total", "sum", "subtotal", "total general", "todos",
                         "all", "overall", "ensemble", "totaux", "total geral"})


@lru_cache(maxsize=8192)  # pure function of the cell; checked on many rows of every table
def is_total_cell(cell: str) -> bool:
    """A cell that says Total, Sum, Todos… (a sum row's label, not a value of the column)."""
    return fold(cell.strip()).rstrip(":") in TOTAL_WORDS


_YEAR_HEADER = re.compile(r"^(fy|cy|ay)?\s?(19|20)\d{2}(\s?(q[1-4]|h[12]))?$|^(fy|cy)\s?\d{2}$")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SEPARATORS = re.compile(r"[_\-./:()\[\]{}|\\,;\"'*?!]+|\s+")


# Headers repeat from table to table (and each is normalised by several of the functions below):
# these pure functions of the header text are cached.
@lru_cache(maxsize=4096)
def normalise(header: str) -> str:
    """``Date_of_Birth`` → ``date of birth``; ``A#`` → ``a #``; ``FechaNacimiento`` → ``fecha nacimiento``."""
    text = _CAMEL.sub(" ", header.strip())
    text = fold(text).replace("#", " # ")
    return " ".join(_SEPARATORS.sub(" ", text).split())


@dataclass(frozen=True)
class HeaderMatch:
    type: str
    strength: float  # 1.0 exact … 0.7 fuzzy
    term: str


@lru_cache(maxsize=1)
def _term_index() -> tuple[dict[str, str], tuple[str, ...]]:
    index: dict[str, str] = {}
    for column_type, terms in TERMS.items():
        for term in terms:
            index.setdefault(term, column_type)
    fuzzy = tuple(t for t in index if len(t) >= 6)
    return index, fuzzy


@lru_cache(maxsize=4096)
def is_aggregate_header(header: str) -> bool:
    return bool(_AGGREGATE.search(normalise(header)))


@lru_cache(maxsize=4096)
def is_year_header(header: str) -> bool:
    return bool(_YEAR_HEADER.match(normalise(header)))


@lru_cache(maxsize=4096)
def names_non_person(header: str) -> bool:
    """The header says the column names things, not people (``storm name``, ``company``)."""
    return bool(_NOT_A_PERSON.search(normalise(header)))


@lru_cache(maxsize=4096)
def has_person_role(header: str) -> bool:
    return any(word in PERSON_ROLES or word.rstrip("s") in PERSON_ROLES for word in normalise(header).split())


@lru_cache(maxsize=4096)
def match_header(header: str) -> HeaderMatch | None:
    """The column type a header names, or None.  Cached per header text (pure function)."""
    norm = normalise(header)
    if not norm:
        return None
    index, fuzzy_terms = _term_index()
    compact = norm.replace(" ", "")
    if norm in index:
        return HeaderMatch(index[norm], 1.0, norm)
    if compact in index and len(compact) >= 3:
        return HeaderMatch(index[compact], 0.95, compact)
    words = norm.split()
    word_set = set(words)
    best: HeaderMatch | None = None
    for term, column_type in index.items():
        term_words = term.split()
        if len(term_words) > 1 and set(term_words) <= word_set:
            candidate = HeaderMatch(column_type, 0.9, term)
        elif len(term_words) == 1 and len(term) >= 3 and term in word_set and column_type != "date":
            candidate = HeaderMatch(column_type, 0.8, term)
        else:
            continue
        if best is None or len(candidate.term) > len(best.term) or (
            len(candidate.term) == len(best.term) and candidate.strength > best.strength
        ):
            best = candidate
    if best is not None:
        return best
    if len(norm) >= 6:
        from rapidfuzz import fuzz, process  # imported by the first header it has to judge (~6 ms a process)

        hit = process.extractOne(norm, fuzzy_terms, scorer=fuzz.ratio, score_cutoff=88)
        if hit is not None:
            return HeaderMatch(index[hit[0]], 0.7, hit[0])
    return None
