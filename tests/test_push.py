"""`kg push` against a small in-process store (tests/servers/fakestore.py): what goes over the wire,
replacement on a second push, SPARQL Update batches, authentication and one-line errors.
The real stores (Oxigraph, Virtuoso) are in test_interop.py."""
from __future__ import annotations

import io
import re
from contextlib import redirect_stdout

import pyoxigraph
import pytest

from kg.cli import main
from kg.push import batches, conventional_urls

from servers import free_port
from servers.fakestore import FakeStore

NKG = "https://w3id.org/newskg/ontology#"
ID = "https://w3id.org/newskg/id/"
ART1, ART2, BUILD = ID + "article-1", ID + "article-2", ID + "build-1"

TWO_ARTICLES = f"""\
@prefix nkg: <{NKG}> . @prefix id: <{ID}> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> . @prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

id:article-1 a nkg:Article ; dcterms:title "One" .
id:article-2 a nkg:Article ; dcterms:title "Two \\"quoted\\" \u00e9" .
id:Iran a nkg:Country ; rdfs:label "Iran" ; nkg:mentionedIn id:article-1, id:article-2 .
id:Hezbollah a nkg:ArmedGroup ; rdfs:label "Hezbollah" ; nkg:mentionedIn id:article-1 ; nkg:backedBy id:Iran .
id:statement-1 a rdf:Statement ; rdf:subject id:Hezbollah ; rdf:predicate nkg:backedBy ; rdf:object id:Iran ;
    prov:wasDerivedFrom id:article-1 ; nkg:confidence "0.9"^^xsd:decimal ;
    nkg:evidence "Iran backs Hezbollah.\\nNew line." .
id:build-1 a prov:Activity ; rdfs:label "kg build" ; prov:used id:article-1, id:article-2 .
"""


@pytest.fixture
def graph_file(tmp_path):
    path = tmp_path / "graph.ttl"
    path.write_text(TWO_ARTICLES, encoding="utf-8")
    return path


@pytest.fixture
def store():
    with FakeStore() as fake:
        yield fake


def kg(*args) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        status = main([str(a) for a in args])
    return status, out.getvalue()


def triples_of(body: bytes) -> set:
    return {q.triple for q in pyoxigraph.parse(body, format=pyoxigraph.RdfFormat.TURTLE)}


def all_triples(path) -> set:
    return {q.triple for q in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)}


# --------------------------------------------------------------------------- where it goes

@pytest.mark.parametrize("endpoint, server, auth, expected", [
    ("http://h:7878/query", "Oxigraph/0.5.13", False, ("http://h:7878/store", "http://h:7878/update")),
    ("http://h:7878/sparql", "Oxigraph/0.5.13", False, ("http://h:7878/store", "http://h:7878/update")),
    ("http://h:7878/query", "", False, ("http://h:7878/store", "http://h:7878/update")),
    ("http://h:8890/sparql", "Virtuoso/07.20.3229 (Linux)", False,
     ("http://h:8890/sparql-graph-crud", "http://h:8890/sparql")),
    ("http://h:8890/sparql/", "Virtuoso/07.20.3229 (Linux)", True,
     ("http://h:8890/sparql-graph-crud-auth", "http://h:8890/sparql-auth")),
    ("http://h:3030/ds/sparql", "Apache Jena Fuseki (4.9.0)", False,
     ("http://h:3030/ds/data", "http://h:3030/ds/update")),
    ("http://h:3030/ds/query", "", False, ("http://h:3030/ds/data", "http://h:3030/ds/update")),
    ("http://h:7200/repositories/news", "", False,
     ("http://h:7200/repositories/news/rdf-graphs/service", "http://h:7200/repositories/news/statements")),
    ("http://h/bigdata", "", False, (None, "http://h/bigdata")),
])
def test_conventional_urls(endpoint, server, auth, expected):
    assert conventional_urls(endpoint, server, auth) == expected


# --------------------------------------------------------------------------- Graph Store Protocol

def test_push_puts_one_graph_per_article_and_the_build_run(store, graph_file):
    status, out = kg("push", graph_file, "--endpoint", store.base + "/query")
    assert status == 0
    assert sorted(store.graphs) == [ART1, ART2, BUILD]
    pushed = {name: triples_of(body) for name, body in store.graphs.items()}
    assert set().union(*pushed.values()) == all_triples(graph_file)
    hezbollah = pyoxigraph.NamedNode(ID + "Hezbollah")
    assert any(t.subject == hezbollah for t in pushed[ART1]) and not any(t.subject == hezbollah for t in pushed[ART2])
    assert {str(t.subject) for t in pushed[BUILD]} == {f"<{BUILD}>"}
    assert all(m == "PUT" and p == "/store" for m, p, _, _ in store.requests)
    total = sum(len(t) for t in pushed.values())
    assert f"graphs:   3\ntriples:  {total}\n" in out
    assert f"pushed to {store.base}/store (SPARQL 1.1 Graph Store Protocol, PUT per graph)" in out


