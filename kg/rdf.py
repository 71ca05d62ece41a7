"""From processed articles to RDF: a pure mapping, the same input always giving the same triples."""
from __future__ import annotations

import hashlib
from decimal import Decimal
from functools import lru_cache
from typing import Iterable, Iterator

import pyoxigraph
from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, SKOS
from spacy.tokens import Doc

from . import __version__
from .namespace import ENTITY_CLASSES, ID, NKG, PROV, RELATION_PREDICATES, SCHEMA, SYMMETRIC_RELATIONS, WD
from .read import Article
from .structure import event_date

Triple = tuple
_SAFE = set("-.~")


@lru_cache(maxsize=65536)   # names recur across an article's statements and across a corpus
def entity_iri(name: str) -> URIRef:
    """A readable IRI from a canonical name: letters and digits kept (any script), spaces as '_', the rest %-encoded."""
    name = " ".join(name.split())
    out = []
    for char in name:
        if char == " ":
            out.append("_")
        elif (char.isalnum() and char.isprintable()) or char in _SAFE:
            out.append(char)
        else:
            out.append("".join(f"%{b:02X}" for b in char.encode("utf-8")))
    iri = ID + ("".join(out) or "%20")
    pyoxigraph.NamedNode(iri)   # raises ValueError if it is not a valid IRI: never write one that isn't
    return URIRef(iri)


def article_iri(article: Article) -> URIRef:
    return ID[f"article-{article.key}"]


def build_iri(inputs: Iterable[str], model: str | None = None) -> URIRef:
    """The build run, named by what it was asked to do: its inputs, the model and the software version."""
    key = "\x1f".join(["newskg " + __version__, model or "", *map(str, inputs)])
    return ID[f"build-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:16]}"]


def _statement_iri(*parts: object) -> URIRef:
    return ID["statement-" + hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:20]]


def _decimal(value: float) -> Literal:
    return Literal(Decimal(str(value)), datatype=XSD.decimal)


def article_triples(article: Article, found: "Extraction | Doc", build: URIRef,
                    default_date: str | None = None) -> Iterator[Triple]:
    """Every triple one article contributes: its node, its entities, its relations and their provenance.

    ``found`` is the article's Extraction (or its processed Doc). The article's date is its
    metadata's, else its dateline's, else ``default_date`` (kg build --date)."""
    from .extract import Extraction
    doc = Extraction.from_doc(found) if isinstance(found, Doc) else found
    art = article_iri(article)
    structure = doc.article or {}
    published = article.date or structure.get("date") or default_date
    yield art, RDF.type, NKG.Article
    yield art, DCTERMS.title, Literal(article.headline or structure.get("headline") or article.title)
    yield art, NKG.sourcePath, Literal(article.path)
    yield art, NKG.contentHash, Literal("sha256:" + article.sha256)
    yield art, PROV.wasGeneratedBy, build
    yield build, PROV.used, art
    if published:
        yield art, SCHEMA.datePublished, Literal(published, datatype=XSD.date)
    if structure.get("dateline"):
        yield art, SCHEMA.dateline, Literal(structure["dateline"])
    if structure.get("author"):
        yield art, SCHEMA.author, Literal(structure["author"])
    if article.url:
        yield art, SCHEMA.url, Literal(article.url, datatype=XSD.anyURI)

    mentioned = {m["key"] for m in doc.mentions}
    for key in sorted(mentioned):
        entity = doc.entities[key]
        node = entity_iri(key)
        yield node, RDF.type, ENTITY_CLASSES[entity["type"]]
        yield node, RDFS.label, Literal(entity["label"])
        for alias in entity["aliases"]:
            if alias and alias != entity["label"]:
                yield node, SKOS.altLabel, Literal(alias)
        if entity.get("qid"):
            yield node, OWL.sameAs, WD[entity["qid"]]
        yield node, NKG.mentionedIn, art

    text = article.text
    for relation in doc.relations:
        s, o = entity_iri(relation["subject"]), entity_iri(relation["object"])
        predicate = RELATION_PREDICATES[relation["predicate"]]
        if relation["predicate"] in SYMMETRIC_RELATIONS and str(o) < str(s):
            s, o = o, s
        if relation["polarity"] == "positive" and relation["modality"] != "hypothetical":
            yield s, predicate, o
        stmt = _statement_iri(article.sha256, s, predicate, o, relation["start_char"], relation["pattern"])
        yield from _provenance(stmt, s, predicate, o, art, build, text, relation)
        if published:
            yield stmt, DCTERMS.date, Literal(published, datatype=XSD.date)
            happened = event_date(text[relation["start_char"]:relation["end_char"]], published)
            if happened:
                yield stmt, NKG.eventDate, Literal(happened, datatype=XSD.date)
        for claimant in relation.get("claimed_by", ()):
            yield stmt, NKG.claimedBy, entity_iri(claimant)

    for alias in doc.aliases:
        if alias["key"] not in mentioned:
            continue
        s, obj = entity_iri(alias["key"]), Literal(alias["alias"])
        stmt = _statement_iri(article.sha256, s, SKOS.altLabel, obj, alias["start_char"], alias["pattern"])
        yield s, SKOS.altLabel, obj
        yield from _provenance(stmt, s, SKOS.altLabel, obj, art, build, text,
                               dict(alias, confidence=0.95, modality="asserted", polarity="positive"))


def _provenance(stmt, s, p, o, art, build, text: str, info: dict) -> Iterator[Triple]:
    start, end = info["start_char"], info["end_char"]
    yield stmt, RDF.type, RDF.Statement
    yield stmt, RDF.subject, s
    yield stmt, RDF.predicate, p
    yield stmt, RDF.object, o
    yield stmt, PROV.wasDerivedFrom, art
    yield stmt, PROV.wasGeneratedBy, build
    yield stmt, NKG.evidence, Literal(" ".join(text[start:end].split()))
    yield stmt, NKG.charStart, Literal(start, datatype=XSD.integer)
    yield stmt, NKG.charEnd, Literal(end, datatype=XSD.integer)
    yield stmt, NKG.confidence, _decimal(info["confidence"])
    yield stmt, NKG.pattern, Literal(info["pattern"])
    yield stmt, NKG.modality, NKG[info["modality"]]
    yield stmt, NKG.polarity, NKG[info["polarity"]]


def new_graph() -> Graph:
    """An empty graph with the project's prefixes bound, so Turtle output is readable."""
    graph = Graph()
    for prefix, ns in (("nkg", NKG._NS), ("id", ID), ("skos", SKOS), ("prov", PROV), ("dcterms", DCTERMS),
                       ("owl", OWL), ("wd", WD), ("schema", SCHEMA), ("xsd", XSD)):
        graph.bind(prefix, ns, replace=True)
    return graph


def build_graph(processed: Iterable[tuple[Article, "Extraction | Doc"]], default_date: str | None = None) -> Graph:
    """The knowledge graph of a set of articles, with the build run as a prov:Activity."""
    processed = list(processed)
    build = build_iri(a.path for a, _ in processed)
    graph = new_graph()
    graph.add((build, RDF.type, PROV.Activity))
    graph.add((build, RDFS.label, Literal("kg build")))
    graph.add((build, NKG.softwareVersion, Literal(f"newskg {__version__}")))
    for article, doc in processed:
        for triple in article_triples(article, doc, build, default_date):
            graph.add(triple)
    return graph
