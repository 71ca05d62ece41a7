"""Graphs on disk: load (with a clear error), query with SPARQL (pyoxigraph), export in every syntax."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pyoxigraph
from rdflib import RDF, Dataset, Graph, URIRef
from rdflib.namespace import SKOS

from .errors import KgError
from .namespace import NKG, PROV
from .rdf import new_graph

#: file suffix -> (rdflib format, pyoxigraph format)
SYNTAXES = {
    "ttl": ("turtle", pyoxigraph.RdfFormat.TURTLE),
    "nt": ("nt", pyoxigraph.RdfFormat.N_TRIPLES),
    "nq": ("nquads", pyoxigraph.RdfFormat.N_QUADS),
    "trig": ("trig", pyoxigraph.RdfFormat.TRIG),
    "jsonld": ("json-ld", None),
    "xml": ("xml", pyoxigraph.RdfFormat.RDF_XML),
    "rdf": ("xml", pyoxigraph.RdfFormat.RDF_XML),
    "owl": ("xml", pyoxigraph.RdfFormat.RDF_XML),
    "n3": ("n3", pyoxigraph.RdfFormat.N3),
}
EXPORT_FORMATS = ("ttl", "nt", "nq", "trig", "jsonld", "xml")


def _syntax(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix == "json":
        suffix = "jsonld"
    if suffix not in SYNTAXES:
        raise KgError(f"{path}: unknown RDF syntax '.{suffix}' (use one of: {', '.join(sorted(SYNTAXES))})")
    return suffix


def _check_file(path: Path) -> None:
    if not path.exists():
        raise KgError(f"{path}: no such file")
    if path.is_dir():
        raise KgError(f"{path}: is a directory, not a graph file")


def load_graph(path: str | Path) -> Graph:
    """The graph in a file (named graphs merged), or a one-line error naming the file."""
    path = Path(path)
    _check_file(path)
    fmt = SYNTAXES[_syntax(path)][0]
    graph = new_graph()
    try:
        if fmt in ("nquads", "trig"):
            dataset = Dataset()
            dataset.parse(path, format=fmt)
            for s, p, o, _ in dataset.quads((None, None, None, None)):
                graph.add((s, p, o))
        else:
            graph.parse(path, format=fmt)
    except Exception as err:  # rdflib raises many types; all mean "not a valid graph"
        raise KgError(f"{path}: cannot parse as {fmt}: {_one_line(err)}") from None
    return graph


def load_oxigraph(path: str | Path) -> pyoxigraph.Store:
    """The file in an in-memory Oxigraph store: fast SPARQL 1.1 whatever the graph's size."""
    path = Path(path)
    _check_file(path)
    syntax = _syntax(path)
    store = pyoxigraph.Store()
    ox_format = SYNTAXES[syntax][1]
    try:
        if ox_format is None:   # JSON-LD: let rdflib read it, hand over N-Triples
            data = load_graph(path).serialize(format="nt", encoding="utf-8")
            store.bulk_load(data, format=pyoxigraph.RdfFormat.N_TRIPLES)
        else:
            store.bulk_load(path=str(path), format=ox_format,
                            to_graph=None if ox_format in (pyoxigraph.RdfFormat.N_QUADS, pyoxigraph.RdfFormat.TRIG)
                            else pyoxigraph.DefaultGraph())
    except (SyntaxError, ValueError, OSError) as err:
        raise KgError(f"{path}: cannot parse: {_one_line(err)}") from None
    return store


def _one_line(err: Exception) -> str:
    return " ".join(str(err).split())[:300] or type(err).__name__


