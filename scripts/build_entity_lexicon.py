"""Build ``matcher/entity_lexicon.json``: header words for the row-entity decision taken from
WordNet 3.0, a general lexicon, instead of from the corpora the matcher is measured on.

The row-entity decision (``matcher/entity.py``) asks whether a table's headers name animals, works or
places (``species``, ``breed``, ``painting``, ``highway``).  Hand-written word lists can only hold the
words their author thought of, and the author had seen the failing tables; a word list derived from
WordNet's noun hierarchy holds what general knowledge files under each category.  A word is listed
for a category when its *first* (most frequent) noun sense lies under one of the category's root
synsets through hypernym links.  First senses only, so that ``title`` (a heading) or ``party`` (an
organisation) do not count as works or events; proper nouns and instance links are left out (an
individual painter is not a header word).  Left out as well: words used mostly as adjectives or
adverbs ("monthly" salary), words that both describe and name a person ("male", "female",
"adult": WordNet files the first sense of "male" under animals), and the words of the matcher's
multilingual header terms for people's columns (Spanish "primer" nombre is an English primer).
Regular plurals are added.

WordNet 3.0 comes from Debian's ``wordnet-base`` package (``apt-get install wordnet-base``; the
WordNet licence allows copying with its notice, kept in the JSON).  Its files are read directly:
the format is documented in wndb(5WN) and only lemmas, sense order and hypernym pointers are needed
(nltk's reader wants a ``lexnames`` file that Debian's package does not ship and refuses paths
outside its own data folders).

    python scripts/build_entity_lexicon.py [--wordnet /usr/share/wordnet]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "matcher" / "entity_lexicon.json"


@dataclass(frozen=True)
class Category:
    """Words whose first noun sense lies under one of ``roots`` ((lemma, sense number) pairs)."""

    name: str
    entity: str
    roots: tuple[tuple[str, int], ...]
    why: str


# The categories and their roots are the only choices made here; the words follow from WordNet.
CATEGORIES = (
    Category("animal", "animal", (("animal", 1), ("taxonomic_group", 1)),
             "headers name animals, breeds or species (WordNet)"),
    # art, works and publications, compositions, films; not representation.n.02 (photos, maps,
    # models: a roster's "Photo" column is a picture of the person)
    Category("work", "work", (("art", 1), ("work", 2), ("musical_composition", 1), ("movie", 1)),
             "headers name works: books, artworks, publications (WordNet)"),
    Category("place", "place", (("way", 6), ("building", 1), ("memorial", 3)),
             "headers name roads, streets, buildings or monuments (WordNet)"),
    # a name column headed by one of these words holds the creator of the row (a work)
    Category("creator", "work", (("creator", 2), ("writer", 1)),
             "the names are each row's creator or author (WordNet)"),
)


@dataclass
class WordNet:
    words: dict[str, list[str]]  # synset offset -> lemmas
    hypernyms: dict[str, list[str]]  # synset offset -> hypernym offsets (class links only)
    senses: dict[str, list[str]]  # lemma -> synset offsets, most frequent first
    tagged: dict[str, int]  # lemma -> noun senses seen in WordNet's tagged corpus
    modifier_tagged: dict[str, int]  # lemma -> adjective and adverb senses seen there
    adjectives: set[str]  # lemmas with an adjective entry


def read_wordnet(folder: Path) -> WordNet:
    words: dict[str, list[str]] = {}
    hypernyms: dict[str, list[str]] = defaultdict(list)
    with open(folder / "data.noun", encoding="latin-1") as fh:
        for line in fh:
            if line.startswith("  "):  # the licence header
                continue
            fields = line.split(" | ", 1)[0].split()
            offset, count = fields[0], int(fields[3], 16)
            words[offset] = [fields[4 + 2 * i] for i in range(count)]
            at = 4 + 2 * count
            for i in range(int(fields[at])):
                symbol, target, pos = fields[at + 1 + 4 * i: at + 4 + 4 * i]
                if symbol == "@" and pos == "n":  # class hypernym; "@i" (instance of) left out
                    hypernyms[offset].append(target)
    senses: dict[str, list[str]] = {}
    tagged: dict[str, int] = {}
    for line in _index_lines(folder / "index.noun"):
        fields = line.split()
        count = int(fields[2])
        senses[fields[0]] = fields[-count:]
        tagged[fields[0]] = int(fields[-count - 1])
    modifier_tagged: dict[str, int] = defaultdict(int)
    adjectives: set[str] = set()
    for part in ("index.adj", "index.adv"):
        for line in _index_lines(folder / part):
            fields = line.split()
            modifier_tagged[fields[0]] += int(fields[-int(fields[2]) - 1])
            if part == "index.adj":
                adjectives.add(fields[0])
    return WordNet(words, hypernyms, senses, tagged, dict(modifier_tagged), adjectives)


def _index_lines(path: Path) -> list[str]:
    with open(path, encoding="latin-1") as fh:
        return [line for line in fh if not line.startswith("  ")]  # skip the licence header


def _under(wn: WordNet, offset: str, roots: set[str]) -> bool:
    seen: set[str] = set()
    stack = [offset]
    while stack:
        current = stack.pop()
        if current in roots:
            return True
        for parent in wn.hypernyms.get(current, []):
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return False


def _plurals(word: str) -> set[str]:
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return {word + "es"}
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        return {word[:-1] + "ies"}
    return {word + "s"}


def person_header_words() -> set[str]:
    """Every word of the matcher's multilingual header terms for people's columns: an English
    lexicon word that is also a Spanish or Portuguese header word ("primer" nombre) is left out."""
    sys.path.insert(0, str(ROOT))
    from matcher.lexicon import TERMS

    return {word for terms in TERMS.values() for term in terms for word in term.split()}


def category_words(wn: WordNet, category: Category, excluded: set[str]) -> list[str]:
    roots = {wn.senses[lemma][number - 1] for lemma, number in category.roots}
    person = wn.senses["person"][0]
    found: set[str] = set()
    for lemma, offsets in wn.senses.items():
        if "_" in lemma or "-" in lemma or len(lemma) < 3 or not lemma.isalpha() or lemma in excluded:
            continue  # header words are single folded words
        first = offsets[0]
        if not any(w == lemma for w in wn.words[first]):
            continue  # only capitalised in WordNet (a proper noun: "Rembrandt", "Broadway")
        noun_uses = wn.tagged.get(lemma, 0)
        if lemma in wn.modifier_tagged and (noun_uses == 0 or wn.modifier_tagged[lemma] > noun_uses):
            continue  # mostly an adjective or adverb ("monthly" salary, "medium" size)
        if lemma in wn.adjectives and any(_under(wn, o, {person}) for o in offsets):
            continue  # describes and names a person ("male", "female", "adult", "juvenile")
        if _under(wn, first, roots):
            found.add(lemma)
    plurals = {p for w in found for p in _plurals(w) if p not in wn.senses}
    return sorted(found | plurals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wordnet", type=Path, default=Path("/usr/share/wordnet"),
                        help="folder with WordNet 3.0's data.noun and index.noun (Debian: wordnet-base)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if not (args.wordnet / "data.noun").exists():
        raise SystemExit(f"{args.wordnet}/data.noun not found: install WordNet 3.0 (apt-get install wordnet-base) "
                         "or pass --wordnet FOLDER")
    wn = read_wordnet(args.wordnet)
    excluded = person_header_words()
    categories = [
        {"name": c.name, "entity": c.entity, "roots": [f"{lemma}.n.{n:02d}" for lemma, n in c.roots],
         "why": c.why, "words": category_words(wn, c, excluded)}
        for c in CATEGORIES
    ]
    out = {
        "source": "WordNet 3.0 (Princeton University), noun hierarchy; built by scripts/build_entity_lexicon.py",
        "licence": "WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved. "
                   "Permission to use, copy, modify and distribute this software and database and its documentation "
                   "for any purpose and without fee or royalty is hereby granted, provided that you agree to comply "
                   "with the WordNet licence (see /usr/share/doc/wordnet-base/copyright).",
        "categories": categories,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    for category in categories:
        print(f"{category['name']!s:8s} {len(category['words']):6,d} words")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:,.0f} KiB)")


if __name__ == "__main__":
    main()
