"""The ontology (ontology/kg.ttl) and the SHACL shapes (ontology/shapes.ttl).

The shapes are exercised on a small graph shaped like the one `kg build` writes, and on broken
variants of it that each must fail validation for the expected reason.
"""
from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from pyshacl import validate
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, SH, SKOS

from kg.namespace import NKG, ONTOLOGY_IRI, PROV

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
KG_TTL = ONTOLOGY_DIR / "kg.ttl"
SHAPES_TTL = ONTOLOGY_DIR / "shapes.ttl"

ID = Namespace("https://w3id.org/newskg/id/")
WD = "http://www.wikidata.org/entity/"
WDT = "http://www.wikidata.org/prop/direct/"
ORG = Namespace("http://www.w3.org/ns/org#")
# a plain Namespace: rdflib's XSD DefinedNamespace warns when pytest inspects module attributes
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")

NKG_TERMS = {getattr(NKG, name) for name in NKG.__annotations__}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(KG_TTL, format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_TTL, format="turtle")


# ---------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [KG_TTL, SHAPES_TTL], ids=lambda p: p.name)
def test_parses_with_rdflib(path: Path) -> None:
    assert len(Graph().parse(path, format="turtle")) > 0


@pytest.mark.parametrize("path", [KG_TTL, SHAPES_TTL], ids=lambda p: p.name)
def test_parses_with_pyoxigraph(path: Path) -> None:
    quads = list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))
    assert quads


def test_rdflib_and_pyoxigraph_agree_on_size() -> None:
    for path in (KG_TTL, SHAPES_TTL):
        n_ox = sum(1 for _ in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))
        assert n_ox == len(Graph().parse(path, format="turtle")), path.name


# ---------------------------------------------------------------------------------------------
# The ontology defines exactly the terms of kg.namespace.NKG
# ---------------------------------------------------------------------------------------------