def run_query(store: pyoxigraph.Store, sparql: str, fmt: str = "table") -> str:
    """Run a SPARQL 1.1 query; SELECT/ASK results in the chosen format, CONSTRUCT/DESCRIBE as Turtle."""
    try:
        result = store.query(sparql, use_default_graph_as_union=True)
    except SyntaxError as err:
        raise KgError(f"malformed SPARQL query: {_one_line(err)}") from None
    except (OSError, ValueError) as err:
        raise KgError(f"query failed: {_one_line(err)}") from None
    if isinstance(result, pyoxigraph.QueryBoolean):
        value = bool(result)
        if fmt == "json":
            return '{"head": {}, "boolean": %s}\n' % ("true" if value else "false")
        return ("true" if value else "false") + "\n"
    if isinstance(result, pyoxigraph.QueryTriples):
        data = pyoxigraph.serialize(result, format=pyoxigraph.RdfFormat.N_TRIPLES)
        graph = new_graph()
        graph.parse(data=data.decode("utf-8"), format="nt")
        return graph.serialize(format="turtle")
    if fmt in ("csv", "tsv", "json"):
        out = result.serialize(format={"csv": pyoxigraph.QueryResultsFormat.CSV,
                                       "tsv": pyoxigraph.QueryResultsFormat.TSV,
                                       "json": pyoxigraph.QueryResultsFormat.JSON}[fmt])
        return out.decode("utf-8")
    return _table(result)


def _cell(term) -> str:
    if term is None:
        return ""
    if isinstance(term, pyoxigraph.Literal):
        return term.value
    return str(term.value) if hasattr(term, "value") else str(term)


def _table(solutions: pyoxigraph.QuerySolutions) -> str:
    names = [v.value for v in solutions.variables]
    rows = [[" ".join(_cell(row[n]).split()) for n in names] for row in solutions]
    widths = [max([len(n)] + [min(len(r[i]), 80) for r in rows]) for i, n in enumerate(names)]
    clip = lambda text, w: text if len(text) <= w else text[: w - 1] + "\u2026"
    lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(clip(c, w).ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def article_dataset(graph: Graph) -> Dataset:
    """Each article's statements in a named graph named by the article's IRI; the build run in the default graph.

    An article's graph holds its node, the provenance nodes derived from it, the asserted triples
    they describe, and the description of every entity it mentions.
    """
    dataset = Dataset()
    for prefix, ns in graph.namespaces():
        dataset.bind(prefix, ns, replace=True)
    articles = sorted(graph.subjects(RDF.type, NKG.Article))
    placed: set = set()
    for art in articles:
        named = dataset.graph(URIRef(art))
        for triple in graph.triples((art, None, None)):
            named.add(triple); placed.add(triple)
        for stmt in graph.subjects(PROV.wasDerivedFrom, art):
            for triple in graph.triples((stmt, None, None)):
                named.add(triple); placed.add(triple)
            s, p, o = graph.value(stmt, RDF.subject), graph.value(stmt, RDF.predicate), graph.value(stmt, RDF.object)
            if (s, p, o) in graph:
                named.add((s, p, o)); placed.add((s, p, o))
        for entity in graph.subjects(NKG.mentionedIn, art):
            for triple in graph.triples((entity, None, None)):
                if triple[1] == NKG.mentionedIn and triple[2] != art:
                    continue
                if triple[1] in (RDF.type, SKOS.altLabel) or triple[1] not in _RELATION_PREDICATES:
                    named.add(triple); placed.add(triple)
    default = dataset.default_graph
    for triple in graph:
        if triple not in placed:
            default.add(triple)
    return dataset


_RELATION_PREDICATES = {NKG.backedBy, NKG.fighting, NKG.locatedNear, NKG.spokesmanOf}


def serialize(graph: Graph, fmt: str) -> bytes:
    """The graph in one of EXPORT_FORMATS; quad syntaxes carry one named graph per article."""
    if fmt in ("nq", "trig"):
        data = article_dataset(graph).serialize(format=SYNTAXES[fmt][0], encoding="utf-8")
        return _sorted_lines(data) if fmt == "nq" else data
    if fmt == "nt":
        return _sorted_lines(graph.serialize(format="nt", encoding="utf-8"))
    if fmt == "xml":
        return graph.serialize(format="pretty-xml", encoding="utf-8")
    return graph.serialize(format=SYNTAXES[fmt][0], encoding="utf-8")


def _sorted_lines(data: bytes) -> bytes:
    """Line-based syntaxes in sorted order: the same graph always gives the same bytes."""
    return "".join(sorted(set(data.decode("utf-8").splitlines(True)))).encode("utf-8")


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside the target and rename: never a half-written output."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
