"""Entities: gazetteer names, spaCy's named entities (corrected by context) and nominal actors.

The results are plain data on the Doc, so Docs travel between processes:
``doc._.mentions``: list of {start, end, key, type, text, source} (token offsets, end exclusive);
``doc._.entities``: {key: {label, type, qid, aliases}}, where the key is the canonical name.
"""
from __future__ import annotations

from functools import lru_cache

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from .gazetteer import Entry, is_acronym, load_gazetteer
from .nlp import in_furniture
from .resources import lexicon
from .scan import LOWER, POS, indices_with, pos_ids, tokens_with, word_ids

ACTOR_TYPES = {"Person", "Organization", "ArmedGroup", "Country"}
GROUP_TYPES = {"Organization", "ArmedGroup"}
PLACE_TYPES = {"Location", "Country"}
FIGHTER_HEADS = {"forces", "force", "fighters", "militants", "militia", "militias", "militiamen", "troops",
                 "rebels", "insurgents", "jihadists", "members", "gunmen", "units"}
AREA_NOUNS = {"region", "regions", "province", "provinces", "district", "districts", "oblast", "governorate",
              "county", "counties", "prefecture"}
NUMERIC_ENTITIES = {"DATE", "TIME", "CARDINAL", "QUANTITY", "ORDINAL", "MONEY", "PERCENT"}
NER_TYPES = {"PERSON": "Person", "ORG": "Organization", "GPE": "Location", "LOC": "Location", "FAC": "Location"}
DETERMINERS = {"the", "a", "an", "his", "her", "its", "their", "this", "that", "these", "those", "'s", "\u2019s"}
MODIFIER_DEPS = {"amod", "compound", "npadvmod", "nmod", "punct", "nummod", "quantmod", "advmod"}
AREA_NOUN_IDS = word_ids(AREA_NOUNS)
BORDER = word_ids(["border"])
PROPER_NOUN = pos_ids("PROPN")

if not Doc.has_extension("mentions"):
    Doc.set_extension("mentions", default=None)
if not Doc.has_extension("entities"):
    Doc.set_extension("entities", default=None)
if not Doc.has_extension("gazetteer_hits"):
    Doc.set_extension("gazetteer_hits", default=None)


# ---------------------------------------------------------------- shared helpers

def add_mention(doc: Doc, start: int, end: int, key: str, type_: str, source: str, qid: str | None = None,
                surface: str | None = None) -> dict:
    """Record a mention and make sure its entity exists; the surface form becomes an alias."""
    entity = doc._.entities.setdefault(key, {"label": key, "type": type_, "qid": qid, "aliases": []})
    if qid and not entity.get("qid"):
        entity["qid"] = qid
    text = surface if surface is not None else strip_determiners(doc[start:end]).text
    if text and text != entity["label"] and text not in entity["aliases"]:
        entity["aliases"].append(text)
    mention = {"start": start, "end": end, "key": key, "type": entity["type"], "text": text, "source": source}
    doc._.mentions.append(mention)
    return mention


_INDEX: tuple = (None, None, [], [])   # (doc, its mentions list, the mentions indexed, token -> mention)


def mention_at(doc: Doc, i: int) -> dict | None:
    """The (innermost) mention covering token i.

    Looked up in an index of the doc's mentions: the components ask this for nearly every token.
    Mentions appended since the index was made are added to it; a list that also lost or reordered
    mentions is indexed afresh. The index holds the doc and list it was built from and
    compares them by identity: an ``id()`` is reused once its object is freed, so a key of ids
    would hand one doc another's stale index."""
    global _INDEX
    mentions = doc._.mentions
    indexed_doc, indexed_mentions, indexed, index = _INDEX
    same_list = indexed_doc is doc and indexed_mentions is mentions
    if same_list and len(indexed) == len(mentions):
        return index[i]
    if not same_list or len(indexed) > len(mentions) or any(a is not b for a, b in zip(indexed, mentions)):
        indexed, index = [], [None] * len(doc)
    new = mentions[len(indexed):]
    for m in new:
        for j in range(m["start"], m["end"]):
            best = index[j]
            if best is None or m["end"] - m["start"] < best["end"] - best["start"]:
                index[j] = m
    _INDEX = (doc, mentions, indexed + new, index)   # one assignment: a thread sees old or new, whole
    return index[i]


