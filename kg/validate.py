"""SHACL validation of a built graph against ontology/shapes.ttl."""
from __future__ import annotations

from functools import lru_cache

import pyshacl
from rdflib import Graph

from .resources import ONTOLOGY_FILE, SHAPES_FILE


@lru_cache(maxsize=1)
def _shapes_and_ontology() -> tuple[Graph, Graph]:
    return Graph().parse(SHAPES_FILE, format="turtle"), Graph().parse(ONTOLOGY_FILE, format="turtle")


def validate(graph: Graph) -> tuple[bool, str]:
    """(conforms, readable report); the ontology is mixed in so subclasses count for sh:class."""
    shapes, ontology = _shapes_and_ontology()
    conforms, _report_graph, text = pyshacl.validate(graph, shacl_graph=shapes, ont_graph=ontology,
                                                     inference="none", allow_warnings=False)
    return bool(conforms), text
