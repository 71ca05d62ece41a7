"""The example graph in other triple stores and parsers: the Oxigraph server, Virtuoso, Apache Jena.

The servers are real: the tests start them on loopback in temporary directories and stop them
afterwards (tests/servers). The example graph is loaded each way -- `kg push` with the Graph Store
Protocol and with SPARQL Update, and each store's own bulk loader on `kg export` output -- and every
query in examples/queries gives the same answers there as `kg query` gives locally. Every export
syntax is read by Jena's riot, rdflib and pyoxigraph, which must agree with the source graph.
Nothing here is skipped: a server or tool that cannot start fails the test and says why
(`make test` installs what they need).
"""
from __future__ import annotations

import io
import json
import shutil
from collections import Counter
from contextlib import redirect_stdout
from pathlib import Path
from types import SimpleNamespace

import pyoxigraph
import pytest
from rdflib import Dataset, Graph

from kg.cli import main
from kg.store import EXPORT_FORMATS

from servers import answers, sparql_select
from servers.jena import SYNTAX, Jena
from servers.oxigraph import OxigraphServer, bulk_load as oxigraph_bulk_load
from servers.virtuoso import VirtuosoServer

ROOT = Path(__file__).resolve().parent.parent
QUERIES = sorted((ROOT / "examples" / "queries").glob("*.rq"))
PASSWORD_VAR = "KG_TEST_STORE_PASSWORD"
QUAD_FORMATS = {"nq", "trig"}
OX_FORMATS = {"ttl": pyoxigraph.RdfFormat.TURTLE, "nt": pyoxigraph.RdfFormat.N_TRIPLES,
              "nq": pyoxigraph.RdfFormat.N_QUADS, "trig": pyoxigraph.RdfFormat.TRIG,
              "jsonld": pyoxigraph.RdfFormat.JSON_LD, "xml": pyoxigraph.RdfFormat.RDF_XML}
RDFLIB_FORMATS = {"ttl": "turtle", "nt": "nt", "nq": "nquads", "trig": "trig", "jsonld": "json-ld", "xml": "xml"}


def kg(*args: str) -> tuple[int, str]:
    """Run the kg command in-process: (exit status, standard output)."""
    out = io.StringIO()
    with redirect_stdout(out):
        status = main([str(a) for a in args])
    return status, out.getvalue()


# --------------------------------------------------------------------------- the example graph

@pytest.fixture(scope="session")
def example(tmp_path_factory):
    """examples/mosul.txt built with `kg build`, and `kg export` of it in every syntax."""
    out = tmp_path_factory.mktemp("example")
    status, _ = kg("build", ROOT / "examples" / "mosul.txt", "-o", out, "-q")
    assert status == 0
    graph = out / "graph.ttl"
    files = {}
    for fmt in EXPORT_FORMATS:
        files[fmt] = out / "export" / f"graph.{fmt}"
        assert kg("export", graph, "-f", fmt, "-o", files[fmt])[0] == 0
    triples = {q.triple for q in pyoxigraph.parse(path=str(graph), format=pyoxigraph.RdfFormat.TURTLE)}
    quads = set(pyoxigraph.parse(path=str(files["nq"]), format=pyoxigraph.RdfFormat.N_QUADS))
    per_graph = Counter(q.graph_name.value for q in quads if isinstance(q.graph_name, pyoxigraph.NamedNode))
    builds = {q.subject.value for q in quads if isinstance(q.graph_name, pyoxigraph.DefaultGraph)}
    assert len(builds) == 1, "the build run is the only subject outside the articles' graphs"
    per_graph[builds.pop()] = sum(1 for q in quads if isinstance(q.graph_name, pyoxigraph.DefaultGraph))
    return SimpleNamespace(dir=out, graph=graph, files=files, triples=triples, per_graph=per_graph)


