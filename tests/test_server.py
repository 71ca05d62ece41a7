"""`kg serve`: the SPARQL 1.1 Protocol endpoint, started on a free loopback port and spoken to over HTTP."""
from __future__ import annotations

import csv
import io
import json
import os
import select
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rdflib import Graph

from kg.cli import main
from kg.server import SparqlServer, inspect_query, negotiate

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "mosul.txt"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"   # ~10^10 rows
TIMEOUT = 1.5


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("served") / "store"
    assert main(["build", str(EXAMPLE), "--store", str(directory), "-q"]) == 0
    return directory


@pytest.fixture(scope="module")
def endpoint(store_dir):
    """`kg serve` in a subprocess on a free port (--port 0); its URL from its first line."""
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--store", str(store_dir), "--port", "0",
                             "--timeout", str(TIMEOUT), "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT)
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        assert ready, "kg serve did not start in 60 s"
        line = proc.stdout.readline()
        assert " at http://127.0.0.1:" in line, line + proc.stderr.read()
        url = line[line.index("http://"):].split()[0]
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def http(url: str, query: str | None = None, *, accept: str | None = None, data: bytes | None = None,
         content_type: str | None = None, method: str | None = None, params: dict | None = None):
    """(status, content type, body) of one request; errors are answers too."""
    fields = dict(params or {})
    if query is not None:
        fields["query"] = query
    if fields:
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode(fields)
    request = urllib.request.Request(url, data=data, method=method)
    if accept:
        request.add_header("Accept", accept)
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type", ""), err.read().decode("utf-8")


def count(endpoint: str) -> int:
    status, _, body = http(endpoint, COUNT)
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


# ------------------------------------------------------------------ queries and formats

def test_select_in_each_result_format(endpoint):
    n = count(endpoint)
    assert n > 100
    status, media, body = http(endpoint, COUNT, accept="application/sparql-results+json")
    assert status == 200 and media.startswith("application/sparql-results+json")
    assert json.loads(body)["head"]["vars"] == ["n"]
    status, media, body = http(endpoint, COUNT, accept="application/sparql-results+xml")
    assert status == 200 and media.startswith("application/sparql-results+xml")
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    assert ET.fromstring(body).find(".//r:binding[@name='n']/r:literal", ns).text == str(n)
    status, media, body = http(endpoint, COUNT, accept="text/csv")
    assert status == 200 and media.startswith("text/csv")
    assert list(csv.reader(io.StringIO(body))) == [["n"], [str(n)]]
    status, media, body = http(endpoint, COUNT, accept="text/tab-separated-values")
    assert status == 200 and media.startswith("text/tab-separated-values")
    assert body.splitlines() == ["?n", str(n)]
    # q-values: the client's preference wins
    status, media, _ = http(endpoint, COUNT, accept="text/csv;q=0.5, application/sparql-results+xml")
    assert media.startswith("application/sparql-results+xml")


def test_example_query_over_http(endpoint):
    query = (ROOT / "examples" / "queries" / "spokesmen.rq").read_text(encoding="utf-8")
    status, _, body = http(endpoint, query)
    assert status == 200
    rows = json.loads(body)["results"]["bindings"]
    assert {r["spokesman"]["value"] for r in rows} >= {"Ahmed al-Assadi"}


def test_ask_by_get_and_post(endpoint):
    status, media, body = http(endpoint, "ASK { ?s a <https://w3id.org/newskg/ontology#Person> }")
    assert status == 200 and json.loads(body) == {"head": {}, "boolean": True}
    form = urllib.parse.urlencode({"query": "ASK { ?s a <https://w3id.org/newskg/ontology#Nothing> }"}).encode()
    status, _, body = http(endpoint, data=form, content_type="application/x-www-form-urlencoded")
    assert status == 200 and json.loads(body)["boolean"] is False
    status, _, body = http(endpoint, data=b"ASK { ?s ?p ?o }", content_type="application/sparql-query")
    assert status == 200 and json.loads(body)["boolean"] is True


