"""References: 'the group', 'the militias', 'the town', 'the state' resolved to the entity meant.

Heuristic (nearest compatible antecedent): walking back from the reference, within the
sentence and the five before it, take the first mention whose head word is the same noun or
a synonym ('the militias' -> 'Shiite militias', 'the group' -> 'the umbrella group'); failing
that, the nearest mention of a compatible type ('the militants' -> IS). 'The state' is the
country in focus: the country the article mentions most. Unresolved references mint nothing.
Known misses: a reference to an actor first named more than five sentences back, and
cataphora ('the group ... Hezbollah').

Pronouns ('It is battling AU forces', 'They seized', 'its fighters', 'he said') resolve to the
actor in focus: the most recent mention that is the subject of its clause, within the same
paragraph or the one before, and agrees in number and animacy: he/she/his/her -> a person;
it/its -> one group, organisation or country; they/their -> a group named by a plural noun.
Pleonastic 'it' ('it is likely that') is left alone. Known misses: 'they' for a group named in
the singular ('al-Shabab ... they'), and an antecedent that is not a subject.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter

from spacy.language import Language
from spacy.tokens import Doc, Token

from .entities import GROUP_TYPES, add_mention, mention_at
from .nlp import in_furniture
from .resources import lexicon
from .scan import IS_SPACE, LOWER, TRUE, indices_with, tokens_with, word_ids

WINDOW_SENTENCES = 5
PRONOUNS = {"he": "person", "him": "person", "his": "person", "she": "person", "her": "person",
            "it": "one", "its": "one", "they": "many", "them": "many", "their": "many"}
PLEONASTIC_HEADS = {"be", "remain", "seem", "appear", "take", "look"}
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
        self.candidate_ids = word_ids(self.group_nouns | SETTLEMENTS | PRONOUNS.keys() | {"state"})

    def __call__(self, doc: Doc) -> Doc:
        starts = [sent.start for sent in doc.sents]   # this doc's layout, passed on (the component is shared)
        breaks = paragraph_breaks(doc)
        for token in tokens_with(doc, LOWER, self.candidate_ids):
            if mention_at(doc, token.i) is not None or in_furniture(doc, token.idx):
                continue
            key = None
            if token.lower_ in self.group_nouns and token.pos_ == "NOUN" and token.dep_ != "compound":
                if self.is_reference(token):
                    key = self.antecedent(doc, token, GROUP_TYPES, starts)
            elif token.lower_ in SETTLEMENTS and token.pos_ == "NOUN" and self.determiner(token) \
                    and not self.followed_by_name(token):
                key = self.antecedent(doc, token, {"Location"}, starts)
            elif token.lower_ == "state" and self.determiner(token) in ("the",) or \
                    token.lower_ == "state" and token.i + 2 < len(doc) and doc[token.i + 1].text == "-":
                key = self.country_in_focus(doc)
            elif token.lower_ in PRONOUNS and token.pos_ == "PRON":
                key = self.pronoun_antecedent(doc, token, breaks)
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

    def antecedent(self, doc: Doc, token: Token, types: set[str], starts: list[int]) -> str | None:
        sent_index = bisect_right(starts, token.i) - 1
        window_start = starts[max(0, sent_index - WINDOW_SENTENCES)]
        before = [m for m in doc._.mentions if window_start <= m["start"] and m["end"] <= token.i and m["type"] in types]
        for mention in reversed(before):
            if self.same_head(token.lower_, mention, doc):
                return mention["key"]
        if not self.determiner(token) and "Location" not in types:
            return None   # a bare plural ('separatists') only continues a group named by the same noun
        named = [m for m in before if m["source"] != "reference"]
        return named[-1]["key"] if named else None

    def pronoun_antecedent(self, doc: Doc, token: Token, breaks: list[int]) -> str | None:
        """The actor in focus: the latest compatible clause subject in this paragraph or the one before."""
        kind = PRONOUNS[token.lower_]
        if kind == "one" and token.lower_ == "it" and token.head.lemma_ in PLEONASTIC_HEADS and \
                any(c.dep_ in ("acomp", "xcomp", "ccomp", "attr") for c in token.head.children):
            return None
        window_start = paragraph_start(breaks, token, paragraphs=2)
        for mention in reversed(doc._.mentions):
            if mention["end"] > token.i or mention["start"] < window_start or mention["source"] == "reference":
                continue
            if not self.agrees(doc, mention, kind) or not is_subject(doc, mention):
                continue
            return mention["key"]
        return None

    @staticmethod
    def agrees(doc: Doc, mention: dict, kind: str) -> bool:
        head = doc[mention["end"] - 1]
        if kind == "person":
            return mention["type"] == "Person"
        if mention["type"] not in ("ArmedGroup", "Organization", "Country"):
            return False
        plural = head.tag_ in ("NNS", "NNPS") or (head.lower_.endswith("s") and head.pos_ == "PROPN"
                                                   and mention["type"] == "ArmedGroup")
        return plural if kind == "many" else not plural

    @staticmethod
    def country_in_focus(doc: Doc) -> str | None:
        counts = Counter(m["key"] for m in doc._.mentions if m["type"] == "Country")
        if not counts:
            return None
        first = {m["key"]: m["start"] for m in reversed(doc._.mentions)}
        return min(counts, key=lambda k: (-counts[k], first[k]))


def is_subject(doc: Doc, mention: dict) -> bool:
    """The mention is its clause's subject ('Many of the militias were formed' counts too)."""
    for token in doc[mention["start"]:mention["end"]]:
        if token.dep_ in ("nsubj", "nsubjpass"):
            return True
        if token.dep_ == "conj" and token.head.dep_ in ("nsubj", "nsubjpass"):
            return True
    root = doc[mention["end"] - 1]
    return root.dep_ == "pobj" and root.head.lower_ == "of" and root.head.head.dep_ in ("nsubj", "nsubjpass")


def paragraph_breaks(doc: Doc) -> list[int]:
    """Indices of the space tokens that hold a blank line, ascending. (A token's own trailing
    whitespace is at most one space in spaCy, so line breaks are always space tokens.)"""
    return [i for i in indices_with(doc, IS_SPACE, TRUE) if "\n\n" in doc[i].text]


def paragraph_start(breaks: list[int], token: Token, paragraphs: int) -> int:
    """Index of the first token of the paragraph `paragraphs - 1` before the token's own."""
    before = bisect_left(breaks, token.i)          # the breaks left of the token
    return breaks[before - paragraphs] + 1 if before >= paragraphs else 0
