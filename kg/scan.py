"""Finding the few tokens a rule looks at without visiting every token.

Iterating a Doc makes a Python ``Token`` for every word, and the components used to do that a dozen
times an article to find a handful of words ("militias", "region", a hyphen, a proper noun). These
helpers ask spaCy for one attribute as an array (``Doc.to_array``, done in C) and make Tokens only
where the value is one of those wanted, in text order, so a rule's loop sees exactly the tokens it
used to act on.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy
from spacy.attrs import IS_SPACE, LOWER, ORTH, POS
from spacy.parts_of_speech import IDS as POS_IDS
from spacy.strings import StringStore
from spacy.tokens import Doc, Token

__all__ = ["IS_SPACE", "LOWER", "ORTH", "POS", "TRUE", "word_ids", "pos_ids", "tokens_with", "indices_with"]

TRUE = numpy.array([1], dtype=numpy.uint64)   # the value of a flag attribute (IS_SPACE, ...) when set
_STRINGS = StringStore()   # hashing needs no vocabulary: a string's id is the same in every StringStore


def word_ids(words: Iterable[str]) -> numpy.ndarray:
    """The ids spaCy gives these strings (for LOWER/ORTH/LEMMA arrays), as an array for ``tokens_with``."""
    return numpy.array(sorted({_STRINGS[w] for w in words}), dtype=numpy.uint64)


def pos_ids(*tags: str) -> numpy.ndarray:
    """The ids of universal part-of-speech tags ("PROPN", "NOUN"), for POS arrays."""
    return numpy.array(sorted(POS_IDS[t] for t in tags), dtype=numpy.uint64)


def indices_with(doc: Doc, attr: int, ids: numpy.ndarray) -> list[int]:
    """Indices of the tokens whose ``attr`` (LOWER, ORTH, POS, ...) is one of ``ids``, ascending."""
    if not len(doc):
        return []
    values = doc.to_array(attr)
    return numpy.flatnonzero(numpy.isin(values, ids)).tolist()


def tokens_with(doc: Doc, attr: int, ids: numpy.ndarray) -> list[Token]:
    """The tokens whose ``attr`` is one of ``ids``, in text order."""
    return [doc[i] for i in indices_with(doc, attr, ids)]