def test_header(ontology: Graph) -> None:
    onto = URIRef(ONTOLOGY_IRI.rstrip("#"))
    assert (onto, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(onto, OWL.versionInfo) == Literal("0.1.0")
    for p in (RDFS.label, RDFS.comment, URIRef("http://purl.org/dc/terms/license")):
        assert ontology.value(onto, p) is not None, p


def test_namespace_is_not_empty() -> None:
    assert len(NKG_TERMS) >= 30
    assert set(dir(NKG)) == NKG_TERMS


@pytest.mark.parametrize("term", sorted(NKG_TERMS), ids=lambda t: t.split("#")[-1])
def test_every_nkg_term_is_defined_with_label_and_comment(ontology: Graph, term: URIRef) -> None:
    assert (term, RDF.type, None) in ontology, f"{term} has no rdf:type in kg.ttl"
    for p in (RDFS.label, RDFS.comment):
        values = list(ontology.objects(term, p))
        assert values, f"{term} has no {p}"
        assert any(isinstance(v, Literal) and v.language == "en" and str(v).strip() for v in values), (
            f"{term} has no non-empty English {p}"
        )


def _nkg_iris(graph: Graph) -> set[URIRef]:
    return {
        t
        for triple in graph
        for t in triple
        if isinstance(t, URIRef) and str(t).startswith(ONTOLOGY_IRI) and str(t) != ONTOLOGY_IRI
    }


def test_ontology_defines_nothing_outside_nkg(ontology: Graph) -> None:
    assert _nkg_iris(ontology) - NKG_TERMS == set()


def test_shapes_use_only_nkg_terms(shapes: Graph) -> None:
    assert _nkg_iris(shapes) - NKG_TERMS == set()


def test_kinds_of_terms(ontology: Graph) -> None:
    classes = {"Actor", "Person", "Organization", "ArmedGroup", "Location", "Country", "Article", "Modality", "Polarity"}
    object_props = {"backedBy", "backs", "fighting", "locatedNear", "spokesmanOf", "hasSpokesman",
                    "mentionedIn", "modality", "polarity", "claimedBy"}
    datatype_props = {"evidence", "charStart", "charEnd", "confidence", "pattern", "contentHash",
                      "sourcePath", "softwareVersion", "demonym"}
    for name in classes:
        assert (NKG[name], RDF.type, OWL.Class) in ontology, name
    for name in object_props:
        assert (NKG[name], RDF.type, OWL.ObjectProperty) in ontology, name
    for name in datatype_props:
        assert (NKG[name], RDF.type, OWL.DatatypeProperty) in ontology, name
        assert ontology.value(NKG[name], RDFS.range) is not None, name
    for name in ("asserted", "reported", "alleged", "hypothetical"):
        assert (NKG[name], RDF.type, NKG.Modality) in ontology
    for name in ("positive", "negative"):
        assert (NKG[name], RDF.type, NKG.Polarity) in ontology
    assert ontology.value(NKG.confidence, RDFS.range) == XSD.decimal
    assert ontology.value(NKG.charStart, RDFS.range) == XSD.integer
    assert ontology.value(NKG.charEnd, RDFS.range) == XSD.integer


def test_class_hierarchy_and_alignment(ontology: Graph) -> None:
    schema = Namespace("https://schema.org/")
    expected = [
        (NKG.ArmedGroup, NKG.Organization),
        (NKG.Country, NKG.Location),
        (NKG.Person, schema.Person),
        (NKG.Organization, schema.Organization),
        (NKG.Location, schema.Place),
        (NKG.Country, schema.Country),
        (NKG.Article, schema.NewsArticle),
        (NKG.Article, PROV.Entity),
        (NKG.Person, PROV.Agent),
        (NKG.Organization, PROV.Agent),
    ]
    for sub, sup in expected:
        assert (sub, RDFS.subClassOf, sup) in ontology, (sub, sup)
    union = ontology.value(ontology.value(NKG.Actor, OWL.equivalentClass), OWL.unionOf)
    assert set(ontology.items(union)) == {NKG.Person, NKG.Organization, NKG.Country}


def test_relations(ontology: Graph) -> None:
    assert (NKG.fighting, RDF.type, OWL.SymmetricProperty) in ontology
    assert (NKG.locatedNear, RDF.type, OWL.SymmetricProperty) in ontology
    assert (NKG.backedBy, RDF.type, OWL.SymmetricProperty) not in ontology
    assert (NKG.backedBy, OWL.inverseOf, NKG.backs) in ontology
    assert (NKG.spokesmanOf, OWL.inverseOf, NKG.hasSpokesman) in ontology
    for prop, domain, range_ in [
        (NKG.backedBy, NKG.Actor, NKG.Actor),
        (NKG.fighting, NKG.Actor, NKG.Actor),
        (NKG.locatedNear, NKG.Location, NKG.Location),
        (NKG.spokesmanOf, NKG.Person, NKG.Actor),
    ]:
        assert ontology.value(prop, RDFS.domain) == domain, prop
        assert ontology.value(prop, RDFS.range) == range_, prop


def test_wikidata_and_org_links(ontology: Graph) -> None:
    for prop, pid in [(NKG.backedBy, "P859"), (NKG.locatedNear, "P47")]:
        assert (prop, SKOS.closeMatch, URIRef(WDT + pid)) in ontology, (prop, pid)
        assert (prop, SKOS.closeMatch, URIRef(WD + pid)) in ontology, (prop, pid)
    assert (NKG.ArmedGroup, SKOS.closeMatch, URIRef(WD + "Q17149090")) in ontology
    assert (NKG.spokesmanOf, SKOS.broadMatch, ORG.memberOf) in ontology
    assert "org:holds" in str(ontology.value(NKG.spokesmanOf, RDFS.comment))


# ---------------------------------------------------------------------------------------------
# SHACL: a sample graph shaped like the output of `kg build`, and broken variants of it
# ---------------------------------------------------------------------------------------------

SAMPLE = """
@prefix nkg:     <https://w3id.org/newskg/ontology#> .
@prefix id:      <https://w3id.org/newskg/id/> .
@prefix rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix owl:     <http://www.w3.org/2002/07/owl#> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix wd:      <http://www.wikidata.org/entity/> .

id:Iran a nkg:Country ;
    rdfs:label "Iran" ;
    skos:altLabel "Iranian", "Iranian advisers" ;
    owl:sameAs wd:Q794 ;
    nkg:mentionedIn id:article-1 .
id:Shiite_militias a nkg:ArmedGroup ;
    rdfs:label "Shiite militias" ;
    skos:altLabel "Iranian-backed Shiite militias" ;
    nkg:mentionedIn id:article-1 .
id:Ahmed_al-Assadi a nkg:Person ; rdfs:label "Ahmed al-Assadi" ; skos:altLabel "Al-Assadi" ;
    nkg:mentionedIn id:article-1 .
id:Popular_Mobilization_Units a nkg:ArmedGroup ; rdfs:label "Popular Mobilization Units" ;
    nkg:mentionedIn id:article-1 .
id:ISIS a nkg:ArmedGroup ; rdfs:label "ISIS" ; nkg:mentionedIn id:article-1 .
id:Mosul a nkg:Location ; rdfs:label "Mosul" ; nkg:mentionedIn id:article-1 .
id:Tal_Afar a nkg:Location ; rdfs:label "Tal Afar" ; nkg:mentionedIn id:article-1 .

id:Shiite_militias nkg:backedBy id:Iran .
id:Ahmed_al-Assadi nkg:spokesmanOf id:Popular_Mobilization_Units .
id:Tal_Afar nkg:locatedNear id:Mosul .
id:Popular_Mobilization_Units nkg:fighting id:ISIS .

id:statement-1 a rdf:Statement ;
    rdf:subject id:Shiite_militias ; rdf:predicate nkg:backedBy ; rdf:object id:Iran ;
    prov:wasDerivedFrom id:article-1 ;
    prov:wasGeneratedBy id:build-1 ;
    nkg:evidence "The involvement of the Iranian-backed Shiite militias has raised concerns." ;
    nkg:charStart 1090 ; nkg:charEnd 1160 ;
    nkg:confidence 0.9 ;
    nkg:pattern "backedBy/x-backed-y" ;
    nkg:modality nkg:asserted ;
    nkg:polarity nkg:positive .

id:statement-2 a rdf:Statement ;
    rdf:subject id:Ahmed_al-Assadi ; rdf:predicate nkg:spokesmanOf ; rdf:object id:Popular_Mobilization_Units ;
    prov:wasDerivedFrom id:article-1 ;
    nkg:evidence "Ahmed al-Assadi, a spokesman for the Popular Mobilization Units, said ..." ;
    nkg:charStart 200 ; nkg:charEnd 270 ;
    nkg:confidence 0.85 ; nkg:pattern "spokesmanOf/x-a-spokesman-for-y" ;
    nkg:modality nkg:asserted ; nkg:polarity nkg:positive .

id:statement-3 a rdf:Statement ;
    rdf:subject id:Tal_Afar ; rdf:predicate nkg:locatedNear ; rdf:object id:Mosul ;
    prov:wasDerivedFrom id:article-1 ;
    nkg:evidence "Tal Afar, west of Mosul, ..." ; nkg:charStart 300 ; nkg:charEnd 330 ;
    nkg:confidence 0.8 ; nkg:pattern "locatedNear/x-west-of-y" ;
    nkg:modality nkg:asserted ; nkg:polarity nkg:positive .

# symmetric relation: the statement is in the other direction than the asserted triple
id:statement-4 a rdf:Statement ;
    rdf:subject id:ISIS ; rdf:predicate nkg:fighting ; rdf:object id:Popular_Mobilization_Units ;
    prov:wasDerivedFrom id:article-1 ;
    nkg:evidence "ISIS fighters clashed with the Popular Mobilization Units." ; nkg:charStart 400 ; nkg:charEnd 460 ;
    nkg:confidence 0.7 ; nkg:pattern "fighting/x-clashed-with-y" ;
    nkg:modality nkg:reported ; nkg:polarity nkg:positive ; nkg:claimedBy id:Ahmed_al-Assadi .

# a denied relation: a negative statement and no asserted triple
id:statement-5 a rdf:Statement ;
    rdf:subject id:Popular_Mobilization_Units ; rdf:predicate nkg:backedBy ; rdf:object id:Iran ;
    prov:wasDerivedFrom id:article-1 ;
    nkg:evidence "The Popular Mobilization Units denied being backed by Iran." ; nkg:charStart 500 ; nkg:charEnd 560 ;
    nkg:confidence 0.6 ; nkg:pattern "backedBy/x-denied-backed-by-y" ;
    nkg:modality nkg:reported ; nkg:polarity nkg:negative .

# an alias merge is a statement too
id:statement-6 a rdf:Statement ;
    rdf:subject id:Popular_Mobilization_Units ; rdf:predicate skos:altLabel ; rdf:object "PMU" ;
    prov:wasDerivedFrom id:article-1 ; nkg:evidence "..." ; nkg:charStart 10 ; nkg:charEnd 80 ;
    nkg:confidence 0.95 ; nkg:pattern "alias/acronym-in-parentheses" ;
    nkg:modality nkg:asserted ; nkg:polarity nkg:positive .

id:article-1 a nkg:Article ;
    dcterms:title "Shiite militias join in offensive to retake Mosul" ;
    nkg:sourcePath "examples/mosul.txt" ;
    nkg:contentHash "sha256:3f2a9c01d2e4" ;
    prov:wasGeneratedBy id:build-1 .
id:build-1 a prov:Activity ;
    rdfs:label "kg build" ;
    nkg:softwareVersion "newskg 0.1.0" ;
    prov:used id:article-1 .
"""


def sample() -> Graph:
    return Graph().parse(data=SAMPLE, format="turtle")


def run_validation(data: Graph, shapes: Graph, ontology: Graph) -> tuple[bool, Graph, str]:
    conforms, results_graph, results_text = validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        allow_warnings=False,
    )
    return bool(conforms), results_graph, str(results_text)