@pytest.fixture(scope="session")
def local_answers(example):
    """Each example query's answers from `kg query GRAPH --file Q --format json`."""
    found = {}
    for query in QUERIES:
        status, out = kg("query", example.graph, "--file", query, "--format", "json")
        assert status == 0
        found[query.name] = answers(json.loads(out))
    rows = sum(len(a) for a in found.values() if isinstance(a, Counter))
    assert rows > 20, "the example queries should find something in the example graph"
    assert found["who-backs-whom.rq"], "the example graph has backed-by relations"
    return found


def assert_same_answers(local: dict, endpoint: str, **params) -> None:
    different = []
    for query in QUERIES:
        there = answers(sparql_select(endpoint, query.read_text(encoding="utf-8"), **params))
        if there != local[query.name]:
            missing = local[query.name] - there if isinstance(there, Counter) else local[query.name]
            extra = there - local[query.name] if isinstance(there, Counter) else there
            different.append(f"{query.name}: missing {sorted(missing.items(), key=str)[:5]}, "
                             f"extra {sorted(extra.items(), key=str)[:5]}")
    assert not different, "answers differ from kg query:\n" + "\n".join(different)


def graph_sizes(endpoint: str, ignore=lambda g: False, **params) -> Counter:
    results = sparql_select(endpoint, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                            **params)
    return Counter({b["g"]["value"]: int(b["n"]["value"]) for b in results["results"]["bindings"]
                    if not ignore(b["g"]["value"])})


# --------------------------------------------------------------------------- Oxigraph server

UNION = {"union-default-graph": ""}     # Oxigraph: the default graph is the union of all graphs


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    with OxigraphServer(tmp_path_factory.mktemp("oxigraph") / "store") as server:
        yield server


def drop_all(server: OxigraphServer) -> None:
    import httpx
    httpx.post(server.update_url, data={"update": "DROP ALL"}, timeout=30).raise_for_status()


@pytest.mark.parametrize("how", ["graph-store", "update"])
def test_push_to_oxigraph(oxigraph, example, local_answers, how):
    drop_all(oxigraph)
    extra = ["--update", "--batch-size", "40"] if how == "update" else []
    for _ in range(2):                       # pushing again replaces every graph: nothing doubles
        status, out = kg("push", example.graph, "--endpoint", oxigraph.query_url, *extra)
        assert status == 0
        assert f"graphs:   {len(example.per_graph)}" in out and f"triples:  {len(example.triples)}" in out
        assert graph_sizes(oxigraph.query_url) == example.per_graph
    assert_same_answers(local_answers, oxigraph.query_url, **UNION)


def test_push_store_directory_to_oxigraph(oxigraph, example, local_answers, tmp_path):
    """--store DIR: a pyoxigraph store whose named graphs are the articles."""
    drop_all(oxigraph)
    location = tmp_path / "kgstore"
    store = pyoxigraph.Store(str(location))
    store.bulk_load(path=str(example.files["nq"]), format=pyoxigraph.RdfFormat.N_QUADS)
    store.flush()
    del store
    status, out = kg("push", "--store", location, "--endpoint", oxigraph.query_url)
    assert status == 0, out
    assert graph_sizes(oxigraph.query_url) == example.per_graph
    assert_same_answers(local_answers, oxigraph.query_url, **UNION)


def test_oxigraph_bulk_loader(example, local_answers, tmp_path):
    """`oxigraph load` on `kg export -f nq`, then the server over that directory."""
    location = tmp_path / "loaded"
    oxigraph_bulk_load(location, example.files["nq"])
    with OxigraphServer(location) as server:
        sizes = graph_sizes(server.query_url)
        articles = {g: n for g, n in example.per_graph.items() if "/article-" in g}
        assert {g: n for g, n in sizes.items() if g in articles} == articles
        assert_same_answers(local_answers, server.query_url, **UNION)


# --------------------------------------------------------------------------- Virtuoso

@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory, example):
    with VirtuosoServer(tmp_path_factory.mktemp("virtuoso"), data=example.dir / "export") as server:
        yield server