def test_construct_as_turtle_and_ntriples(endpoint):
    query = ("CONSTRUCT { ?e <http://www.w3.org/2000/01/rdf-schema#label> ?l } WHERE { "
             "?e a <https://w3id.org/newskg/ontology#Person> ; <http://www.w3.org/2000/01/rdf-schema#label> ?l }")
    status, media, body = http(endpoint, query)
    assert status == 200 and media.startswith("text/turtle")
    turtle = Graph().parse(data=body, format="turtle")
    assert len(turtle) >= 2
    status, media, body = http(endpoint, query, accept="application/n-triples")
    assert status == 200 and media.startswith("application/n-triples")
    assert set(Graph().parse(data=body, format="nt")) == set(turtle)
    status, media, body = http(endpoint, "DESCRIBE <https://w3id.org/newskg/id/Iran>", accept="text/turtle")
    assert status == 200 and "Iran" in body


def test_named_graphs_and_default_graph_uri(endpoint):
    status, _, body = http(endpoint, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    graphs = [r["g"]["value"] for r in json.loads(body)["results"]["bindings"]]
    assert len(graphs) == 1 and "/article-" in graphs[0]
    status, _, body = http(endpoint, COUNT, params={"default-graph-uri": graphs[0]})
    assert status == 200 and 0 < int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) <= count(endpoint)


# ------------------------------------------------------------------ refusals

@pytest.mark.parametrize("how", ["update-form", "update-body", "update-get", "query-is-update", "load", "service",
                                 "service-lowercase", "put"])
def test_updates_load_and_service_are_refused(endpoint, how):
    before = count(endpoint)
    insert = "INSERT DATA { <https://example.org/a> <https://example.org/b> <https://example.org/c> }"
    update_url = endpoint.replace("/query", "/update")
    if how == "update-form":
        answer = http(update_url, data=urllib.parse.urlencode({"update": insert}).encode(),
                      content_type="application/x-www-form-urlencoded")
    elif how == "update-body":
        answer = http(update_url, data=insert.encode(), content_type="application/sparql-update")
    elif how == "update-get":
        answer = http(endpoint, params={"update": insert})
    elif how == "query-is-update":
        answer = http(endpoint, "PREFIX ex: <https://example.org/>\n" + insert)
    elif how == "load":
        answer = http(update_url, data=b"LOAD <http://127.0.0.1:9/data.ttl>", content_type="application/sparql-update")
    elif how == "service":
        answer = http(endpoint, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    elif how == "service-lowercase":
        answer = http(endpoint, "select * where { ?x ?y ?z .service silent <http://127.0.0.1:9/s> { ?s ?p ?o } }")
    else:
        answer = http(endpoint.replace("/query", "/store") + "?default", data=b"<a:a> <a:b> <a:c> .",
                      content_type="application/n-triples", method="PUT")
    status, media, body = answer
    assert status == 403 and media.startswith("text/plain")
    assert ("read-only" in body) or ("SERVICE" in body)
    if how == "load":
        assert body.startswith("LOAD is refused")
    assert count(endpoint) == before


def test_a_query_past_the_time_limit_is_stopped(endpoint):
    started = time.monotonic()
    status, _, body = http(endpoint, SLOW)
    took = time.monotonic() - started
    assert status == 503 and "time limit" in body
    assert TIMEOUT <= took < TIMEOUT + 5
    assert count(endpoint) > 100        # a fresh worker answers the next query


def test_unacceptable_accept_header_is_406(endpoint):
    status, media, body = http(endpoint, COUNT, accept="text/html")
    assert status == 406 and "application/sparql-results+json" in body
    status, _, body = http(endpoint, "CONSTRUCT WHERE { ?s ?p ?o }", accept="application/sparql-results+json")
    assert status == 406 and "text/turtle" in body
    status, _, _ = http(endpoint, COUNT, accept="text/csv;q=0, image/png")
    assert status == 406


def test_bad_requests(endpoint):
    assert http(endpoint, "SELEC")[0] == 400
    assert "malformed" in http(endpoint, "SELECT * WHERE { ?s ?p }")[2]
    assert http(endpoint)[0] == 400                                    # no query
    assert http(endpoint.replace("/query", "/nowhere"), COUNT)[0] == 404
    assert http(endpoint, data=b"x=1", content_type="text/plain")[0] == 415
    status, media, body = http(endpoint.replace("/query", "/"))
    assert status == 200 and "read-only" in body


def test_concurrent_queries(endpoint):
    results = []

    def ask():
        results.append(http(endpoint, COUNT)[0])

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200] * 6