def strip_determiners(span: Span) -> Span:
    """'the Hezbollah Brigades' -> 'Hezbollah Brigades'; entity names carry no determiner."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end and (doc[start].dep_ in ("det", "predet") or doc[start].lower_ in DETERMINERS
                           or doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space or doc[end - 1].lower_ in ("'s", "\u2019s")):
        end -= 1
    return doc[start:end]


def merge_entities(doc: Doc, old: str, new: str) -> None:
    """Every mention of ``old`` now refers to ``new``; old's names become new's aliases."""
    if old == new or old not in doc._.entities:
        return
    gone = doc._.entities.pop(old)
    target = doc._.entities[new]
    for name in (gone["label"], *gone["aliases"]):
        if name != target["label"] and name not in target["aliases"]:
            target["aliases"].append(name)
    if gone.get("qid") and not target.get("qid"):
        target["qid"] = gone["qid"]
    for m in doc._.mentions:
        if m["key"] == old:
            m["key"], m["type"] = new, target["type"]


def is_ordinal(token: Token) -> bool:
    """'15th' in '15th Division' is part of a name; '568' in '568 soldiers' is not."""
    return token.text[:-2].isdigit() and token.text[-2:].lower() in ("st", "nd", "rd", "th")


# ---------------------------------------------------------------- gazetteer component

@Language.factory("nkg_gazetteer")
def make_gazetteer(nlp: Language, name: str):
    return GazetteerComponent(nlp)


class GazetteerComponent:
    """Marks every gazetteer name in the text (phrase matcher; acronyms only in capitals)."""

    def __init__(self, nlp: Language):
        self.gazetteer = load_gazetteer()
        self.folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        for name, entry in self.gazetteer.names():
            matcher = self.exact if is_acronym(name) else self.folded
            matcher.add(entry.iri, [nlp.make_doc(name)])
        # the same names recur in every article: each spelling is judged once
        self.cased_like_name = lru_cache(maxsize=8192)(self._cased_like_name)

    def _cased_like_name(self, text: str) -> bool:
        """'an Islamic state' is not the Islamic State: a capitalised word of the name must be capitalised here."""
        entry = self.gazetteer.lookup(text)
        names = [n for n in (entry.label, *entry.aliases) if n.lower() == text.lower()] if entry else []
        names = names or [text]
        for name in names:
            words = name.split()
            if len(words) != len(text.split()):
                return True
            if all(not w[:1].isupper() or t[:1].isupper() for w, t in zip(words, text.split())):
                return True
        return False

    def __call__(self, doc: Doc) -> Doc:
        spans = [Span(doc, s, e, label=mid) for mid, s, e in self.exact(doc)]
        spans += [Span(doc, s, e, label=mid) for mid, s, e in self.folded(doc)
                  if self.cased_like_name(doc[s:e].text)]
        doc._.gazetteer_hits = [(s.start, s.end, s.label_) for s in sorted(filter_spans(spans))
                                if not in_furniture(doc, s.start_char)]
        return doc


# ---------------------------------------------------------------- actors component

@Language.factory("nkg_actors")
def make_actors(nlp: Language, name: str):
    return ActorsComponent()


class ActorsComponent:
    """Finds the entities of an article: nominal actors, gazetteer names, corrected named entities."""

    def __init__(self):
        self.gazetteer = load_gazetteer()
        lex = lexicon()
        self.group_nouns = set(lex["group_nouns"])
        self.state_nouns = set(lex["state_nouns"])
        self.generic = set(lex["generic_modifiers"])
        self.participles = set(lex["stripped_participles"])
        self.place_nouns = set(lex["place_nouns"])
        self.titles = sorted(lex["titles"], key=len, reverse=True)
        self.titles_by_first_word: dict[str, list[list[str]]] = {}   # longest first, as in self.titles
        for title in self.titles:
            words = title.split()
            self.titles_by_first_word.setdefault(words[0], []).append(words)
        self.capture_verbs = set(lex["capture_verbs"])
        self.directions = set(lex["directions"])
        self.title_words = {w for t in lex["titles"] for w in t.split() if w[:1].isupper()}
        self.group_noun_ids = word_ids(self.group_nouns)
        self.backing_word_ids = word_ids(self.participles | {"led"})

    # -- the parts of a noun phrase
    def modifier_tokens(self, head: Token) -> list[Token]:
        """The contiguous pre-modifiers of a head noun, left of it, inside its subtree."""
        doc = head.doc
        i = head.i - 1
        tokens = []
        subtree = {t.i for t in head.subtree}
        while i >= 0 and i in subtree:
            t = doc[i]
            if t.dep_ in ("det", "poss", "case", "predet") or t.text in (",", "(", ")", "\u201c", "\u201d", '"'):
                break
            if t.dep_ not in MODIFIER_DEPS and t.pos_ not in ("PROPN", "ADJ", "NOUN", "NUM"):
                break
            if (t.like_num or t.ent_type_ in NUMERIC_ENTITIES) and not is_ordinal(t):
                break   # "568 Ukrainian soldiers", "late Monday troops": counts and dates are not names
            tokens.insert(0, t)
            i -= 1
        if head.dep_ in ("amod", "compound", "nmod") and not tokens:
            # "Ukrainian military spokesman": the parser hangs "Ukrainian" on "spokesman", beside "military"
            i = head.i - 1
            while i >= 0 and doc[i].head.i == head.head.i and doc[i].dep_ in ("amod", "compound", "npadvmod", "punct") \
                    and not doc[i].like_num and doc[i].ent_type_ not in NUMERIC_ENTITIES and doc[i].text != ",":
                tokens.insert(0, doc[i])
                i -= 1
        while tokens and tokens[0].is_punct:
            tokens.pop(0)
        return tokens

    @staticmethod
    def chunks(tokens: list[Token]) -> list[list[Token]]:
        """Group modifiers joined by hyphens: [Iranian, -, backed, Shiite] -> [[Iranian,-,backed],[Shiite]]."""
        out: list[list[Token]] = []
        for t in tokens:
            if out and (t.text == "-" or out[-1][-1].text == "-") and not t.is_space:
                out[-1].append(t)
            else:
                out.append([t])
        return out

    def entry_for(self, tokens: list[Token]) -> Entry | None:
        text = "".join(t.text_with_ws for t in tokens).strip()
        return self.gazetteer.lookup(text) or (self.gazetteer.demonym(text) if len(tokens) == 1 else None)

    def qualifies(self, chunk: list[Token]) -> bool:
        words = [t for t in chunk if t.text != "-"]
        if not words:
            return False
        if words[-1].lower_ == "led" and len(words) > 1:
            return True
        if all(t.lower_ in self.generic for t in words):
            return False
        return any(t.pos_ == "PROPN" or t.ent_type_ in ("NORP", "GPE", "ORG") or t.is_upper or
                   self.gazetteer.demonym(t.text) or self.gazetteer.lookup(t.text) for t in words)

    # -- the component
    def __call__(self, doc: Doc) -> Doc:
        doc._.mentions, doc._.entities = [], {}
        claimed: set[int] = set()
        self.nominal_actors(doc, claimed)
        self.gazetteer_mentions(doc, claimed)
        self.places_from_context(doc, claimed)
        self.named_entities(doc, claimed)
        self.modifier_backers(doc, claimed)
        self.place_nominals(doc, claimed)
        doc._.mentions.sort(key=lambda m: (m["start"], m["end"]))
        return doc

    def nominal_actors(self, doc: Doc, claimed: set[int]) -> None:
        """'Shiite militias', 'the US-led coalition', 'IS fighters': a group noun with a qualifying modifier."""
        for head in tokens_with(doc, LOWER, self.group_noun_ids):
            if head.i in claimed:
                continue
            if head.pos_ not in ("NOUN", "PROPN") and not (head.pos_ == "ADJ" and head.dep_ in ("compound", "amod", "nmod")):
                continue
            if head.dep_ == "compound" and head.head.lower_ in self.group_nouns:
                continue
            if in_furniture(doc, head.idx):
                continue
            mods = self.modifier_tokens(head)
            kept: list[list[Token]] = []
            stripped: list[list[Token]] = []
            for chunk in self.chunks(mods):
                words = [t.lower_ for t in chunk if t.text != "-"]
                if len(chunk) > 1 and words[-1] in self.participles:
                    stripped.append(chunk)  # "Iranian-backed", "State-sanctioned": a fact about the group, not its name
                    kept = []
                    continue
                kept.append(chunk)
            while kept and all(t.lower_ in self.generic for t in kept[0] if t.text != "-") and not self.qualifies(kept[0]):
                kept.pop(0)
            if not any(self.qualifies(c) for c in kept):
                if stripped and self.qualifies(stripped[-1]) and not kept:
                    # "Russian-backed separatists": the backer is all that sets this group apart, so it stays in the name
                    name = "".join(t.text_with_ws for t in stripped[-1]).strip() + " " + head.text
                    add_mention(doc, head.i, head.i + 1, name, "ArmedGroup", "nominal", surface=name)
                    claimed.add(head.i)
                continue
            start = kept[0][0].i
            span = doc[start:head.i + 1]
            surface = strip_determiners(doc[mods[0].i if mods else head.i:head.i + 1]).text
            entry = self.entry_for([t for c in kept for t in c])
            whole = self.gazetteer.lookup(span.text)
            if whole:                                                    # "Hezbollah Brigades" is a name
                key, type_, qid = whole.label, whole.type, whole.qid
            elif entry and head.lower_ in self.state_nouns and entry.type == "Country":
                key, type_, qid = entry.label, "Country", entry.qid       # "Somali government" is Somalia
            elif entry and entry.type in GROUP_TYPES and head.lower_ in FIGHTER_HEADS and entry.type == "ArmedGroup":
                key, type_, qid = entry.label, "ArmedGroup", entry.qid    # "IS fighters" are Islamic State
            else:
                key, type_, qid = span.text, "ArmedGroup", None
            add_mention(doc, start, head.i + 1, key, type_, "nominal", qid, surface=surface)
            if surface != span.text:
                entity = doc._.entities[key]
                if span.text != entity["label"] and span.text not in entity["aliases"]:
                    entity["aliases"].append(span.text)
            claimed.update(range(start, head.i + 1))

    def gazetteer_mentions(self, doc: Doc, claimed: set[int]) -> None:
        for start, end, iri in doc._.gazetteer_hits:
            if claimed.intersection(range(start, end)):
                continue
            entry = self.gazetteer.entries[iri]
            if end < len(doc) and doc[end].text == "-" and end + 1 < len(doc) and doc[end + 1].lower_ in self.participles:
                pass  # "IS-held", "Iranian-backed": still the entity, relations read the participle
            add_mention(doc, start, end, entry.label, entry.type, "gazetteer", entry.qid)
            claimed.update(range(start, end))

    def places_from_context(self, doc: Doc, claimed: set[int]) -> None:
        """Names that the sentence shows to be places, whatever spaCy's label: what troops retake,
        capture or shell ('retook Awdhegle and Mubarak'), and what lies 'N km west of' somewhere."""
        for token in tokens_with(doc, POS, PROPER_NOUN):
            if token.i in claimed or token.dep_ == "compound" or in_furniture(doc, token.idx):
                continue
            governor = token
            while governor.dep_ == "conj":
                governor = governor.head
            captured = governor.dep_ == "dobj" and governor.head.lemma_ in self.capture_verbs
            if not (captured or self.followed_by_bearing(doc, governor)):
                continue
            start = token.i
            while start > 0 and doc[start - 1].dep_ == "compound" and doc[start - 1].pos_ == "PROPN":
                start -= 1
            if claimed.intersection(range(start, token.i + 1)) or self.gazetteer.lookup(doc[start:token.i + 1].text):
                continue
            add_mention(doc, start, token.i + 1, doc[start:token.i + 1].text, "Location", "place")
            claimed.update(range(start, token.i + 1))

    def followed_by_bearing(self, doc: Doc, token: Token) -> bool:
        """', about 75 kilometers west of' right after the name (or after its last conjunct)."""
        last = max([token, *token.conjuncts], key=lambda t: t.i)
        window = [t.lower_ for t in doc[last.i + 1:last.i + 8]]
        if not window or window[0] != ",":
            return False
        return any(w in self.directions and i + 1 < len(window) and window[i + 1] == "of" for i, w in enumerate(window))

    def named_entities(self, doc: Doc, claimed: set[int]) -> None:
        for ent in doc.ents:
            type_ = NER_TYPES.get(ent.label_)
            if type_ is None or claimed.intersection(range(ent.start, ent.end)) or in_furniture(doc, ent.start_char):
                continue
            span = strip_determiners(ent)
            if not len(span) or "/" in span.text or any(t.like_num and not is_ordinal(t) for t in span):
                continue
            if all(t.lower_ in self.group_nouns for t in span):
                continue   # "Rebels" in a headline is a generic word, not a name
            before = doc[max(0, span.start - 2):span.start]
            if type_ == "Person":
                span = self.strip_title(span)
                if not len(span):
                    continue
                if (len(before) == 2 and before[1].lower_ == "of" and before[0].lower_ in self.place_nouns) or \
                        self.described_as_place(span):
                    type_ = "Location"   # "the town of Shura", "Tal Afar, a town to the west"
            if type_ == "Organization" and self.titled(span):
                type_ = "Person"          # "Colonel Mamadou Diallo" is a person whatever spaCy says
                span = self.strip_title(doc[max(0, span.start - 1) if span.start and doc[span.start - 1].text in
                                            self.title_words else span.start:span.end])
            if type_ == "Organization":
                while len(span) > 1 and span[-1].text in self.title_words:
                    span = span[:-1]      # "Peshmerga General" (Hussein Nooraldin): the title is not a name
                if self.gazetteer.lookup(span.text):
                    entry = self.gazetteer.lookup(span.text)
                    add_mention(doc, span.start, span.end, entry.label, entry.type, "gazetteer", entry.qid)
                    claimed.update(range(span.start, span.end))
                    continue
            if type_ == "Organization" and span.root.lower_ in self.group_nouns:
                type_ = "ArmedGroup"
            key = span.text
            if type_ in ("Person", "Organization") and len([t for t in span if t.text != "-"]) <= 2:
                person = self.earlier_person(doc, span)
                if person:
                    key, type_ = person, "Person"   # "Al-Assadi" after "Ahmed al-Assadi"
            add_mention(doc, span.start, span.end, key, type_, "ner")
            claimed.update(range(span.start, span.end))

    def titled(self, span: Span) -> bool:
        """A name with a personal title before it or at its start ('Colonel X', 'President Y')."""
        before = span.doc[span.start - 1] if span.start else None
        first = span[0]
        return (before is not None and before.text in self.title_words and before.text[0].isupper()) or \
            (first.text in self.title_words and first.text not in ("Military", "Chief") and len(span) > 1)

    def strip_title(self, span: Span) -> Span:
        """'Major General Najim al-Jabouri' -> 'Najim al-Jabouri' (the title stays an alias)."""
        changed = True
        while changed and len(span) > 1:
            changed = False
            for words in self.titles_by_first_word.get(span[0].text, ()):
                if len(span) > len(words) and [t.text for t in span[:len(words)]] == words:
                    span = span[len(words):]
                    changed = True
                    break
        return span

    def described_as_place(self, span: Span) -> bool:
        doc = span.doc
        nxt = doc[span.end:span.end + 3]
        return len(nxt) >= 3 and nxt[0].text == "," and nxt[1].lower_ in ("a", "the") and nxt[2].lower_ in self.place_nouns

    def earlier_person(self, doc: Doc, span: Span) -> str | None:
        words = [w.lower() for w in span.text.split()]
        for key, entity in list(doc._.entities.items()):
            person_like = entity["type"] == "Organization" and entity.get("qid") is None and \
                2 <= len(key.split()) <= 3 and not any(w.lower() in self.group_nouns for w in key.split()) and \
                not self.gazetteer.lookup(key)
            if entity["type"] == "Person" or person_like:
                names = key.lower().replace("-", " ").split()
                tail = " ".join(words).replace("-", " ").split()
                if len(names) > len(tail) and names[-len(tail):] == tail:
                    if entity["type"] != "Person":      # "Gustavo Petro ... Petro said": the full name was a person
                        entity["type"] = "Person"
                        for m in doc._.mentions:
                            if m["key"] == key:
                                m["type"] = "Person"
                    return key
        return None

    def modifier_backers(self, doc: Doc, claimed: set[int]) -> None:
        """'Iranian-backed', 'Russian-led': the demonym or name before a hyphenated participle is an actor."""
        for participle in indices_with(doc, LOWER, self.backing_word_ids):
            if participle < 2 or participle - 2 in claimed or doc[participle - 1].text != "-":
                continue
            token = doc[participle - 2]
            entry = self.gazetteer.demonym(token.text) or self.gazetteer.lookup(token.text)
            if entry and token.lower_ != "state":
                add_mention(doc, token.i, token.i + 1, entry.label, entry.type, "demonym", entry.qid)
                claimed.add(token.i)

    def place_nominals(self, doc: Doc, claimed: set[int]) -> None:
        """'the Ethiopian border', 'the border with Russia': a place named by a country;
        'the Gedo and Bakool regions', 'Luhansk province': names before a place noun are places."""
        for token in tokens_with(doc, LOWER, AREA_NOUN_IDS):
            if not in_furniture(doc, token.idx):
                names = [t for t in token.lefts if t.dep_ in ("compound", "nmod") and t.pos_ == "PROPN"]
                names += [c for t in names for c in t.conjuncts if c.pos_ == "PROPN"]
                for name in sorted(set(names), key=lambda t: t.i):
                    if name.i in claimed:
                        for m in doc._.mentions:
                            if m["start"] <= name.i < m["end"] and m["type"] == "Person":
                                m["type"] = doc._.entities[m["key"]]["type"] = "Location"
                        continue
                    start = name.i
                    while start > 0 and doc[start - 1].dep_ == "compound" and doc[start - 1].pos_ == "PROPN" \
                            and doc[start - 1].head.i == name.i:
                        start -= 1
                    add_mention(doc, start, name.i + 1, doc[start:name.i + 1].text, "Location", "place")
                    claimed.update(range(start, name.i + 1))
        for token in tokens_with(doc, LOWER, BORDER):
            if token.i in claimed:
                continue
            mods = [t for t in self.modifier_tokens(token) if t.text != "-"]
            country = next((self.entry_for([t]) for t in mods if self.entry_for([t])), None)
            end = token.i + 1
            if country is None and end + 1 < len(doc) and doc[end].lower_ == "with":
                country = self.gazetteer.lookup(doc[end + 1].text)
                end = end + 2 if country else end
            if country is None or country.type != "Country":
                continue
            start = mods[0].i if mods else token.i
            add_mention(doc, start, end, doc[start:end].text, "Location", "place")
            claimed.update(range(start, end))
