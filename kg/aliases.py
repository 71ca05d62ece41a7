"""Aliases learned from the text: acronyms in parentheses, 'known as' appositions, surnames.

Each merge is kept in ``doc._.aliases`` with the sentence that justified it, for the provenance.
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Token

from .entities import PROPER_NOUN, add_mention, mention_at, merge_entities, strip_determiners
from .scan import LOWER, ORTH, POS, indices_with, tokens_with, word_ids

COLLECTIVES = {"group", "alliance", "coalition", "organization", "organisation", "umbrella", "network",
               "movement", "front", "body", "bloc", "grouping", "federation", "council"}
NAMING_VERBS = {"known", "called", "named", "dubbed"}
NAMING_WORD_IDS = word_ids(NAMING_VERBS | {"or"})
OPEN_PAREN = word_ids(["("])

if not Doc.has_extension("aliases"):
    Doc.set_extension("aliases", default=None)


@Language.factory("nkg_aliases")
def make_aliases(nlp: Language, name: str):
    return AliasesComponent()


class AliasesComponent:
    """Merges the entities the text itself says are one."""

    def __call__(self, doc: Doc) -> Doc:
        doc._.aliases = []
        self.acronyms(doc)
        self.naming_appositions(doc)
        self.surnames(doc)
        doc._.mentions.sort(key=lambda m: (m["start"], m["end"]))
        return doc

    @staticmethod
    def record(doc: Doc, key: str, alias: str, token: Token, pattern: str) -> None:
        entity = doc._.entities[key]
        if alias != entity["label"] and alias not in entity["aliases"]:
            entity["aliases"].append(alias)
        sent = token.sent
        doc._.aliases.append({"key": key, "alias": alias, "start_char": sent.start_char, "end_char": sent.end_char,
                              "pattern": pattern})

    def acronyms(self, doc: Doc) -> None:
        """'Islamic State (IS)': the capitals in parentheses name the entity just before them."""
        for i in indices_with(doc, ORTH, OPEN_PAREN):
            if not 1 <= i < len(doc) - 2 or doc[i + 2].text != ")":
                continue
            token = doc[i]
            acronym = doc[token.i + 1]
            before = mention_at(doc, token.i - 1)
            if before is None or not acronym.text.replace(".", "").isupper() or len(acronym.text) > 8:
                continue
            inside = mention_at(doc, acronym.i)
            if inside is not None and inside["key"] != before["key"]:
                merge_entities(doc, inside["key"], before["key"])
            elif inside is None:
                add_mention(doc, acronym.i, acronym.i + 1, before["key"], before["type"], "alias")
            self.record(doc, before["key"], acronym.text, token, "alias/acronym-in-parentheses")
            self.later_uses(doc, acronym, before["key"])

    @staticmethod
    def later_uses(doc: Doc, acronym: Token, key: str) -> None:
        """'The Arakan Army (AA) ... The AA said': the acronym names the same entity wherever it recurs."""
        for token in tokens_with(doc, ORTH, word_ids([acronym.text])):
            if token.i <= acronym.i:
                continue
            mention = mention_at(doc, token.i)
            if mention is None:
                add_mention(doc, token.i, token.i + 1, key, doc._.entities[key]["type"], "alias", surface=key)
            elif mention["key"] != key and mention["end"] - mention["start"] == 1:
                merge_entities(doc, mention["key"], key)

    def naming_appositions(self, doc: Doc) -> None:
        """'the umbrella group ..., known as the Popular Mobilization Units'; 'X, also called Y'; 'X, or Y,'."""
        for token in tokens_with(doc, LOWER, NAMING_WORD_IDS):
            if token.lower_ in NAMING_VERBS and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "as" \
                    or token.lower_ in ("called", "dubbed", "named") and token.dep_ in ("acl", "relcl"):
                start = token.i + 2 if doc[token.i + 1].lower_ == "as" else token.i + 1
                named = next((mention_at(doc, i) for i in range(start, min(start + 3, len(doc)))
                              if mention_at(doc, i)), None)
                described = token.head if token.dep_ in ("acl", "relcl", "advcl") else None
                described = self.attachment(described) if described is not None else None
                if named is None or described is None:
                    continue
                self.link(doc, described, named, token, "alias/known-as")
            elif token.lower_ == "or" and token.i > 1 and doc[token.i - 1].text == ",":
                left, right = mention_at(doc, token.i - 2), mention_at(doc, token.i + 1)
                after = doc[right["end"]] if right and right["end"] < len(doc) else None
                if left and right and left["key"] != right["key"] and after is not None and after.text in (",", ")", ".") \
                        and left["type"] in ("ArmedGroup", "Organization") and right["type"] in ("ArmedGroup", "Organization"):
                    keep, drop = (left, right) if len(left["key"]) >= len(right["key"]) else (right, left)
                    merge_entities(doc, drop["key"], keep["key"])
                    self.record(doc, keep["key"], drop["text"], token, "alias/or-apposition")

    def link(self, doc: Doc, described: Token, named: dict, token: Token, pattern: str) -> None:
        existing = mention_at(doc, described.i)
        if existing is not None:
            if existing["key"] != named["key"]:
                merge_entities(doc, existing["key"], named["key"])
                self.record(doc, named["key"], existing["text"], token, pattern)
            return
        span = strip_determiners(doc[self.phrase_start(described):described.i + 1])
        if len(span):
            add_mention(doc, span.start, span.end, named["key"], named["type"], "alias", surface=named["key"])
            self.record(doc, named["key"], span.text, token, pattern)

    @staticmethod
    def attachment(noun: Token) -> Token:
        """'the umbrella group for the militias, known as X': the name describes the group, not the militias."""
        while noun.dep_ == "pobj" and noun.head.dep_ == "prep" and noun.head.head.pos_ in ("NOUN", "PROPN") \
                and noun.head.head.lower_ in COLLECTIVES:
            noun = noun.head.head
        return noun

    @staticmethod
    def phrase_start(head: Token) -> int:
        start = head.i
        for child in head.lefts:
            start = min(start, child.i)
        return start

    @staticmethod
    def surnames(doc: Doc) -> None:
        """'Military spokesman Lysenko', 'Nooraldin said': a lone capitalised surname of a person named before."""
        persons = {key: [w.lower() for w in key.replace("-", " ").split()]
                   for key, e in doc._.entities.items() if e["type"] == "Person"}
        for token in tokens_with(doc, POS, PROPER_NOUN):
            if mention_at(doc, token.i) is not None:
                continue
            words = token.lower_.replace("-", " ").split()
            for key, names in persons.items():
                if len(names) > len(words) and names[-len(words):] == words:
                    first = next(m for m in doc._.mentions if m["key"] == key)
                    if first["start"] < token.i:
                        add_mention(doc, token.i, token.i + 1, key, "Person", "alias")
                    break
