"""Masking of search snippets that keeps what is not personal (docs/security.md, "Search snippets").

A masked snippet used to star every word, the query's too.  Now, in a snippet that must be masked:
- a word the user typed whole (not a ``prefix*``, not ``-excluded``) is shown: it is their own query;
- a lower-case word that is no known given name or surname ("monthly", "figures", "total") is shown;
- everything else is masked as before (:func:`matcher.masking.mask_text`): capitalised words (names,
  places), digits (dates, ID numbers, counts), words in the name lists.
Hand-written rules rather than a library: the decision is the matcher's own (its name lists), and the
rules must stay small enough to audit.
"""

from __future__ import annotations

import re

from matcher.masking import mask_text
from matcher.names import fold, is_given_name, is_surname

_TOKEN = re.compile(r"[^\W\d_]+|[^\W_]+|\W+|_+", re.UNICODE)


def typed_words(query: str) -> frozenset[str]:
    """The whole words of a search (folded): not prefixes (``word*``), not exclusions (``-word``)."""
    kept = set()
    for phrase_or_word in re.findall(r'-?"[^"]*"|\S+', query):
        if phrase_or_word.startswith("-") or phrase_or_word.endswith("*"):
            continue
        for word in re.findall(r"[^\W\d_]+", phrase_or_word):
            if word.upper() not in ("AND", "OR", "NOT"):
                kept.add(fold(word))
    return frozenset(kept)


def _shown(word: str, keep: frozenset[str]) -> bool:
    if fold(word) in keep:
        return True
    return word.islower() and len(word) > 1 and not is_given_name(word) and not is_surname(word)


def mask_snippet(text: str, keep: frozenset[str] = frozenset()) -> str:
    """``text`` with personal-looking words masked, the rest (and the typed words ``keep``) as they are."""
    out: list[str] = []
    for token in _TOKEN.findall(text):
        if token[0].isalpha() and token.isalpha() and _shown(token, keep):
            out.append(token)
        else:
            out.append(mask_text(token))
    return "".join(out)