def focus_nodes(results: Graph) -> set:
    return set(results.objects(None, SH.focusNode))


def test_sample_conforms(shapes: Graph, ontology: Graph) -> None:
    conforms, _, text = run_validation(sample(), shapes, ontology)
    assert conforms, text


def test_sample_conforms_as_written_by_pyoxigraph_roundtrip(shapes: Graph, ontology: Graph) -> None:
    # the build may serialise with pyoxigraph; the typed literals must survive
    store = pyoxigraph.Store()
    store.load(SAMPLE, format=pyoxigraph.RdfFormat.TURTLE)
    ntriples = store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=pyoxigraph.DefaultGraph())
    data = Graph().parse(data=ntriples.decode(), format="nt")
    conforms, _, text = run_validation(data, shapes, ontology)
    assert conforms, text


def _relation_without_evidence(g: Graph) -> None:
    g.add((ID.Iran, NKG.fighting, ID.ISIS))


def _confidence_too_high(g: Graph) -> None:
    g.set((ID["statement-1"], NKG.confidence, Literal("1.5", datatype=XSD.decimal)))


def _entity_without_label(g: Graph) -> None:
    g.remove((ID.Mosul, RDFS.label, None))


def _spokesman_is_a_country(g: Graph) -> None:
    g.add((ID.Iran, NKG.spokesmanOf, ID.Popular_Mobilization_Units))
    st = ID["statement-7"]
    for p, o in [
        (RDF.type, RDF.Statement), (RDF.subject, ID.Iran), (RDF.predicate, NKG.spokesmanOf),
        (RDF.object, ID.Popular_Mobilization_Units), (PROV.wasDerivedFrom, ID["article-1"]),
        (NKG.evidence, Literal("Iran spoke for the PMU.")), (NKG.charStart, Literal(0)), (NKG.charEnd, Literal(22)),
        (NKG.confidence, Literal("0.5", datatype=XSD.decimal)), (NKG.pattern, Literal("spokesmanOf/test")),
        (NKG.modality, NKG.asserted), (NKG.polarity, NKG.positive),
    ]:
        g.add((st, p, o))


