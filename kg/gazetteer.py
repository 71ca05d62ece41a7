"""The gazetteer (ontology/gazetteer.ttl): well-known names, their types and Wikidata ids; never relations."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph
from rdflib import RDF, RDFS
from rdflib.namespace import SKOS

from .namespace import ENTITY_CLASSES, NKG, WD
from .resources import GAZETTEER_FILE

_TYPE_OF_CLASS = {str(cls): name for name, cls in ENTITY_CLASSES.items()}


@dataclass(frozen=True)
class Entry:
    """One well-known entity: its canonical label, type, Wikidata id (where known) and other names."""

    iri: str
    qid: str | None
    label: str
    type: str
    aliases: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()


@dataclass
class Gazetteer:
    """Name and demonym look-ups over the entries."""

    entries: dict[str, Entry] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_name: dict[str, Entry] = {}
        self.by_demonym: dict[str, Entry] = {}
        for entry in self.entries.values():
            for name in (entry.label, *entry.aliases):
                self.by_name.setdefault(_fold(name), entry)
            for demonym in entry.demonyms:
                self.by_demonym.setdefault(demonym.lower(), entry)

    def names(self) -> list[tuple[str, Entry]]:
        """Every (surface name, entry) pair, for the phrase matcher."""
        return sorted(((n, e) for e in self.entries.values() for n in (e.label, *e.aliases)), key=lambda x: x[0])

    def lookup(self, name: str) -> Entry | None:
        """The entry that goes by this name (case-insensitive, except for short acronyms)."""
        entry = self.by_name.get(_fold(name))
        if entry and is_acronym(name) and name not in (entry.label, *entry.aliases):
            return None
        return entry

    def demonym(self, word: str) -> Entry | None:
        """The entity whose demonym the word is ("Iranian" -> Iran)."""
        return self.by_demonym.get(word.lower())


def is_acronym(name: str) -> bool:
    """Short all-caps names (IS, AU, US) only match in capitals: 'is' and 'us' are words."""
    letters = name.replace(".", "")
    return len(letters) <= 5 and letters.isupper()


def _fold(name: str) -> str:
    return " ".join(name.replace("\u2019", "'").lower().split())


@lru_cache(maxsize=4)
def load_gazetteer(path: Path = GAZETTEER_FILE) -> Gazetteer:
    """Parse the gazetteer file once per process (with pyoxigraph's parser: every build starts by this)."""
    types: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    aliases: dict[str, list[str]] = {}
    demonyms: dict[str, list[str]] = {}
    wanted = {str(RDF.type): types, str(SKOS.altLabel): aliases, str(NKG.demonym): demonyms}
    label = str(RDFS.label)
    for triple in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE):
        if not isinstance(triple.subject, pyoxigraph.NamedNode):
            continue
        subject, predicate = triple.subject.value, triple.predicate.value
        if predicate == label:
            labels.setdefault(subject, triple.object.value)
        elif predicate in wanted:
            wanted[predicate].setdefault(subject, []).append(triple.object.value)
    entries = {}
    for iri, cls in sorted((s, c) for s, classes in types.items() for c in classes):
        if cls not in _TYPE_OF_CLASS:
            continue
        qid = iri.removeprefix(str(WD)) if iri.startswith(str(WD)) else None
        entries[iri] = Entry(
            iri=iri,
            qid=qid,
            label=labels.get(iri) or iri.rsplit("/", 1)[-1],   # each entry has one (a test checks)
            type=_TYPE_OF_CLASS[cls],
            aliases=tuple(sorted(aliases.get(iri, ()))),
            demonyms=tuple(sorted(demonyms.get(iri, ()))),
        )
    return Gazetteer(entries)