def test_a_served_store_cannot_be_written(endpoint, store_dir, capsys):
    assert main(["build", str(EXAMPLE), "--store", str(store_dir), "-q"]) == 2
    assert "in use by another process" in capsys.readouterr().err


# ------------------------------------------------------------------ in-process, options and errors

def test_in_process_server_binds_loopback_by_default(store_dir):
    with SparqlServer(store_dir, port=0, timeout=5, workers=1, quiet=True).start() as server:
        assert server.server_address[0] == "127.0.0.1"
        assert server.url.startswith("http://127.0.0.1:")
        assert count(server.url) > 100
        pids = [w.proc.pid for w in server.pool.all]
    for pid in pids:   # the workers stop with the server
        with pytest.raises(ProcessLookupError):
            for _ in range(50):
                os.kill(pid, 0)
                time.sleep(0.1)


def test_serve_errors(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    assert main(["serve", "--store", str(tmp_path), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kg: error: ") and "not an Oxigraph store" in err and err.count("\n") == 1
    assert main(["serve", "--store", str(tmp_path / "missing"), "--port", "0"]) == 2
    assert "no such store" in capsys.readouterr().err
    assert main(["serve", "--store", str(tmp_path), "--port", "70000"]) == 2


def test_port_in_use(store_dir, capsys):
    with SparqlServer(store_dir, port=0, timeout=5, workers=1, quiet=True) as first:
        port = first.server_address[1]
        assert main(["serve", "--store", str(store_dir), "--port", str(port)]) == 2
        assert "cannot listen" in capsys.readouterr().err


# ------------------------------------------------------------------ the pieces

@pytest.mark.parametrize("text, form, refused", [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT", False),
    ("PREFIX ex: <http://x/> BASE <http://y/> ask { ex:a ?p ?o }", "ASK", False),
    ("# SERVICE in a comment\nCONSTRUCT WHERE { ?s ?p 'SERVICE <x>' }", "CONSTRUCT", False),
    ("SELECT ?service WHERE { ?service <http://x/SERVICE> ex:SERVICE . ?s ?p \"LOAD\"@service }", "SELECT", False),
    ("SELECT * WHERE { ?s ?p ?o.SERVICE <http://x/> { ?a ?b ?c } }", None, True),
    ("SELECT * WHERE { SERVICE?x { ?a ?b ?c } }", None, True),
    ("SELECT * WHERE { \\u0053ERVICE <http://x/> { ?a ?b ?c } }", None, True),
    ("prefix a: <x:> delete where { ?s ?p ?o }", None, True),
    ("LOAD <http://x/>", None, True),
    ("DESCRIBE <http://x/>", "DESCRIBE", False),
])
def test_inspect_query(text, form, refused):
    found, refusal = inspect_query(text)
    assert (refusal is not None) == refused
    if not refused:
        assert found == form


def test_negotiate():
    assert negotiate(None, "results")[0] == "application/sparql-results+json"
    assert negotiate("*/*", "graph")[0] == "text/turtle"
    assert negotiate("application/n-triples, text/turtle;q=0.9", "graph")[0] == "application/n-triples"
    assert negotiate("text/*", "results")[0] == "text/csv"
    assert negotiate("text/html", "results")[0] is None
    assert negotiate("application/sparql-results+xml;q=0.1, */*;q=0.5", "results")[0] == \
        "application/sparql-results+json"


def test_the_endpoint_knows_the_usual_prefixes(endpoint):
    from kg.server import PREFIXES
    from kg.store import QUERY_PREFIXES
    assert PREFIXES == QUERY_PREFIXES
    status, _, body = http(endpoint, "ASK { ?p nkg:spokesmanOf ?g ; rdfs:label ?name }")
    assert status == 200 and json.loads(body)["boolean"] is True