def virtuoso_sizes(server: VirtuosoServer) -> Counter:
    return Counter({g: n for g, n in graph_sizes(server.sparql_url).items() if g in set(server.user_graphs())})


@pytest.mark.parametrize("how", ["graph-store", "update"])
def test_push_to_virtuoso(virtuoso, example, local_answers, monkeypatch, how):
    """Through Virtuoso's authenticated endpoints (HTTP digest), as its dba."""
    virtuoso.clear()
    monkeypatch.setenv(PASSWORD_VAR, "dba")
    extra = ["--update", "--batch-size", "40"] if how == "update" else []
    for _ in range(2):
        status, out = kg("push", example.graph, "--endpoint", virtuoso.sparql_url, "--user", "dba",
                         "--password-env", PASSWORD_VAR, *extra)
        assert status == 0
        expected = "/sparql-auth" if how == "update" else "/sparql-graph-crud-auth"
        assert f"pushed to {virtuoso.base}{expected} " in out
        assert virtuoso_sizes(virtuoso) == example.per_graph
    assert_same_answers(local_answers, virtuoso.sparql_url)


def test_virtuoso_bulk_loader(virtuoso, example, local_answers):
    """ld_dir + rdf_loader_run on `kg export -f nq`."""
    virtuoso.clear()
    build = next(g for g in example.per_graph if "/build-" in g)
    virtuoso.bulk_load(example.files["nq"], graph=build)
    assert virtuoso_sizes(virtuoso) == example.per_graph
    assert_same_answers(local_answers, virtuoso.sparql_url)


def test_push_to_virtuoso_with_a_wrong_password(virtuoso, example, monkeypatch, capsys):
    monkeypatch.setenv(PASSWORD_VAR, "not-the-password")
    status, _ = kg("push", example.graph, "--endpoint", virtuoso.sparql_url, "--user", "dba",
                   "--password-env", PASSWORD_VAR)
    err = capsys.readouterr().err
    assert status == 2
    assert "HTTP 401" in err and "--password-env" in err and len(err.strip().splitlines()) == 1


def test_push_to_virtuoso_without_rights(virtuoso, example, capsys):
    """Virtuoso's anonymous Graph Store endpoint may not write: its own message is shown."""
    status, _ = kg("push", example.graph, "--endpoint", virtuoso.sparql_url)
    err = capsys.readouterr().err
    assert status == 2
    assert "/sparql-graph-crud: HTTP 403" in err and "Permission denied" in err


# --------------------------------------------------------------------------- Jena TDB2

def test_jena_tdb2_loader(jena, example, local_answers, tmp_path):
    """tdb2.tdbloader on `kg export -f nq`; tdb2.tdbquery over the union of the graphs."""
    location = tmp_path / "tdb2"
    done = jena.run("tdb2.tdbloader", "--loc", location, example.files["nq"])
    assert done.returncode == 0, done.stderr
    different = []
    for query in QUERIES:
        done = jena.run("tdb2.tdbquery", "--loc", location, "--set", "tdb:unionDefaultGraph=true",
                        "--results=json", "--file", query)
        assert done.returncode == 0, f"{query.name}: {done.stderr}"
        if answers(done.stdout) != local_answers[query.name]:
            different.append(f"{query.name}: {answers(done.stdout)} != {local_answers[query.name]}")
    assert not different, "answers differ from kg query:\n" + "\n".join(different)


# --------------------------------------------------------------------------- Jena, rdflib, pyoxigraph

@pytest.fixture(scope="session")
def jena(tmp_path_factory):
    return Jena(tmp_path_factory.mktemp("jena"))


