"""The prefixes every SPARQL query may use without declaring them (a PREFIX in the query wins).

Plain strings, no rdflib import: the endpoint's worker processes load this and stay light."""

QUERY_PREFIXES = {
    "nkg": "https://w3id.org/newskg/ontology#", "id": "https://w3id.org/newskg/id/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#", "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/", "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#", "schema": "https://schema.org/",
    "wd": "http://www.wikidata.org/entity/",
}
