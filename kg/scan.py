"""Finding the few tokens a rule looks at without visiting every token.

Iterating a Doc makes a Python ``Token`` for every word, and the components used to do that a dozen
times an article to find a handful of words ("militias", "region", a hyphen, a proper noun). These
helpers ask spaCy for one attribute as an array (``Doc.to_array``, done in C), index where each value
occurs, and make Tokens only where the value is one of those wanted, in text order, so a rule's loop
sees exactly the tokens it used to act on.

The index of the Doc last asked about is kept, one per attribute: the components run one after the
other on the same Doc and ask a dozen questions of it, so each attribute is read once an article.
Ask only about attributes no later step changes (words, part of speech, lemmas: set before newskg's
components run); a Doc whose length changed (retokenised) is indexed afresh.
"""
from __future__ import annotations

from collections.abc import Iterable

from spacy.attrs import IS_SPACE, LEMMA, LOWER, ORTH, POS
from spacy.parts_of_speech import IDS as POS_IDS
from spacy.strings import StringStore
from spacy.tokens import Doc, Token

__all__ = ["IS_SPACE", "LEMMA", "LOWER", "ORTH", "POS", "TRUE", "word_id", "word_ids", "pos_ids", "tokens_with",
           "indices_with", "positions"]

TRUE = frozenset({1})   # the value of a flag attribute (IS_SPACE, ...) when set
_STRINGS = StringStore()   # hashing needs no vocabulary: a string's id is the same in every StringStore

_INDEX: tuple = (None, -1, {})   # (doc, its length, {attribute: {value: [token indices]}})


def word_id(word: str) -> int:
    """The id spaCy gives a string (its LOWER/ORTH/LEMMA value)."""
    return _STRINGS[word]


def word_ids(words: Iterable[str]) -> frozenset[int]:
    """The ids spaCy gives these strings, for ``tokens_with``."""
    return frozenset(_STRINGS[w] for w in words)


def pos_ids(*tags: str) -> frozenset[int]:
    """The ids of universal part-of-speech tags ("PROPN", "NOUN"), for POS values."""
    return frozenset(POS_IDS[t] for t in tags)


def positions(doc: Doc, attr: int) -> dict[int, list[int]]:
    """Where each value of ``attr`` occurs in the doc: value id -> token indices, ascending."""
    global _INDEX
    indexed_doc, length, by_attr = _INDEX
    if indexed_doc is not doc or length != len(doc):
        by_attr = {}
        _INDEX = (doc, len(doc), by_attr)   # one assignment: a thread sees old or new, whole
    found = by_attr.get(attr)
    if found is None:
        found = {}
        if len(doc):
            for i, value in enumerate(doc.to_array(attr).tolist()):
                where = found.get(value)
                if where is None:
                    found[value] = [i]
                else:
                    where.append(i)
        by_attr[attr] = found
    return found


def indices_with(doc: Doc, attr: int, ids: frozenset[int]) -> list[int]:
    """Indices of the tokens whose ``attr`` (LOWER, ORTH, POS, ...) is one of ``ids``, ascending."""
    index = positions(doc, attr)
    if len(ids) < len(index):
        hits = [index[value] for value in ids if value in index]
    else:
        hits = [where for value, where in index.items() if value in ids]
    if len(hits) == 1:
        return list(hits[0])
    return sorted(i for where in hits for i in where)


def tokens_with(doc: Doc, attr: int, ids: frozenset[int]) -> list[Token]:
    """The tokens whose ``attr`` is one of ``ids``, in text order."""
    return [doc[i] for i in indices_with(doc, attr, ids)]
