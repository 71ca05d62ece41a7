"""References: 'the group', 'the militias', 'the town', 'the state' resolved to the entity meant.

Heuristic (nearest compatible antecedent): walking back from the reference, within the
sentence and the five before it, take the first mention whose head word is the same noun or
a synonym ('the militias' -> 'Shiite militias', 'the group' -> 'the umbrella group'); failing
that, the nearest mention of a compatible type ('the militants' -> IS). 'The state' is the
country in focus: the country the article mentions most. Unresolved references mint nothing.
Known misses: a reference to an actor first named more than five sentences back, and
cataphora ('the group ... Hezbollah').
"""
from __future__ import annotations

from collections import Counter

from spacy.language import Language
from spacy.tokens import Doc, Token

from .entities import GROUP_TYPES, add_mention, mention_at
from .nlp import in_furniture
from .resources import lexicon

WINDOW_SENTENCES = 5
DEFINITE = {"the", "this", "that", "these", "those", "his", "its", "their", "her"}
SETTLEMENTS = {"city", "town", "village", "port", "capital", "villages", "towns", "cities"}


@Language.factory("nkg_references")
def make_references(nlp: Language, name: str):
    return ReferencesComponent()


class ReferencesComponent:
    """Adds a mention, keyed to its antecedent's entity, for each resolvable reference."""

    def __init__(self):
        lex = lexicon()
        self.group_nouns = set(lex["group_nouns"]) - set(lex["state_nouns"])
        self.synonyms = [set(s) for s in lex["synonym_heads"]]

    def __call__(self, doc: Doc) -> Doc:
        for token in doc:
            if mention_at(doc, token.i) is not None or in_furniture(doc, token.idx):
                continue
            key = None
            if token.lower_ in self.group_nouns and token.pos_ == "NOUN" and token.dep_ != "compound":
                if self.is_reference(token):
                    key = self.antecedent(doc, token, GROUP_TYPES)
            elif token.lower_ in SETTLEMENTS and token.pos_ == "NOUN" and self.determiner(token) \
                    and not self.followed_by_name(token):
                key = self.antecedent(doc, token, {"Location"})
            elif token.lower_ == "state" and self.determiner(token) in ("the",) or \
                    token.lower_ == "state" and token.i + 2 < len(doc) and doc[token.i + 1].text == "-":
                key = self.country_in_focus(doc)
            if key:
                add_mention(doc, token.i, token.i + 1, key, doc._.entities[key]["type"], "reference", surface=key)
        doc._.mentions.sort(key=lambda m: (m["start"], m["end"]))
        return doc

    @staticmethod
    def determiner(token: Token) -> str | None:
        for child in token.lefts:
            if child.dep_ in ("det", "poss") and child.lower_ in DEFINITE:
                return child.lower_
        return None

    def is_reference(self, token: Token) -> bool:
        """'the group', 'his group', 'the other militias', or a bare plural subject/object ('militants')."""
        if self.determiner(token):
            return True
        return token.tag_ == "NNS" and not any(c.dep_ == "det" for c in token.lefts)

    @staticmethod
    def followed_by_name(token: Token) -> bool:
        doc = token.doc
        return token.i + 2 < len(doc) and doc[token.i + 1].lower_ == "of" and doc[token.i + 2].pos_ == "PROPN"

    def same_head(self, word: str, mention: dict, doc: Doc) -> bool:
        heads = {doc[mention["end"] - 1].lower_}
        if mention["source"] != "reference":
            heads.add(mention["key"].split()[-1].lower())   # "Russian-backed separatists" named on a one-word span
        return word in heads or any(word in group and heads & group for group in self.synonyms)

    def antecedent(self, doc: Doc, token: Token, types: set[str]) -> str | None:
        sents = list(doc.sents)
        sent_index = next(i for i, s in enumerate(sents) if s.start <= token.i < s.end)
        window_start = sents[max(0, sent_index - WINDOW_SENTENCES)].start
        before = [m for m in doc._.mentions if window_start <= m["start"] and m["end"] <= token.i and m["type"] in types]
        for mention in reversed(before):
            if self.same_head(token.lower_, mention, doc):
                return mention["key"]
        if not self.determiner(token) and "Location" not in types:
            return None   # a bare plural ('separatists') only continues a group named by the same noun
        named = [m for m in before if m["source"] != "reference"]
        return named[-1]["key"] if named else None

    @staticmethod
    def country_in_focus(doc: Doc) -> str | None:
        counts = Counter(m["key"] for m in doc._.mentions if m["type"] == "Country")
        if not counts:
            return None
        first = {m["key"]: m["start"] for m in reversed(doc._.mentions)}
        return min(counts, key=lambda k: (-counts[k], first[k]))