def test_pushing_again_replaces_each_graph(store, graph_file):
    assert kg("push", graph_file, "--endpoint", store.base + "/query")[0] == 0
    first = dict(store.graphs)
    assert kg("push", graph_file, "--endpoint", store.base + "/query", "-q") == (0, "")
    assert store.graphs == first and len(store.requests) == 6     # the same three PUTs again


def test_an_explicit_graph_store_url(store, graph_file, capsys):
    status, _ = kg("push", graph_file, "--endpoint", store.base + "/custom")
    assert status == 2
    assert "no known Graph Store URL" in capsys.readouterr().err
    assert kg("push", graph_file, "--graph-store", store.base + "/store", "-q")[0] == 0
    assert len(store.graphs) == 3


def test_push_a_store_directory(store, tmp_path, capsys):
    location = tmp_path / "kgstore"
    disk = pyoxigraph.Store(str(location))
    s, p = pyoxigraph.NamedNode(ID + "x"), pyoxigraph.NamedNode(NKG + "mentionedIn")
    for art in (ART1, ART2):
        disk.add(pyoxigraph.Quad(s, p, pyoxigraph.NamedNode(art), pyoxigraph.NamedNode(art)))
    disk.add(pyoxigraph.Quad(s, p, pyoxigraph.Literal("outside"), pyoxigraph.DefaultGraph()))
    disk.flush()
    del disk
    assert kg("push", "--store", location, "--endpoint", store.base + "/query")[0] == 2
    assert "--default-graph" in capsys.readouterr().err          # no build run to name that graph after
    assert kg("push", "--store", location, "--endpoint", store.base + "/query", "--default-graph",
              ID + "rest", "-q")[0] == 0
    assert sorted(store.graphs) == [ART1, ART2, ID + "rest"]


# --------------------------------------------------------------------------- SPARQL Update

def test_update_drops_then_inserts_in_batches(store, graph_file):
    status, out = kg("push", graph_file, "--endpoint", store.base + "/query", "--update", "--batch-size", "3")
    assert status == 0 and "SPARQL 1.1 Update" in out and f"{store.base}/update" in out
    inserted: dict[str, set] = {}
    current = None
    for text in store.updates:
        drop = re.fullmatch(r"DROP SILENT GRAPH <([^>]+)>", text)
        if drop:
            current = drop.group(1)
            assert current not in inserted, "each graph is dropped once, before its inserts"
            inserted[current] = set()
            continue
        match = re.fullmatch(r"INSERT DATA \{ GRAPH <([^>]+)> \{\n(.*)\} \}", text, re.S)
        assert match and match.group(1) == current
        batch = triples_of(match.group(2).encode("utf-8"))
        assert 1 <= len(batch) <= 3
        inserted[current] |= batch
    assert sorted(inserted) == [ART1, ART2, BUILD]
    assert set().union(*inserted.values()) == all_triples(graph_file)


def test_batches_keep_blank_nodes_together():
    b1, b2 = pyoxigraph.BlankNode("b1"), pyoxigraph.BlankNode("b2")
    p = pyoxigraph.NamedNode("http://e/p")
    triples = [pyoxigraph.Triple(pyoxigraph.NamedNode(f"http://e/{i}"), p, pyoxigraph.Literal(str(i)))
               for i in range(5)]
    triples += [pyoxigraph.Triple(b1, p, b2), pyoxigraph.Triple(b2, p, pyoxigraph.Literal("x")),
                pyoxigraph.Triple(pyoxigraph.NamedNode("http://e/a"), p, b1)]
    found = list(batches(triples, 2))
    assert sorted(map(str, sum(found, []))) == sorted(map(str, triples))
    holding = [i for i, batch in enumerate(found) if any(isinstance(t.subject, pyoxigraph.BlankNode) or
                                                         isinstance(t.object, pyoxigraph.BlankNode) for t in batch)]
    assert len(holding) == 1 and len(found[holding[0]]) == 3


# --------------------------------------------------------------------------- authentication

