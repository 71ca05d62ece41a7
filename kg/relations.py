"""Relations: declarative patterns (kg/patterns/<relation>.json) run over each Doc.

A pattern file holds the relation's name, the entity types allowed on each side, and a list
of patterns, each with an ``id``, a ``confidence`` and either a DependencyMatcher pattern
(``"matcher": "dependency"``; the nodes named ``subject`` and ``object`` are the two sides)
or a token Matcher pattern (``"matcher": "token"``; elements carrying ``"role": "subject"`` or
``"role": "object"`` are the two sides). A side may instead come from the article's focus
(``"object_from": "previous_place"`` or ``"subject_from": "group_in_focus"``).
Results land in ``doc._.relations`` as plain dicts.
"""
from __future__ import annotations

import json
from bisect import bisect_left
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Token

from .depmatch import DependencyPattern
from .entities import ACTOR_TYPES, GROUP_TYPES, mention_at
from .resources import PATTERNS_DIR, lexicon
from .scan import LEMMA, LOWER, positions, word_id

if not Doc.has_extension("relations"):
    Doc.set_extension("relations", default=None)
# The token patterns' working attributes, written only in the sentences the token matcher reads
# (RelationsComponent.token_matches): not a record of mentions; that is ``doc._.mentions``.
if not Token.has_extension("nkg_mention"):
    Token.set_extension("nkg_mention", default=False)
if not Token.has_extension("nkg_type"):
    Token.set_extension("nkg_type", default="")

MODALITY_CONFIDENCE = {"asserted": 1.0, "reported": 0.85, "alleged": 0.6, "hypothetical": 0.4}
HOLDING_WORDS = {"held", "controlled", "occupied", "seized", "dominated", "besieged"}
PART_WORDS = {"many", "some", "most", "all", "members", "forces", "troops", "units", "fighters", "part", "elements",
              "one", "several", "dozens", "hundreds", "thousands", "remnants"}
CONTENT_DEPS = {"ccomp", "xcomp", "dobj", "parataxis", "advcl", "pcomp", "pobj", "prep", "conj", "acomp", "oprd"}
QUOTES = {"\u201c": "\u201d", '"': '"'}


@dataclass
class Pattern:
    """One rule: where it comes from, how sure it is, and which matcher runs it."""

    relation: str
    id: str
    confidence: float
    kind: str
    body: list
    roles: dict = field(default_factory=dict)       # token-pattern element index -> role
    subject_from: str | None = None
    object_from: str | None = None
    modality: str | None = None     # set by the pattern itself: "accused X of arming Y" is alleged
    polarity: str | None = None     # "X denied supporting Y" is negative

    @property
    def triggers(self) -> frozenset[str] | None:
        """Words one of which any match must contain (the smallest such set in the pattern), so the
        matcher only runs on sentences that could match; None when the pattern names no word."""
        if self.kind == "dependency":
            required = [node.get("RIGHT_ATTRS", {}) for node in self.body]
        else:
            required = [element for element in self.body if element.get("OP") in (None, "+", "!")]
        sets = [words for attrs in required for words in [_words(attrs)] if words]
        specific = [words for words in sets if not words & COMMON_WORDS]
        return min(specific or sets, key=len) if sets else None


#: words too frequent to tell whether a sentence might match
COMMON_WORDS = frozenset({",", "-", ".", "the", "a", "an", "of", "with", "for", "on", "in", "to", "from", "as", "and",
                          "by", "at", "against", "'s", "\u2019s"})


def _words(attrs: dict) -> frozenset[str] | None:
    for key in ("LOWER", "LEMMA", "ORTH", "TEXT"):
        value = attrs.get(key)
        if isinstance(value, str):
            return frozenset({value.lower()})
        if isinstance(value, dict) and "IN" in value:
            return frozenset(v.lower() for v in value["IN"])
    return None