def _statement_without_source(g: Graph) -> None:
    g.remove((ID["statement-1"], PROV.wasDerivedFrom, None))


def _evidence_only_negative(g: Graph) -> None:
    # the denied relation of statement-5 is asserted anyway
    g.add((ID.Popular_Mobilization_Units, NKG.backedBy, ID.Iran))


def _backed_by_evidence_reversed(g: Graph) -> None:
    # backedBy is not symmetric: a statement in the other direction is no evidence
    g.remove((ID.Shiite_militias, NKG.backedBy, ID.Iran))
    g.add((ID.Iran, NKG.backedBy, ID.Shiite_militias))


def _unknown_modality(g: Graph) -> None:
    g.set((ID["statement-1"], NKG.modality, NKG.positive))


def _negative_char_start(g: Graph) -> None:
    g.set((ID["statement-2"], NKG.charStart, Literal(-1)))


def _located_near_an_actor(g: Graph) -> None:
    g.add((ID.Mosul, NKG.locatedNear, ID["Ahmed_al-Assadi"]))


def _article_without_hash(g: Graph) -> None:
    g.remove((ID["article-1"], NKG.contentHash, None))


def _two_labels(g: Graph) -> None:
    g.add((ID.Iran, RDFS.label, Literal("Islamic Republic of Iran")))