def test_basic_authentication_with_the_password_from_the_environment(graph_file, monkeypatch):
    monkeypatch.setenv("STORE_PASSWORD", "s3cret")
    with FakeStore(user="kg", password="s3cret") as secured:
        status, _ = kg("push", graph_file, "--endpoint", secured.base + "/query", "--user", "kg",
                       "--password-env", "STORE_PASSWORD", "-q")
        assert status == 0 and len(secured.graphs) == 3


def test_wrong_password_is_one_line(graph_file, monkeypatch, capsys):
    monkeypatch.setenv("STORE_PASSWORD", "wrong")
    with FakeStore(user="kg", password="s3cret") as secured:
        status, _ = kg("push", graph_file, "--endpoint", secured.base + "/query", "--user", "kg",
                       "--password-env", "STORE_PASSWORD")
    err = capsys.readouterr().err
    assert status == 2 and len(err.strip().splitlines()) == 1
    assert "HTTP 401" in err and "--password-env" in err and "Authentication required" in err
    assert "wrong" not in err


def test_credentials_are_needed_and_the_password_never_on_the_command_line(graph_file, monkeypatch, capsys):
    with FakeStore(user="kg", password="s3cret") as secured:
        assert kg("push", graph_file, "--endpoint", secured.base + "/query")[0] == 2
        assert "give --user NAME --password-env VAR" in capsys.readouterr().err
        monkeypatch.delenv("NO_SUCH_VAR", raising=False)
        assert kg("push", graph_file, "--endpoint", secured.base + "/query", "--user", "kg",
                  "--password-env", "NO_SUCH_VAR")[0] == 2
        assert "NO_SUCH_VAR is not set" in capsys.readouterr().err
        assert kg("push", graph_file, "--endpoint", secured.base + "/query", "--user", "kg")[0] == 2
        assert "together" in capsys.readouterr().err
        with pytest.raises(SystemExit):       # no such option, not even as an abbreviation of --password-env
            main(["push", str(graph_file), "--endpoint", secured.base + "/query", "--password", "s3cret"])
        assert "unrecognized arguments: --password" in capsys.readouterr().err
        assert secured.graphs == {}


# --------------------------------------------------------------------------- errors

def test_refused_connection(graph_file, capsys):
    port = free_port()                       # nothing listens there
    assert kg("push", graph_file, "--endpoint", f"http://127.0.0.1:{port}/query")[0] == 2
    err = capsys.readouterr().err
    assert err.startswith(f"kg: error: cannot connect to http://127.0.0.1:{port}: connection refused")
    assert len(err.strip().splitlines()) == 1


def test_server_error_shows_the_servers_message(store, graph_file, capsys):
    store.fail_with = (500, "text/html", "<html><head><title>Error</title></head><body><h3>Error 42000</h3>"
                       "<pre>SR325: Transaction aborted &amp; rolled back</pre></body></html>")
    assert kg("push", graph_file, "--endpoint", store.base + "/query")[0] == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"kg: error: PUT {store.base}/store: HTTP 500 Internal Server Error: "
                   "Error 42000 SR325: Transaction aborted & rolled back")


def test_forbidden(store, graph_file, capsys):
    store.fail_with = (403, "text/plain", "Permission denied for delete from DB.DBA.RDF_QUAD")
    assert kg("push", graph_file, "--endpoint", store.base + "/query", "--update")[0] == 2
    err = capsys.readouterr().err
    assert f"POST {store.base}/update: HTTP 403 Forbidden" in err and "Permission denied" in err


@pytest.mark.parametrize("args, message", [
    ([], "give a GRAPH file or --store DIR"),
    (["{graph}", "--store", "x"], "give a GRAPH file or --store DIR"),
    (["{graph}"], "--endpoint URL"),
    (["{graph}", "--endpoint", "http://127.0.0.1:1/query", "--update", "--graph-store", "http://x/store"],
     "takes no --graph-store"),
    (["{graph}", "--endpoint", "http://127.0.0.1:1/query", "--batch-size", "0"], "--batch-size"),
    (["missing.ttl", "--endpoint", "http://127.0.0.1:1/query"], "missing.ttl: no such file"),
    (["--store", "{tmp}/nothing", "--endpoint", "http://127.0.0.1:1/query"], "no such store directory"),
])
def test_usage_errors(graph_file, tmp_path, capsys, args, message):
    args = [a.format(graph=graph_file, tmp=tmp_path) for a in args]
    assert kg("push", *args)[0] == 2
    assert message in capsys.readouterr().err
