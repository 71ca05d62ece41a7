"""Whole corpora: every input format through kg build, engines that agree, skip-and-report."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph

from kg.cli import main
from kg.namespace import NKG, SCHEMA

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "mosul.txt"

ARTICLES = [
    "Sudan fighting spreads\n\nThe Rapid Support Forces clashed with the Sudanese army in Khartoum on Sunday.\n",
    "Sahel\n\nWagner fighters, backed by Russia, attacked JNIM militants near Gao.\n",
    "Donbas\n\nKramatorsk, between Sloviansk and Donetsk, was shelled. Russian-backed separatists denied it.\n",
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    (folder / "a.txt").write_text(ARTICLES[0], encoding="utf-8")
    (folder / "sub").mkdir()
    (folder / "sub" / "b.md").write_text("# Sahel\n\nWagner fighters, backed by **Russia**, attacked JNIM militants "
                                         "near Gao.\n", encoding="utf-8")
    (folder / "c.html").write_text(
        "<html><head><title>Donbas shelling</title><meta property='article:published_time' content='2022-05-02'>"
        "</head><body><nav>Menu | Login</nav><article><h1>Donbas shelling</h1><p>Kramatorsk, between Sloviansk and "
        "Donetsk, was shelled by Russian forces.</p><p>Russian-backed separatists attacked Ukrainian troops near "
        "Sloviansk.</p></article><footer>Subscribe now</footer></body></html>", encoding="utf-8")
    (folder / "d.jsonl").write_text("\n".join(json.dumps(r) for r in [
        {"id": "m1", "text": EXAMPLE.read_text(encoding="utf-8"), "date": "2016-10-30", "url": "https://example.org/m1"},
        {"id": "y1", "title": "Hodeida", "text": "Saudi-led coalition forces advanced on the Houthi-held port of Hodeida."},
    ]) + "\n", encoding="utf-8")
    return folder


def build(tmp_path: Path, *args) -> Graph:
    assert main(["build", *map(str, args), "-o", str(tmp_path), "-q"]) == 0
    return Graph().parse(tmp_path / "graph.ttl")


def test_every_format_in_one_build(corpus, tmp_path):
    graph = build(tmp_path, corpus)
    sources = {str(o) for o in graph.objects(None, NKG.sourcePath)}
    assert len(sources) == 5 and any(s.endswith("d.jsonl#m1") for s in sources)
    titles = {str(o) for o in graph.objects(None, __import__("rdflib").namespace.DCTERMS.title)}
    assert {"Donbas shelling", "Hodeida", "Sahel"} <= titles
    assert {str(d) for d in graph.objects(None, SCHEMA.datePublished)} >= {"2016-10-30", "2022-05-02"}
    assert (None, SCHEMA.url, None) in graph
    assert "Menu" not in (tmp_path / "graph.ttl").read_text(encoding="utf-8")


def test_stdin(tmp_path):
    result = subprocess.run([sys.executable, "-m", "kg", "build", "-", "-o", str(tmp_path), "-q"],
                            input=ARTICLES[1].encode(), capture_output=True)
    assert result.returncode == 0, result.stderr
    assert "<stdin>" in (tmp_path / "graph.ttl").read_text(encoding="utf-8")


def test_glob(corpus, tmp_path):
    graph = build(tmp_path, corpus / "**" / "*.md")
    assert len(set(graph.objects(None, NKG.sourcePath))) == 1


def nquads(tmp_path: Path, name: str, *options) -> bytes:
    out = tmp_path / name
    assert main(["build", str(EXAMPLE), *map(str, options), "-o", str(out), "-q"]) == 0
    assert main(["export", str(out / "graph.ttl"), "-f", "nq", "-o", str(out / "graph.nq")]) == 0
    return (out / "graph.nq").read_bytes()


def test_engines_give_identical_nquads(tmp_path, corpus):
    one = nquads(tmp_path, "one", corpus, "--jobs", "1")
    two = nquads(tmp_path, "two", corpus, "--jobs", "2")
    dask = nquads(tmp_path, "dask", corpus, "--engine", "dask", "--jobs", "2")
    assert one == two == dask
    assert len(one.splitlines()) > 200


def test_quiet_and_off_a_terminal_there_is_no_progress_output(tmp_path):
    result = subprocess.run([sys.executable, "-m", "kg", "build", str(EXAMPLE), "-o", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 0 and result.stderr == ""


def test_options_are_checked(tmp_path, capsys):
    assert main(["build", str(EXAMPLE), "-o", str(tmp_path), "--jobs", "0"]) == 2
    assert main(["build", str(EXAMPLE)]) == 2
    assert main(["build", str(EXAMPLE), "-o", str(tmp_path), "--scheduler", "tcp://127.0.0.1:1"]) == 2
    err = capsys.readouterr().err
    assert "--jobs must be at least 1" in err and "give -o OUTDIR" in err and "--scheduler needs --engine dask" in err


def test_backing_reported_in_a_year(tmp_path, capsys):
    (tmp_path / "a.jsonl").write_text("\n".join(json.dumps(r) for r in [
        {"id": "2016", "date": "2016-10-30", "text": "The Iranian-backed Houthis attacked Marib."},
        {"id": "2018", "date": "2018-06-05", "text": "Russian-backed separatists attacked Mariupol."},
    ]) + "\n", encoding="utf-8")
    assert main(["build", str(tmp_path / "a.jsonl"), "-o", str(tmp_path / "o"), "-q"]) == 0
    capsys.readouterr()
    assert main(["query", str(tmp_path / "o" / "graph.ttl"), "--file",
                 str(ROOT / "examples" / "queries" / "backing-reported-in-year.rq"), "--format", "csv"]) == 0
    rows = capsys.readouterr().out.strip().splitlines()
    assert rows == ["backed,backer,date", "Houthis,Iran,2016-10-30"]


def test_worker_processes_keep_the_input_order_and_give_the_same_extractions():
    from kg.extract import extract, extract_in_processes
    from kg.read import make_article

    articles = [make_article(f"a{i}.txt", text) for i, text in enumerate(ARTICLES * 2)]
    alone = list(extract(articles, jobs=1))
    spread = list(extract_in_processes(articles, jobs=2, batch_size=1))   # one article a task: all interleave
    assert [a.path for a, _ in spread] == [a.path for a in articles]
    assert [found for _, found in spread] == [found for _, found in alone]
    assert any(found.relations for _, found in spread)


def test_a_failing_worker_gives_a_clear_error():
    from kg.errors import KgError
    from kg.extract import extract
    from kg.read import make_article

    with pytest.raises(KgError, match="spaCy model no_such_model is not installed"):
        list(extract([make_article("a.txt", ARTICLES[0])], model="no_such_model", jobs=2))


def test_the_kg_command_tunes_its_own_collector_and_a_guest_call_leaves_it_alone(tmp_path):
    """`kg build` as its own process freezes the loaded model out of the collector's passes and makes young
    passes rarer (kg.extract.settle_collector); kg.cli.main(argv) in somebody else's process changes nothing."""
    import gc

    from kg.extract import YOUNG_PASS_EVERY

    article = tmp_path / "a.txt"
    article.write_text(ARTICLES[0], encoding="utf-8")
    probe = ("import atexit, gc, sys\n"
             "atexit.register(lambda: print(gc.get_freeze_count(), gc.get_threshold()[0], file=sys.stderr))\n"
             "from kg.cli import main\n"
             f"sys.argv = ['kg', 'build', {str(article)!r}, '-o', {str(tmp_path / 'out')!r}, '-q']\n"
             "sys.exit(main())\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    frozen, young = map(int, done.stderr.split()[-2:])
    assert frozen > 10_000 and young == YOUNG_PASS_EVERY

    before = gc.get_freeze_count(), gc.get_threshold()
    assert main(["build", str(article), "-o", str(tmp_path / "guest"), "-q"]) == 0
    assert (gc.get_freeze_count(), gc.get_threshold()) == before