BROKEN = {
    # name: (mutation, focus node expected in the report, text expected in the report)
    "relation-without-evidence": (_relation_without_evidence, ID.Iran, "has no evidence"),
    "confidence-1.5": (_confidence_too_high, ID["statement-1"], "confidence"),
    "entity-without-label": (_entity_without_label, ID.Mosul, "rdfs:label"),
    "spokesman-is-a-country": (_spokesman_is_a_country, ID.Iran, "subject of nkg:spokesmanOf must be a nkg:Person"),
    "statement-without-wasDerivedFrom": (_statement_without_source, ID["statement-1"], "prov:wasDerivedFrom"),
    "only-negative-evidence": (_evidence_only_negative, ID.Popular_Mobilization_Units, "has no evidence"),
    "non-symmetric-reversed": (_backed_by_evidence_reversed, ID.Iran, "has no evidence"),
    "unknown-modality": (_unknown_modality, ID["statement-1"], "nkg:modality"),
    "negative-charStart": (_negative_char_start, ID["statement-2"], "nkg:charStart"),
    "locatedNear-a-person": (_located_near_an_actor, ID["Ahmed_al-Assadi"], "nkg:locatedNear must be a nkg:Location"),
    "article-without-hash": (_article_without_hash, ID["article-1"], "nkg:contentHash"),
    "two-labels": (_two_labels, ID.Iran, "exactly one rdfs:label"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_variant_does_not_conform(shapes: Graph, ontology: Graph, name: str) -> None:
    mutate, focus, expected_text = BROKEN[name]
    g = sample()
    mutate(g)
    conforms, results, text = run_validation(g, shapes, ontology)
    assert not conforms, f"{name} should not conform"
    assert expected_text in text, text
    assert focus in focus_nodes(results), text


def test_relation_without_evidence_names_the_triple(shapes: Graph, ontology: Graph) -> None:
    g = sample()
    _relation_without_evidence(g)
    _, results, text = run_validation(g, shapes, ontology)
    assert "Iran" in text and "fighting" in text and "ISIS" in text, text
    # and only that triple is reported
    assert focus_nodes(results) == {ID.Iran}, text


def test_symmetric_relation_accepts_either_direction(shapes: Graph, ontology: Graph) -> None:
    g = sample()
    g.add((ID.Mosul, NKG.locatedNear, ID.Tal_Afar))  # statement-3 is Tal_Afar -> Mosul
    conforms, _, text = run_validation(g, shapes, ontology)
    assert conforms, text