@pytest.fixture(scope="session")
def jena_quads(jena, example, tmp_path_factory):
    """Each export read by riot (strict, with term checks: what --validate does) and written as N-Quads."""
    out_dir = tmp_path_factory.mktemp("riot")
    results, running = {}, []

    def finish(fmt, process, path):
        _, err = process.communicate(timeout=180)
        results[fmt] = (process.returncode, err, path)

    for fmt in EXPORT_FORMATS:
        path = out_dir / f"{fmt}.nq"
        handle = open(path, "wb")
        process = jena.start("riotcmd.riot", "--check", "--strict", f"--syntax={SYNTAX[fmt]}", "--output=N-Quads",
                             example.files[fmt], stdout=handle)
        running.append((fmt, process, path))
        handle.close()
        if len(running) == 2:                # two cores: two JVMs at a time
            for item in running:
                finish(*item)
            running = []
    for item in running:
        finish(*item)
    return results


def test_jena_validates_every_export(jena, example, tmp_path):
    """riot --validate on every syntax kg export writes (JSON-LD with Jena's JSON-LD 1.0 reader)."""
    files = []
    for fmt, path in example.files.items():
        files.append(tmp_path / f"graph.{'jsonld10' if fmt == 'jsonld' else fmt}")
        shutil.copy(path, files[-1])
    done = jena.riot("--validate", *files)
    assert done.returncode == 0 and "WARN" not in done.stderr and "ERROR" not in done.stderr, done.stderr
    assert done.stderr.count("File: ") == len(EXPORT_FORMATS), done.stderr


def test_jena_rejects_a_broken_graph(jena, tmp_path):
    """The validator is not a no-op: a bad literal and a bad IRI are reported."""
    bad = tmp_path / "bad.ttl"
    bad.write_text('<https://w3id.org/newskg/id/x> <https://w3id.org/newskg/ontology#confidence> '
                   '"high"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n<https://w3id.org/newskg/id/a b> '
                   '<http://www.w3.org/2000/01/rdf-schema#label> "x" .\n')
    done = jena.riot("--validate", bad)
    assert done.returncode != 0
    assert "Lexical form 'high' not valid" in done.stderr or "Bad character in IRI" in done.stderr


def _as_quads(nquads: bytes | str) -> set:
    data = nquads.encode("utf-8") if isinstance(nquads, str) else nquads
    return set(pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.N_QUADS))


def _rdflib_quads(fmt: str, path: Path) -> set:
    if fmt in QUAD_FORMATS:
        dataset = Dataset()
        dataset.parse(path, format=RDFLIB_FORMATS[fmt])
        return _as_quads(dataset.serialize(format="nquads", encoding="utf-8"))
    graph = Graph()
    graph.parse(path, format=RDFLIB_FORMATS[fmt])
    return _as_quads(graph.serialize(format="nt", encoding="utf-8"))


def _pyoxigraph_quads(fmt: str, path: Path) -> set:
    parsed = pyoxigraph.parse(path=str(path), format=OX_FORMATS[fmt])
    return {q if isinstance(q, pyoxigraph.Quad) else pyoxigraph.Quad(q.subject, q.predicate, q.object)
            for q in parsed}


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_three_parsers_agree_on_every_export(fmt, example, jena_quads):
    """Jena, rdflib and pyoxigraph read the same quads from each export, and its triples are the graph's."""
    status, err, path = jena_quads[fmt]
    assert status == 0 and "WARN" not in err and "ERROR" not in err, f"riot on {fmt}: {err}"
    jena = _as_quads(path.read_bytes())
    rdflib_ = _rdflib_quads(fmt, example.files[fmt])
    oxigraph = _pyoxigraph_quads(fmt, example.files[fmt])
    assert jena == rdflib_, f"Jena and rdflib disagree on {fmt}: {sorted(map(str, jena ^ rdflib_))[:5]}"
    assert jena == oxigraph, f"Jena and pyoxigraph disagree on {fmt}: {sorted(map(str, jena ^ oxigraph))[:5]}"
    triples = {q.triple for q in jena}
    assert triples == example.triples, f"{fmt}: {sorted(map(str, triples ^ example.triples))[:5]}"
    named = {q.graph_name.value for q in jena if isinstance(q.graph_name, pyoxigraph.NamedNode)}
    if fmt in QUAD_FORMATS:
        assert named and all("/article-" in g for g in named)
    else:
        assert not named