def load_patterns(directory: Path = PATTERNS_DIR) -> tuple[dict, list[Pattern]]:
    """Read every pattern file; the type constraints come back per relation."""
    constraints, patterns = {}, []
    for path in sorted(directory.glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        relation = spec["relation"]
        constraints[relation] = (set(spec["subject_types"]), set(spec["object_types"]))
        for raw in spec["patterns"]:
            body = raw["pattern"]
            roles = {}
            if raw["matcher"] == "token":
                body = []
                for index, element in enumerate(raw["pattern"]):
                    element = dict(element)
                    if "role" in element:
                        roles[index] = element.pop("role")
                    body.append(element)
            patterns.append(Pattern(relation, f"{relation}/{raw['id']}", float(raw["confidence"]), raw["matcher"],
                                    body, roles, raw.get("subject_from"), raw.get("object_from"),
                                    raw.get("modality"), raw.get("polarity")))
    return constraints, patterns


@Language.factory("nkg_relations")
def make_relations(nlp: Language, name: str):
    return RelationsComponent(nlp)


class RelationsComponent:
    """Runs all patterns, maps their sides to entities, and judges modality and polarity."""

    def __init__(self, nlp: Language):
        self.constraints, self.patterns = load_patterns()
        # a sentence goes through one spaCy Matcher holding the token patterns whose trigger words it has
        # (one pass, predicates evaluated once a token); each dependency pattern has its own matcher, run
        # from its anchor words, in the sentences that hold its trigger words.
        self.vocab = nlp.vocab
        self.token_matchers: dict[tuple[str, ...], Matcher] = {}   # see matcher_for
        self.matchers = []
        for p in self.patterns:
            matcher = DependencyPattern(p.body) if p.kind == "dependency" else None
            self.matchers.append((p, matcher, p.triggers))
        self.token_triggers = [(p.id, p.triggers) for p in self.patterns if p.kind == "token"]
        # the words the patterns ask for by name: only where these occur is a sentence worth matching
        self.watched = frozenset().union(*(t for _, _, t in self.matchers if t is not None),
                                         *(m.anchors for _, m, _ in self.matchers if m is not None and m.anchors))
        self.watched_ids = {word_id(w): w for w in self.watched}
        lex = lexicon()
        self.reporting = set(lex["reporting_verbs"])
        self.alleging = set(lex["alleging_verbs"])
        self.denial = set(lex["denial_verbs"])
        self.hypothetical = set(lex["hypothetical_aux"])

    def __call__(self, doc: Doc) -> Doc:
        mention_type = {}   # token index -> the type of the mention it is in
        for m in doc._.mentions:
            for i in range(m["start"], m["end"]):
                mention_type[i] = m["type"]
        found: dict[tuple, dict] = {}
        judged: dict[int, tuple] = {}   # trigger token -> (modality, polarity, speaker)
        # each sentence with a mention, and where the watched words occur in it (lower-cased form or lemma)
        marked = sorted(mention_type)
        watched = self.watched_words(doc)
        sentences = []
        for sent in doc.sents:
            first = bisect_left(marked, sent.start)
            if first == len(marked) or marked[first] >= sent.end:
                continue
            by_word: dict[str, list[Token]] = {}
            for word, where in watched.items():
                lo, hi = bisect_left(where, sent.start), bisect_left(where, sent.end)
                if lo < hi:
                    by_word[word] = [doc[i] for i in where[lo:hi]]
            sentences.append((sent, by_word))
        token_hits = self.token_matches(sentences, mention_type, marked)
        for pattern, matcher, triggers in self.matchers:
            if pattern.kind == "token":
                for sent, start, alignments in token_hits.get(pattern.id, ()):
                    sides = {"subject": [], "object": []}
                    for offset, element in enumerate(alignments):
                        role = pattern.roles.get(element)
                        if role:
                            sides[role].append(doc[sent.start + start + offset])
                    self.emit(doc, pattern, sides, doc[sent.start + start], found, judged)
                continue
            live = [(sent, by_word) for sent, by_word in sentences
                    if triggers is None or not triggers.isdisjoint(by_word)]
            names = matcher.names
            anchors = matcher.anchors
            for sent, by_word in live:
                candidates = None
                if anchors is not None:   # only the tokens that carry an anchor word, in text order
                    candidates = sorted({t.i: t for w in anchors & by_word.keys() for t in by_word[w]}.items())
                    candidates = [t for _, t in candidates]
                for token_ids in matcher.matches(sent, candidates):
                    sides = {"subject": [], "object": []}
                    for name, i in zip(names, token_ids):
                        if name in sides:
                            sides[name].append(doc[i])
                    self.emit(doc, pattern, sides, doc[token_ids[0]], found, judged)
        self.add_spokesmen_organisations(found)
        doc._.relations = sorted(found.values(), key=lambda r: (r["start_char"], r["predicate"], r["subject"],
                                                                 r["object"], r["pattern"]))
        return doc

    def watched_words(self, doc: Doc) -> dict[str, list[int]]:
        """Where each word the patterns name occurs, as a token's lower-cased form or lemma: word -> token
        indices, ascending. Read from spaCy's arrays, so only the few tokens found become Python objects."""
        strings = doc.vocab.strings
        where: dict[str, set[int]] = {}
        for value, found in positions(doc, LOWER).items():
            word = self.watched_ids.get(value)
            if word is not None:
                where.setdefault(word, set()).update(found)
        for value, found in positions(doc, LEMMA).items():
            word = self.watched_ids.get(value) or strings[value].lower()   # a lemma keeps a proper noun's case
            if word in self.watched:
                where.setdefault(word, set()).update(found)
        return {word: sorted(found) for word, found in where.items()}

    def token_matches(self, sentences: list, mention_type: dict[int, str], marked: list[int]) -> dict[str, list]:
        """Pattern id -> [(sentence, start, alignments)] in text order, each pattern only in the sentences
        that hold its trigger words. The token patterns read ``_.nkg_mention`` and ``_.nkg_type``: these are
        written only in the sentences matched (each write costs spaCy an object and a look-up)."""
        hits: dict[str, list] = {}
        for sent, by_word in sentences:
            live = tuple(pattern_id for pattern_id, triggers in self.token_triggers
                         if triggers is None or not triggers.isdisjoint(by_word))
            if not live:
                continue
            for i in marked[bisect_left(marked, sent.start):bisect_left(marked, sent.end)]:
                underscore = sent.doc[i]._
                underscore.nkg_mention = True
                underscore.nkg_type = mention_type[i]
            for match_id, start, _, alignments in self.matcher_for(live)(sent, with_alignments=True):
                hits.setdefault(self.vocab.strings[match_id], []).append((sent, start, alignments))
        return hits

    def matcher_for(self, pattern_ids: tuple[str, ...]) -> Matcher:
        """One spaCy Matcher holding just these token patterns, made once: a sentence that names only
        'spokesman' is not run through the 'near' and '-backed' patterns."""
        matcher = self.token_matchers.get(pattern_ids)
        if matcher is None:
            if len(self.token_matchers) >= 512:     # bounded; a corpus uses a few dozen combinations
                self.token_matchers.clear()
            matcher = self.token_matchers[pattern_ids] = Matcher(self.vocab)
            for p in self.patterns:
                if p.id in pattern_ids:
                    matcher.add(p.id, [p.body])
        return matcher

    @staticmethod
    def add_spokesmen_organisations(found: dict) -> None:
        """A spokesman's claim is also the claim of the organisation he speaks for."""
        speaks_for: dict[str, list[str]] = {}
        for r in found.values():
            if r["predicate"] == "spokesmanOf" and r["polarity"] == "positive":
                speaks_for.setdefault(r["subject"], []).append(r["object"])
        for r in found.values():
            for person in list(r["claimed_by"]):
                for organisation in sorted(speaks_for.get(person, ())):
                    if organisation not in r["claimed_by"]:
                        r["claimed_by"].append(organisation)

    # -- from matched tokens to entities
    def emit(self, doc: Doc, pattern: Pattern, sides: dict, trigger: Token, found: dict, judged: dict) -> None:
        """Record the relations between the two sides' entities; ``judged`` keeps each trigger's judgement."""
        subject_types, object_types = self.constraints[pattern.relation]
        subjects = self.side_entities(doc, sides["subject"], pattern.relation, "subject", subject_types)
        objects = self.side_entities(doc, sides["object"], pattern.relation, "object", object_types)
        if pattern.subject_from:
            subjects = self.from_focus(doc, pattern.subject_from, trigger, subject_types, exclude=objects)
        if pattern.object_from:
            objects = self.from_focus(doc, pattern.object_from, trigger, object_types, exclude=subjects)
        if not subjects or not objects:
            return
        sent = trigger.sent
        if trigger.i not in judged:
            judged[trigger.i] = self.judge(trigger)
        modality, polarity, speaker = judged[trigger.i]
        claimants = self.claimants(doc, speaker, trigger) if modality in ("reported", "alleged") else []
        if pattern.modality in ("reported", "alleged") and not claimants:
            claimants = self.claimants(doc, trigger, trigger)   # "Sudan accused X of arming Y": Sudan claims it
        modality = pattern.modality or modality
        polarity = pattern.polarity or polarity
        confidence = round(pattern.confidence * MODALITY_CONFIDENCE[modality], 3)
        for s in subjects:
            for o in objects:
                if s == o:
                    continue
                relation = {"subject": s, "predicate": pattern.relation, "object": o,
                            "start_char": sent.start_char, "end_char": sent.end_char,
                            "pattern": pattern.id, "confidence": confidence,
                            "modality": modality, "polarity": polarity, "claimed_by": claimants}
                key = (s, pattern.relation, o, sent.start_char)
                if key not in found or found[key]["confidence"] < confidence:
                    found[key] = relation

    def side_entities(self, doc: Doc, tokens: list[Token], relation: str, role: str, types: set[str]) -> list[str]:
        keys: list[str] = []
        for token in tokens[-1:]:   # a multi-token side is one mention: its last token names it
            for t in [token, *self.coordinated(doc, token)]:
                for key in self.entities_of(doc, t, relation, role):
                    if key not in keys and doc._.entities[key]["type"] in types:
                        keys.append(key)
        return keys

    def entities_of(self, doc: Doc, token: Token, relation: str, role: str) -> list[str]:
        if token.lower_ in ("who", "which", "that") and token.head.dep_ == "relcl":
            token = token.head.head        # "Mujahid, who is the spokesman for ...": who is Mujahid
        mention = mention_at(doc, token.i)
        if mention and (relation != "fighting" or mention["type"] in ACTOR_TYPES):
            return [mention["key"]]
        if token.lower_ in PART_WORDS:       # "many of the militias", "troops from AMISOM"
            for prep in token.children:
                if prep.lower_ in ("of", "from"):
                    for pobj in prep.children:
                        inner = mention_at(doc, pobj.i)
                        if inner:
                            return [inner["key"]]
        if relation == "fighting" and role == "object":
            owners = [mention_at(doc, c.i) for c in token.children if c.dep_ == "compound"]
            owners = [m["key"] for m in owners if m and m["type"] in ACTOR_TYPES and m["type"] != "Country"]
            return owners or self.holders(doc, token)   # "Tatmadaw positions" (but not "Yemen's port")
        return []

    @staticmethod
    def coordinated(doc: Doc, token: Token) -> list[Token]:
        """Conjuncts ('AU forces, Kenyan soldiers and Ethiopian troops') share the relation."""
        return [c for c in token.conjuncts if c.i != token.i]

    def holders(self, doc: Doc, token: Token) -> list[str]:
        """Who holds a place: 'IS-held villages', 'port ..., which is held by the Houthi militia'."""
        region = [token, *token.subtree] if token.dep_ != "pobj" else [token, *token.subtree]
        if token.head.lower_ == "of" and token.head.head.pos_ == "NOUN":  # "the port of Hodeida"
            region += [token.head.head, *token.head.head.subtree]
        for t in region:
            if t.lower_ not in HOLDING_WORDS:
                continue
            if t.i >= 2 and doc[t.i - 1].text == "-":
                left = mention_at(doc, t.i - 2)
                if left and left["type"] in ACTOR_TYPES:
                    return [left["key"]]
            for agent in (c for c in t.children if c.dep_ == "agent"):
                for pobj in agent.children:
                    inner = mention_at(doc, pobj.i)
                    if inner and inner["type"] in ACTOR_TYPES:
                        return [inner["key"]]
        return []

    def from_focus(self, doc: Doc, how: str, trigger: Token, types: set[str], exclude: list[str]) -> list[str]:
        """A side the sentence leaves implicit: the place or group the article is talking about."""
        wanted = {"previous_place": {"Location"}, "group_in_focus": GROUP_TYPES}[how] & types
        sent_start = trigger.sent.start
        for m in sorted(doc._.mentions, key=lambda m: m["start"], reverse=True):
            if m["end"] <= trigger.i and m["type"] in wanted and m["key"] not in exclude:
                if how == "group_in_focus" and m["start"] >= sent_start:
                    continue
                return [m["key"]]
        return []

    # -- modality and polarity
    def judge(self, trigger: Token) -> tuple[str, str, Token | None]:
        """Negated or denied -> negative; under a claim/report/quote -> alleged/reported; would/could -> hypothetical.

        Also returns the reporting verb (or 'according to'), whose subject is the claim's source."""
        polarity, modality, speaker = "positive", "asserted", None
        path = [trigger, *trigger.ancestors]
        for depth, t in enumerate(path):
            below = path[depth - 1] if depth else None
            # a conjunct does not inherit its neighbour's negation; a subject is not the content of a report
            via_conj = below is not None and below.dep_ == "conj"
            in_content = below is not None and below.dep_ in CONTENT_DEPS
            if any(c.dep_ == "neg" for c in t.children) and t.pos_ in ("VERB", "AUX", "NOUN") and not via_conj:
                if depth == 0 or t.lemma_ not in self.reporting:
                    polarity = "negative"
            lemma = t.lemma_.lower()
            if depth > 0 and lemma in self.denial and in_content:
                polarity = "negative"
            if depth > 0 and in_content and speaker is None:   # the nearest report is the claim's source
                if lemma in self.alleging:
                    modality, speaker = "alleged", t
                elif lemma in self.reporting and modality == "asserted":
                    modality, speaker = "reported", t
            if t.pos_ in ("VERB", "AUX") and any(c.dep_ == "aux" and c.lower_ in self.hypothetical for c in t.children):
                if modality == "asserted":
                    modality = "hypothetical"
            according = next((c for c in t.children if c.lower_ == "according"), None)
            if according is not None and modality == "asserted":
                modality, speaker = "reported", according
        if modality == "asserted" and self.quoted(trigger):
            modality = "reported"
            speaker = self.attribution(trigger)
        return modality, polarity, speaker

    def attribution(self, trigger: Token) -> Token | None:
        """The reporting verb outside the quotation ('..., \u201d Colonel X said')."""
        for token in trigger.sent:
            if token.lemma_.lower() in self.reporting and token.pos_ == "VERB" and not self.quoted(token):
                return token
        return None

    def claimants(self, doc: Doc, speaker: Token | None, trigger: Token) -> list[str]:
        """Who makes the claim: the reporting verb's subject, or the object of 'according to'."""
        if speaker is None:
            return []
        if speaker.lower_ == "according":
            sources = [c for prep in speaker.children if prep.lower_ == "to" for c in prep.children if c.dep_ == "pobj"]
        else:
            sources = [c for c in speaker.children if c.dep_ in ("nsubj", "nsubjpass")]
        keys = []
        for source in sources:
            for t in [source, *source.conjuncts]:
                mention = mention_at(doc, t.i)
                if mention is None:
                    mention = next((mention_at(doc, c.i) for c in t.subtree if mention_at(doc, c.i)), None)
                if mention and mention["type"] in ACTOR_TYPES and mention["key"] not in keys:
                    keys.append(mention["key"])
        return keys

    @staticmethod
    def quoted(token: Token) -> bool:
        sent = token.sent
        depth = 0
        for t in sent:
            if t.i >= token.i:
                break
            if t.text in ("\u201c",):
                depth += 1
            elif t.text in ("\u201d",):
                depth = max(0, depth - 1)
            elif t.text == '"':
                depth = 1 - depth
        return depth > 0
