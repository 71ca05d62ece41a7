"""A small matcher for spaCy DependencyMatcher patterns, run from the words that trigger them.

spaCy's DependencyMatcher indexes every token of the text for every node of every pattern before
it matches; our patterns are anchored on a few trigger words, so searching outwards from the
tokens that carry them is far cheaper. Patterns are spaCy's own format (RIGHT_ID, LEFT_ID,
REL_OP, RIGHT_ATTRS) and give the same matches: tests/test_depmatch.py compares the two.
Supported: REL_OP >, <, >>, <<, ., ;, $+, $-; RIGHT_ATTRS on ORTH, TEXT, LOWER, LEMMA, POS, TAG,
DEP, ENT_TYPE with a string or {"IN": [...]} / {"NOT_IN": [...]}.
"""
from __future__ import annotations

from operator import attrgetter
from typing import Iterable, Iterator

from spacy.tokens import Span, Token

_ATTRS = {"ORTH": attrgetter("text"), "TEXT": attrgetter("text"), "LOWER": attrgetter("lower_"),
          "LEMMA": attrgetter("lemma_"), "POS": attrgetter("pos_"), "TAG": attrgetter("tag_"),
          "DEP": attrgetter("dep_"), "ENT_TYPE": attrgetter("ent_type_")}


def _checks(attrs: dict) -> tuple:
    """RIGHT_ATTRS as (getter, wanted, inside) triples: inside None compares, True/False tests membership."""
    checks = []
    for name, wanted in attrs.items():
        if name not in _ATTRS:
            raise ValueError(f"unsupported RIGHT_ATTRS key {name!r}")
        if isinstance(wanted, dict):
            if "IN" in wanted:
                checks.append((_ATTRS[name], frozenset(wanted["IN"]), True))
            if "NOT_IN" in wanted:
                checks.append((_ATTRS[name], frozenset(wanted["NOT_IN"]), False))
        else:
            checks.append((_ATTRS[name], wanted, None))
    return tuple(checks)


def _accepts(token: Token, checks: tuple) -> bool:
    for get, wanted, inside in checks:
        value = get(token)
        if inside is None:
            if value != wanted:
                return False
        elif (value in wanted) is not inside:
            return False
    return True


def _related(token: Token, op: str, sent: Span) -> Iterator[Token]:
    doc = token.doc
    if op == ">":
        yield from token.children
    elif op == "<":
        if token.head.i != token.i:
            yield token.head
    elif op == ">>":
        yield from (t for t in token.subtree if t.i != token.i)
    elif op == "<<":
        yield from token.ancestors
    elif op == ".":
        if token.i + 1 < sent.end:
            yield doc[token.i + 1]
    elif op == ";":
        if token.i - 1 >= sent.start:
            yield doc[token.i - 1]
    elif op in ("$+", "$-"):
        for sibling in token.head.children:
            if sibling.i != token.i and (sibling.i > token.i) == (op == "$+") and token.head.i != token.i:
                yield sibling
    else:
        raise ValueError(f"unsupported REL_OP {op!r}")


class DependencyPattern:
    """One pattern; ``matches(sent)`` yields token indices in node order, like spaCy's matcher."""

    def __init__(self, nodes: list[dict]):
        self.nodes = nodes
        self.names = [n["RIGHT_ID"] for n in nodes]
        position = {name: i for i, name in enumerate(self.names)}
        self.first = _checks(nodes[0].get("RIGHT_ATTRS", {}))
        # each later node: (the bound node it hangs from, the relation to it, its checks)
        self.steps = [(position[n["LEFT_ID"]], n["REL_OP"], _checks(n.get("RIGHT_ATTRS", {}))) for n in nodes[1:]]
        self.anchors = self._anchor_words()

    def _anchor_words(self) -> set[str] | None:
        """``anchors``: the lower-cased words (LOWER or LEMMA) one of which the first node must carry, if
        it says so; the caller can then hand :meth:`matches` only the tokens that carry them."""
        first = self.nodes[0].get("RIGHT_ATTRS", {})
        for attr in ("LOWER", "LEMMA"):
            wanted = first.get(attr)
            if isinstance(wanted, str):
                return {wanted.lower()}
            if isinstance(wanted, dict) and "IN" in wanted:
                return {w.lower() for w in wanted["IN"]}
        return None

    def matches(self, sent: Span, candidates: Iterable[Token] | None = None) -> Iterator[list[int]]:
        """Matches in ``sent``; ``candidates``, if given, are the only tokens tried as the first node."""
        for token in (sent if candidates is None else candidates):
            if _accepts(token, self.first):
                yield from self._extend([token.i], sent)

    def _extend(self, bound: list[int], sent: Span) -> Iterator[list[int]]:
        if len(bound) == len(self.nodes):
            yield list(bound)
            return
        left, op, checks = self.steps[len(bound) - 1]
        for candidate in _related(sent.doc[bound[left]], op, sent):
            if candidate.i in bound or not (sent.start <= candidate.i < sent.end):
                continue
            if _accepts(candidate, checks):
                bound.append(candidate.i)
                yield from self._extend(bound, sent)
                bound.pop()
