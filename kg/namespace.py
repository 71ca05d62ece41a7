"""The vocabulary of the graph, in one place: the ontology's terms as an rdflib namespace class."""
from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DefinedNamespace

ONTOLOGY_IRI = "https://w3id.org/newskg/ontology#"
ID_IRI = "https://w3id.org/newskg/id/"


class NKG(DefinedNamespace):
    """Terms of ontology/kg.ttl; a typo here fails at import, not silently in the output."""

    _NS = Namespace(ONTOLOGY_IRI)
    _fail = True

    # classes
    Actor: object
    Person: object
    Organization: object
    ArmedGroup: object
    Location: object
    Country: object
    Article: object
    Modality: object
    Polarity: object

    # relations between entities
    backedBy: object
    backs: object
    fighting: object
    locatedNear: object
    spokesmanOf: object
    hasSpokesman: object

    # entities, articles, runs
    mentionedIn: object
    demonym: object
    contentHash: object
    sourcePath: object
    softwareVersion: object

    # provenance of a statement
    evidence: object
    charStart: object
    charEnd: object
    confidence: object
    pattern: object
    modality: object
    polarity: object
    claimedBy: object
    eventDate: object

    # individuals
    asserted: object
    reported: object
    alleged: object
    hypothetical: object
    positive: object
    negative: object


ID = Namespace(ID_IRI)
WD = Namespace("http://www.wikidata.org/entity/")
SCHEMA = Namespace("https://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
ORG = Namespace("http://www.w3.org/ns/org#")

#: relation name used in patterns -> predicate
RELATION_PREDICATES = {
    "backedBy": NKG.backedBy,
    "fighting": NKG.fighting,
    "locatedNear": NKG.locatedNear,
    "spokesmanOf": NKG.spokesmanOf,
}
SYMMETRIC_RELATIONS = {"fighting", "locatedNear"}

#: entity type name used in the pipeline -> class
ENTITY_CLASSES = {
    "Person": NKG.Person,
    "Organization": NKG.Organization,
    "ArmedGroup": NKG.ArmedGroup,
    "Location": NKG.Location,
    "Country": NKG.Country,
}
