"""The `kg` commands end to end on the example article, and their errors on bad input."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Dataset, Graph

from kg.cli import main
from kg.namespace import NKG, RELATION_PREDICATES

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "mosul.txt"
QUERIES = ROOT / "examples" / "queries"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("built")
    assert main(["build", str(EXAMPLE), "-o", str(out), "-q"]) == 0
    return out


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ------------------------------------------------------------------ build

def test_build_writes_graph_and_view(built):
    graph = Graph().parse(built / "graph.ttl", format="turtle")
    store = pyoxigraph.Store()
    store.bulk_load(path=str(built / "graph.ttl"), format=pyoxigraph.RdfFormat.TURTLE)
    assert len(store) == len(graph) > 100
    html = (built / "graph.html").read_text(encoding="utf-8")
    assert "<html" in html.lower() and "Shiite militias" in html
    assert not list(built.glob(".*.tmp"))


def test_build_finds_all_four_relations_with_provenance(built):
    graph = Graph().parse(built / "graph.ttl", format="turtle")
    for name, predicate in RELATION_PREDICATES.items():
        triples = list(graph.triples((None, predicate, None)))
        assert triples, f"no {name} relation in the example graph"
    answer = graph.query("""
        PREFIX nkg: <https://w3id.org/newskg/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        ASK { ?x nkg:backedBy ?y .
              ?st rdf:subject ?x ; rdf:predicate nkg:backedBy ; rdf:object ?y ;
                  prov:wasDerivedFrom ?a ; nkg:evidence ?e ; nkg:charStart ?s ; nkg:charEnd ?t ;
                  nkg:confidence ?c ; nkg:pattern ?p . }""")
    assert answer.askAnswer


def test_build_prints_summary(tmp_path, capsys):
    code, out, _ = run(capsys, "build", EXAMPLE, "-o", tmp_path)
    assert code == 0
    assert "documents: 1" in out
    assert "entities:" in out and "Person" in out and "ArmedGroup" in out
    assert "relations:" in out and "spokesmanOf 2" in out
    assert "seconds:" in out


def test_build_explain_shows_pattern_and_evidence(tmp_path, capsys):
    code, out, _ = run(capsys, "build", EXAMPLE, "-o", tmp_path, "--explain", "-q")
    assert code == 0
    assert "Ahmed al-Assadi --spokesmanOf--> Popular Mobilization Forces" in out
    assert "spokesmanOf/x-a-spokesman-for-y" in out
    assert "Ahmed al-Assadi, a spokesman for the group" in out


def test_build_is_deterministic(built, tmp_path):
    assert main(["build", str(EXAMPLE), "-o", str(tmp_path), "-q"]) == 0
    assert (tmp_path / "graph.ttl").read_bytes() == (built / "graph.ttl").read_bytes()
    assert (tmp_path / "graph.html").read_bytes() == (built / "graph.html").read_bytes()


def test_build_accepts_directories(tmp_path, capsys):
    corpus = tmp_path / "corpus" / "nested"
    corpus.mkdir(parents=True)
    (corpus / "a.txt").write_text("Turkish-backed rebels attacked Kurdish fighters near Afrin.\n", encoding="utf-8")
    (corpus / "b.txt").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    (corpus / "ignored.bin").write_bytes(b"\x00\x01")
    code, out, _ = run(capsys, "build", tmp_path / "corpus", "-o", tmp_path / "out")
    assert code == 0 and "documents: 2" in out


def test_validate_conforms(built, capsys):
    code, out, _ = run(capsys, "validate", built / "graph.ttl")
    assert code == 0 and "conforms" in out


def test_validate_reports_a_broken_graph(built, tmp_path, capsys):
    broken = tmp_path / "broken.ttl"
    broken.write_text((built / "graph.ttl").read_text(encoding="utf-8") +
                      "\n<https://w3id.org/newskg/id/X> a <https://w3id.org/newskg/ontology#Person> .\n",
                      encoding="utf-8")
    code, out, _ = run(capsys, "validate", broken)
    assert code == 1
    assert "Conforms: False" in out and "exactly one rdfs:label" in out


# ------------------------------------------------------------------ query

def query_json(capsys, graph: Path, rq: str) -> list[dict]:
    code, out, err = run(capsys, "query", graph, "--file", QUERIES / rq, "--format", "json")
    assert code == 0, err
    return [{k: v["value"] for k, v in row.items()} for row in json.loads(out)["results"]["bindings"]]


def test_example_queries_exist():
    assert len(list(QUERIES.glob("*.rq"))) >= 5


def test_query_who_backs_whom(built, capsys):
    rows = query_json(capsys, built / "graph.ttl", "who-backs-whom.rq")
    pairs = {(r["backed"], r["backer"]) for r in rows}
    assert ("Shiite militias", "Iran") in pairs and ("Shiite militias", "Iraq") in pairs
    assert all(0 < float(r["confidence"]) <= 1 for r in rows)


def test_query_spokesmen(built, capsys):
    rows = query_json(capsys, built / "graph.ttl", "spokesmen.rq")
    # groups are named by their gazetteer label; the article's own names stay as aliases
    assert {(r["spokesman"], r["speaksFor"]) for r in rows} == {
        ("Ahmed al-Assadi", "Popular Mobilization Forces"), ("Jaafar al-Husseini", "Kataib Hezbollah")}
    aliases = " | ".join(r["groupAliases"] for r in rows)
    assert "Popular Mobilization Units" in aliases and "Hezbollah Brigades" in aliases


def test_query_near_place(built, capsys):
    rows = query_json(capsys, built / "graph.ttl", "near-place.rq")
    assert {r["near"] for r in rows} >= {"Ayn Nasir", "Shura", "Tal Afar"}


def test_query_who_fights_whom_with_evidence(built, capsys):
    rows = query_json(capsys, built / "graph.ttl", "who-fights-whom.rq")
    sides = {frozenset((r["side"], r["otherSide"])) for r in rows}
    assert frozenset(("Shiite militias", "Islamic State")) in sides
    assert all(r["evidence"] and r["article"] for r in rows)


def test_query_entities_by_type(built, capsys):
    rows = query_json(capsys, built / "graph.ttl", "entities-by-type.rq")
    by_name = {r["name"]: r for r in rows}
    assert by_name["Islamic State"]["type"] == "ArmedGroup" and "IS" in by_name["Islamic State"]["aliases"]
    assert by_name["Ahmed al-Assadi"]["type"] == "Person"


def test_query_denied_statements_runs(built, capsys):
    assert query_json(capsys, built / "graph.ttl", "denied-statements.rq") == []


@pytest.mark.parametrize("fmt,marker", [("table", "(3 rows)"), ("csv", "place,near"), ("tsv", "?place\t?near"),
                                        ("json", '"bindings"')])
def test_query_formats(built, capsys, fmt, marker):
    code, out, _ = run(capsys, "query", built / "graph.ttl", "--file", QUERIES / "near-place.rq", "--format", fmt)
    assert code == 0 and marker in out and "Tal Afar" in out


def test_query_ask_and_construct(built, capsys):
    code, out, _ = run(capsys, "query", built / "graph.ttl",
                       "ASK { ?s <https://w3id.org/newskg/ontology#spokesmanOf> ?o }")
    assert (code, out.strip()) == (0, "true")
    code, out, _ = run(capsys, "query", built / "graph.ttl",
                       "CONSTRUCT { ?s <https://w3id.org/newskg/ontology#backs> ?o } "
                       "WHERE { ?o <https://w3id.org/newskg/ontology#backedBy> ?s }")
    assert code == 0
    constructed = Graph().parse(data=out, format="turtle")
    assert len(constructed) >= 4 and (None, NKG.backs, None) in constructed


# ------------------------------------------------------------------ export and view

@pytest.mark.parametrize("fmt,rdflib_format,ox_format", [
    ("ttl", "turtle", pyoxigraph.RdfFormat.TURTLE), ("nt", "nt", pyoxigraph.RdfFormat.N_TRIPLES),
    ("nq", "nquads", pyoxigraph.RdfFormat.N_QUADS), ("trig", "trig", pyoxigraph.RdfFormat.TRIG),
    ("jsonld", "json-ld", None), ("xml", "xml", pyoxigraph.RdfFormat.RDF_XML)])
def test_export_every_syntax_reparses(built, tmp_path, fmt, rdflib_format, ox_format):
    target = tmp_path / f"graph.{fmt}"
    assert main(["export", str(built / "graph.ttl"), "-f", fmt, "-o", str(target)]) == 0
    original = Graph().parse(built / "graph.ttl", format="turtle")
    if fmt in ("nq", "trig"):
        dataset = Dataset()
        dataset.parse(target, format=rdflib_format)
        triples = {(s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None))}
    else:
        triples = set(Graph().parse(target, format=rdflib_format))
    assert triples == set(original)
    if ox_format is not None:
        assert len(list(pyoxigraph.parse(path=str(target), format=ox_format))) >= len(original)


def test_export_named_graph_per_article(built, tmp_path):
    target = tmp_path / "graph.nq"
    assert main(["export", str(built / "graph.ttl"), "-f", "nq", "-o", str(target)]) == 0
    quads = list(pyoxigraph.parse(path=str(target), format=pyoxigraph.RdfFormat.N_QUADS))
    graphs = {q.graph_name.value for q in quads if not isinstance(q.graph_name, pyoxigraph.DefaultGraph)}
    articles = {str(a) for a in Graph().parse(built / "graph.ttl").subjects(None, NKG.Article)}
    assert graphs == articles and len(graphs) == 1
    in_article = [q for q in quads if not isinstance(q.graph_name, pyoxigraph.DefaultGraph)]
    assert any(q.predicate.value == str(NKG.backedBy) for q in in_article)


def test_export_to_stdout(built, capsysbinary):
    assert main(["export", str(built / "graph.ttl"), "-f", "nt"]) == 0
    out = capsysbinary.readouterr().out
    assert out.count(b"\n") == len(Graph().parse(built / "graph.ttl"))


def test_view_command_writes_offline_page(built, tmp_path, capsys):
    code, _, _ = run(capsys, "view", built / "graph.ttl", "-o", tmp_path / "v.html")
    html = (tmp_path / "v.html").read_text(encoding="utf-8")
    assert code == 0 and "Hezbollah Brigades" in html
    assert 'src="http' not in html and "href=\"http" not in html


# ------------------------------------------------------------------ bad input

def error_of(capsys, *argv) -> str:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    return err


def test_missing_path(tmp_path, capsys):
    err = error_of(capsys, "build", tmp_path / "nope.txt", "-o", tmp_path / "out")
    assert "nope.txt" in err and "no such file" in err
    assert not (tmp_path / "out").exists()


def test_empty_file(tmp_path, capsys):
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    assert "empty file" in error_of(capsys, "build", tmp_path / "empty.txt", "-o", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_directory_without_text(tmp_path, capsys):
    (tmp_path / "d").mkdir()
    assert "holds no .txt" in error_of(capsys, "build", tmp_path / "d", "-o", tmp_path / "out")


def test_binary_file(tmp_path, capsys):
    (tmp_path / "b.txt").write_bytes(b"\x89PNG\x00\x00\x01")
    assert "binary" in error_of(capsys, "build", tmp_path / "b.txt", "-o", tmp_path / "out")


def test_not_utf8(tmp_path, capsys):
    (tmp_path / "latin.txt").write_bytes("Caf\xe9 in Mosul".encode("latin-1"))
    assert "not UTF-8" in error_of(capsys, "build", tmp_path / "latin.txt", "-o", tmp_path / "out")


def test_only_bad_input_leaves_earlier_output_untouched(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "graph.ttl").write_text("# previous\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "bin.txt").write_bytes(b"\x00")
    assert "nothing to build" in error_of(capsys, "build", tmp_path / "empty.txt", tmp_path / "bin.txt", "-o", out)
    assert (out / "graph.ttl").read_text(encoding="utf-8") == "# previous\n"


def test_bad_files_are_skipped_and_reported_the_rest_built(tmp_path, capsys):
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "latin.txt").write_bytes("Caf\xe9".encode("latin-1"))
    code, out, err = run(capsys, "build", EXAMPLE, tmp_path / "empty.txt", tmp_path / "latin.txt", "-o", tmp_path / "o")
    assert code == 1
    assert err.splitlines() == [f"kg: skipped {(tmp_path / 'empty.txt').as_posix()}: empty file",
                                f"kg: skipped {(tmp_path / 'latin.txt').as_posix()}: not UTF-8 text (invalid byte at offset 3)"]
    assert "documents: 1; skipped: 2" in out
    assert (tmp_path / "o" / "graph.ttl").exists()


@pytest.mark.parametrize("command", ["query", "export", "view", "validate"])
def test_unparsable_graph(tmp_path, capsys, command):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> \"unterminated .\n", encoding="utf-8")
    extra = {"query": ["SELECT * WHERE { ?s ?p ?o }"], "export": ["-f", "nt"], "view": ["-o", tmp_path / "v.html"],
             "validate": []}[command]
    assert "bad.ttl" in error_of(capsys, command, bad, *extra)
    assert not (tmp_path / "v.html").exists()


def test_malformed_sparql(built, capsys):
    assert "malformed SPARQL" in error_of(capsys, "query", built / "graph.ttl", "SELEKT ?x WHERE {")


def test_missing_query_file(built, tmp_path, capsys):
    assert "q.rq" in error_of(capsys, "query", built / "graph.ttl", "--file", tmp_path / "q.rq")


# ------------------------------------------------------------------ entry points

@pytest.mark.parametrize("command", ["build", "query", "export", "view", "validate"])
def test_every_command_has_help(command):
    result = subprocess.run([sys.executable, "-m", "kg", command, "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "usage: kg " + command in result.stdout


# ------------------------------------------------------------------ claims queries

@pytest.fixture(scope="module")
def claims_graph(tmp_path_factory):
    out = tmp_path_factory.mktemp("claims")
    article = out / "claims.txt"
    article.write_text(
        "Ansar Allah under pressure\n\n"
        "Jaafar al-Husseini, a spokesman for the Hezbollah Brigades, spoke in Baghdad. He said Iran backs the Houthis.\n\n"
        "Sudan accused the United Arab Emirates of arming the Rapid Support Forces.\n\n"
        "Russia arms the Tatmadaw.\n", encoding="utf-8")
    assert main(["build", str(article), "-o", str(out), "-q"]) == 0
    return out / "graph.ttl"


def test_query_claims_by_source(claims_graph, capsys):
    rows = query_json(capsys, claims_graph, "claims-by-source.rq")
    claims = {(r["source"], r["subject"], r["object"], r["modality"]) for r in rows}
    assert ("Kataib Hezbollah", "Houthis", "Iran", "reported") in claims      # the spokesman's organisation
    assert ("Jaafar al-Husseini", "Houthis", "Iran", "reported") in claims
    assert ("Sudan", "Rapid Support Forces", "United Arab Emirates", "alleged") in claims


def test_query_own_voice(claims_graph, capsys):
    rows = query_json(capsys, claims_graph, "own-voice.rq")
    stated = {(r["subject"], r["relation"], r["object"]) for r in rows}
    assert ("Tatmadaw", "backedBy", "Russia") in stated
    assert ("Houthis", "backedBy", "Iran") not in stated


def test_query_backing_claimed_by_one_side(claims_graph, capsys):
    rows = query_json(capsys, claims_graph, "backing-claimed-by-one-side.rq")
    pairs = {(r["backed"], r["backer"]) for r in rows}
    assert ("Houthis", "Iran") in pairs and ("Rapid Support Forces", "United Arab Emirates") in pairs
    assert ("Tatmadaw", "Russia") not in pairs
