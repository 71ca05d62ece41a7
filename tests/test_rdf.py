"""IRIs that are always valid, and extracted text that never becomes markup."""
from __future__ import annotations

import pyoxigraph
import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDFS

from kg.cli import main
from kg.rdf import entity_iri

AWKWARD = ['Al "the Lion" Rashid', "<script>alert(1)</script>", "two  spaces\nand a newline", "الدولة الإسلامية",
           "Донецька народна республіка", "back\\slash {braces} |pipe| `tick`", "100% ^caret^", "A_B", "A B", "#frag?q=1"]


@pytest.mark.parametrize("name", AWKWARD)
def test_entity_iri_is_always_valid(name):
    iri = entity_iri(name)
    pyoxigraph.NamedNode(str(iri))
    graph = Graph()
    graph.add((iri, RDFS.label, Literal(name)))
    reparsed = Graph().parse(data=graph.serialize(format="turtle"), format="turtle")
    assert set(reparsed) == set(graph)
    assert list(pyoxigraph.parse(graph.serialize(format="nt"), format=pyoxigraph.RdfFormat.N_TRIPLES))


def test_entity_iri_is_readable_deterministic_and_distinct():
    assert str(entity_iri("Tal Afar")).endswith("/Tal_Afar")
    assert entity_iri("Islamic State") == entity_iri("Islamic  State")
    assert entity_iri("A_B") != entity_iri("A B")
    assert len({entity_iri(n) for n in AWKWARD}) == len(AWKWARD)


def test_payloads_in_the_text_stay_text(tmp_path):
    article = tmp_path / "payload.txt"
    article.write_text(
        "Fighters of the <script>alert(1)</script> Brigade attack\n\n"
        "The <img src=x onerror=alert(2)> Front, backed by Iran, attacked the Islamic State near Mosul. "
        "Ali <b>Hassan</b>, a spokesman for the Islamic State, said javascript:alert(3) was a lie.\n",
        encoding="utf-8")
    assert main(["build", str(article), "-o", str(tmp_path / "out"), "-q"]) == 0
    graph = Graph().parse(tmp_path / "out" / "graph.ttl", format="turtle")
    html = (tmp_path / "out" / "graph.html").read_text(encoding="utf-8")
    assert len(graph) > 10
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>Hassan" not in html
