#!/usr/bin/env python3
"""The persistent store against rdflib's in-memory graph, on a synthetic graph shaped like ours.

    .venv/bin/python bench/store_bench.py [--triples 1000000] [--runs 5] [--rdflib-runs 1] [--write]

Synthetic articles (entities of every class from a Zipf-shaped pool, so the common ones recur in
many articles; the four relations with negated, reported and claimed ones; aliases) go through the
real RDF mapping (kg.rdf.article_triples) until the merged graph holds --triples triples. Then:

- load: the store built as `kg build --store` builds it (KgStore.replace_article per article, one
  transaction each); the merged graph as N-Triples parsed by rdflib; the same file bulk-loaded into
  an in-memory Oxigraph store (what `kg query FILE` does);
- size: the store directory on disk, and the N-Triples file for scale;
- latency of each examples/queries/*.rq, all rows read: the store (median of --runs after a warm-up),
  the in-memory Oxigraph store (same), rdflib's Graph.query (best of --rdflib-runs); the bar is the
  store >= 20x faster than rdflib on each query and no store query over 1 s.

--write replaces the "## Store" section of bench/RESULTS.md with the figures (other sections are
left as they are). Not a test: timings depend on the machine and what else runs on it.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import select
import signal
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pyoxigraph  # noqa: E402
import rdflib  # noqa: E402
from rdflib import RDF, RDFS, Literal  # noqa: E402

from kg import __version__  # noqa: E402
from kg.extract import Extraction  # noqa: E402
from kg.namespace import NKG, PROV  # noqa: E402
from kg.rdf import article_iri, article_triples, build_iri  # noqa: E402
from kg.read import make_article  # noqa: E402
from kg.store import load_oxigraph, open_store  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
QUERIES = sorted((ROOT / "examples" / "queries").glob("*.rq"))
BAR_SPEEDUP, BAR_SECONDS = 20.0, 1.0

# the recurring cast: (label, class, Wikidata id, aliases)
CORE = [
    ("Islamic State", "ArmedGroup", "Q2429253", ["IS", "ISIS", "ISIL", "Daesh"]),
    ("Iraq", "Country", "Q796", []), ("Iran", "Country", "Q794", ["Islamic Republic"]),
    ("Syria", "Country", "Q858", []), ("Turkey", "Country", "Q43", []), ("United States", "Country", "Q30", ["US"]),
    ("Russia", "Country", "Q159", []), ("Yemen", "Country", "Q805", []), ("Saudi Arabia", "Country", "Q851", []),
    ("Somalia", "Country", "Q1045", []), ("Ukraine", "Country", "Q212", []),
    ("Mosul", "Location", "Q83536", []), ("Tal Afar", "Location", None, []), ("Raqqa", "Location", None, []),
    ("Aleppo", "Location", None, []), ("Hodeida", "Location", None, ["Hudaydah"]), ("Donetsk", "Location", None, []),
    ("Mogadishu", "Location", None, []), ("Shura", "Location", None, []), ("Ayn Nasir", "Location", None, []),
    ("Popular Mobilization Units", "ArmedGroup", None, ["PMU", "Hashd al-Shaabi", "umbrella group"]),
    ("Peshmerga", "ArmedGroup", None, ["Kurdish forces"]), ("Shiite militias", "ArmedGroup", None, []),
    ("Iraqi forces", "ArmedGroup", None, ["Iraqi troops"]), ("Houthis", "ArmedGroup", None, ["Ansar Allah"]),
    ("al-Shabab", "ArmedGroup", None, ["al-Shabaab"]), ("Kataib Hezbollah", "ArmedGroup", None, ["Hezbollah Brigades"]),
    ("Syrian Democratic Forces", "ArmedGroup", None, ["SDF"]), ("African Union", "Organization", None, ["AU"]),
    ("United Nations", "Organization", None, ["UN"]), ("Red Cross", "Organization", None, ["ICRC"]),
]
SYLLABLES = ["al", "ba", "dar", "el", "fa", "ha", "ir", "ka", "lu", "ma", "na", "qa", "ra", "sa", "ta", "za",
             "mos", "kir", "bag", "hom", "sul", "tik", "ram", "dei", "bur", "jaz", "wad", "sur"]
GROUP_WORDS = ["Brigades", "Front", "Movement", "Army", "Battalion", "Forces", "Guard", "Militia"]
MODALITIES = ["asserted"] * 7 + ["reported"] * 2 + ["alleged"]
PATTERNS = {"backedBy": ["x-backed-y", "y-backed-by-x", "x-supported-by-y"],
            "fighting": ["x-fights-y", "x-battle-y", "x-clash-with-y"],
            "locatedNear": ["x-near-y", "x-outside-y"],
            "spokesmanOf": ["x-a-spokesman-for-y", "x-spokesman-of-y"]}
SENTENCE = {"backedBy": "{s} are backed by {o}, officials said on Sunday.",
            "fighting": "{s} fought {o} yesterday in heavy clashes.",
            "locatedNear": "{s} lies near {o}, residents said.",
            "spokesmanOf": "{s}, a spokesman for {o}, said the offensive went on."}


def _name(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


class Cast:
    """Who the synthetic news is about: a Zipf-weighted core of recurring actors and places, and a long tail."""

    def __init__(self, seed: int = 7, core_size: int = 400, tail_size: int = 40000):
        rng = random.Random(seed)
        self.core = [dict(label=label, type=cls, qid=qid, aliases=list(aliases)) for label, cls, qid, aliases in CORE]
        classes = ["ArmedGroup"] * 4 + ["Location"] * 3 + ["Organization", "Country"]
        seen = {e["label"] for e in self.core}
        while len(self.core) < core_size:
            cls = rng.choice(classes)
            label = (f"{_name(rng, 2)} {rng.choice(GROUP_WORDS)}" if cls == "ArmedGroup" else
                     f"{_name(rng, 2)} Council" if cls == "Organization" else _name(rng, rng.randint(2, 3)))
            if label not in seen:
                seen.add(label)
                acronym = "".join(w[0] for w in label.split()).upper()
                aliases = [acronym] if cls in ("ArmedGroup", "Organization") else []
                self.core.append(dict(label=label, type=cls, qid=None, aliases=aliases))
        self.weights = [1.0 / (rank + 1) for rank in range(len(self.core))]
        self.tail = []
        while len(self.tail) < tail_size:
            if rng.random() < 0.7:
                label = f"{_name(rng, 2)} al-{_name(rng, 2)}"
                self.tail.append(dict(label=label, type="Person", qid=None, aliases=[label.split()[-1]]))
            else:
                self.tail.append(dict(label=_name(rng, 3), type="Location", qid=None, aliases=[]))

    def article(self, number: int, rng: random.Random):
        """One synthetic article and its Extraction."""
        chosen: dict = {}
        while len(chosen) < 12:
            entity = rng.choices(self.core, weights=self.weights)[0]
            chosen[entity["label"]] = entity
        for entity in rng.sample(self.tail, 8):
            chosen[entity["label"]] = entity
        by_type: dict = {}
        for entity in chosen.values():
            by_type.setdefault(entity["type"], []).append(entity["label"])
        actors = by_type.get("ArmedGroup", []) + by_type.get("Country", []) + by_type.get("Organization", [])
        places = by_type.get("Location", []) + by_type.get("Country", [])
        speakers = by_type.get("Person", [])
        speaking_for = by_type.get("ArmedGroup", []) + by_type.get("Organization", [])
        headline = f"Fighting around {rng.choice(places or ['Mosul'])} (report {number})"
        text, relations = headline + "\n\n", []
        for _ in range(15):
            predicate = rng.choice(["backedBy", "fighting", "fighting", "locatedNear", "spokesmanOf"])
            pool = {"backedBy": (actors, actors), "fighting": (actors, actors), "locatedNear": (places, places),
                    "spokesmanOf": (speakers, speaking_for)}[predicate]
            if len(pool[0]) < 1 or len(pool[1]) < 1:
                continue
            s, o = rng.choice(pool[0]), rng.choice(pool[1])
            if s == o:
                continue
            sentence = SENTENCE[predicate].format(s=s, o=o)
            start = len(text)
            text += sentence + " "
            relation = dict(subject=s, object=o, predicate=predicate, start_char=start, end_char=start + len(sentence),
                            pattern=f"{predicate}/{rng.choice(PATTERNS[predicate])}",
                            confidence=rng.choice([0.75, 0.8, 0.85, 0.9, 0.95]),
                            modality=rng.choice(MODALITIES), polarity="negative" if rng.random() < 0.06 else "positive")
            if relation["modality"] == "reported" and speakers:
                relation["claimed_by"] = [rng.choice(speakers)]
            relations.append(relation)
        aliases = []
        for entity in rng.sample(list(chosen.values()), 4):
            if entity["aliases"]:
                alias = rng.choice(entity["aliases"])
                start = len(text)
                text += f"{entity['label']} ({alias}) was mentioned. "
                aliases.append(dict(key=entity["label"], alias=alias, start_char=start, end_char=len(text) - 1,
                                    pattern="alias/parenthesis"))
        entities = {label: dict(type=e["type"], label=label, qid=e["qid"],
                                aliases=[a for a in e["aliases"] if rng.random() < 0.5])
                    for label, e in chosen.items()}
        published = (date(2016, 1, 1) + timedelta(days=rng.randrange(1500))).isoformat()
        article = make_article(f"synthetic/{number:05d}.txt", text, headline=headline, date=published)
        found = Extraction(article={}, mentions=[{"key": k} for k in chosen], entities=entities,
                           relations=relations, aliases=aliases)
        return article, found


def synthetic_corpus(target: int, seed: int = 7):
    """(articles with their triples, build IRI, rdflib graph of the merge) with at least `target` triples."""
    cast = Cast(seed)
    rng = random.Random(seed + 1)
    build = build_iri(["synthetic"], None)
    graph = rdflib.Graph()
    articles = []
    while len(graph) < target:
        article, found = cast.article(len(articles), rng)
        triples = list(article_triples(article, found, build))
        for triple in triples:
            graph.add(triple)
        articles.append((article, triples))
    activity = [(build, RDF.type, PROV.Activity), (build, RDFS.label, Literal("kg build")),
                (build, NKG.softwareVersion, Literal(f"newskg {__version__}"))]
    activity += [(build, PROV.used, article_iri(a)) for a, _ in articles]
    for triple in activity:
        graph.add(triple)
    return articles, activity, graph


def _rows(results) -> int:
    """Read every row (or triple) of a result, as a client would."""
    if isinstance(results, pyoxigraph.QueryBoolean):
        return 1
    return sum(1 for _ in results)


def _in_child(measure, cap: float) -> dict:
    """Run measure() in a forked child (it sees the parent's loaded graphs) and return what it returns;
    {"timeout": cap} if it is still running after cap seconds (the child is then killed)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:   # the child
        os.close(read)
        try:
            result = measure()
        except Exception as err:   # noqa: BLE001 (reported, whatever it is)
            result = {"error": type(err).__name__}
        os.write(write, json.dumps(result).encode())
        os._exit(0)
    os.close(write)
    ready, _, _ = select.select([read], [], [], cap)
    if not ready:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read)
        return {"timeout": cap}
    data = b""
    while chunk := os.read(read, 65536):
        data += chunk
    os.close(read)
    os.waitpid(pid, 0)
    return json.loads(data)


def _measure(run_query, runs: int, reducer) -> dict:
    run_query()                                 # warm-up (caches, and the row count)
    times, rows = [], 0
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        rows = run_query()
        times.append(time.perf_counter() - started)
    return {"seconds": reducer(times), "rows": rows}


def _directory_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _mb(size: int) -> str:
    return f"{size / 1e6:,.0f} MB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per store query (median reported)")
    parser.add_argument("--rdflib-runs", type=int, default=1, help="timed runs per rdflib query (best reported)")
    parser.add_argument("--skip-rdflib-queries", action="store_true")
    parser.add_argument("--cap", type=float, default=300.0, help="seconds after which a query is stopped")
    parser.add_argument("--workdir", help="where the store and the N-Triples file go (default: a temporary dir)")
    parser.add_argument("--write", action="store_true", help="write the figures into bench/RESULTS.md ## Store")
    parser.add_argument("--queries", metavar="DIR", help="the .rq files to time (default: examples/queries)")
    parser.add_argument("--reuse", action="store_true", help="time the queries only, on the store and N-Triples "
                        "file an earlier run left in --workdir")
    argv_used = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv_used)
    queries = sorted(Path(args.queries).glob("*.rq")) if args.queries else QUERIES
    if args.reuse and not args.workdir:
        parser.error("--reuse needs --workdir")

    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="kg-store-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    store_dir, nt_file = work / "store", work / "graph.nt"
    lines: list[str] = []

    # the command as run, with the work directory (a local path) written as DIR
    shown = ["DIR" if i and argv_used[i - 1] == "--workdir" else a for i, a in enumerate(argv_used)]
    command = " ".join([".venv/bin/python bench/store_bench.py", *shown])

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    if args.reuse:
        graph = rdflib.Graph()
        graph.parse(nt_file, format="nt")
        memory = load_oxigraph(nt_file)
        with open_store(store_dir, read_only=True) as store:
            say(f"The same store ({len(store):,} triples, {len(store.articles()):,} articles), queries from "
                f"`{Path(args.queries or 'examples/queries').as_posix()}`, load average "
                f"{os.getloadavg()[0]:.1f}. Command: `{command}`.")
            say()
        return _time_queries(args, queries, store_dir, memory, graph, say, lines, work)

    shutil.rmtree(store_dir, ignore_errors=True)
    started = time.perf_counter()
    articles, activity, merged = synthetic_corpus(args.triples)
    print(f"generated {len(articles):,} articles, {len(merged):,} triples in {time.perf_counter() - started:.0f} s",
          flush=True)
    merged.serialize(nt_file, format="nt", encoding="utf-8")
    n_triples = len(merged)
    del merged
    gc.collect()

    # ---------------------------------------------------------------- load
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    with open_store(store_dir) as store:
        for article, triples in articles:
            store.replace_article(article_iri(article), triples)
        store.add_default(activity)
    store_load = time.perf_counter() - started
    article_quads = sum(len(t) for _, t in articles)
    n_articles = len(articles)
    del articles
    gc.collect()
    with open_store(store_dir) as store:       # reopening replays and drops RocksDB's write-ahead log
        assert len(store) == n_triples, (len(store), n_triples)
    store_size = _directory_size(store_dir)

    started = time.perf_counter()
    graph = rdflib.Graph()
    graph.parse(nt_file, format="nt")
    rdflib_load = time.perf_counter() - started
    assert len(graph) == n_triples, (len(graph), n_triples)

    started = time.perf_counter()
    memory = load_oxigraph(nt_file)
    oxigraph_load = time.perf_counter() - started

    say(f"Synthetic graph: {n_triples:,} triples (the merged graph) from {n_articles:,} articles "
        f"({article_quads:,} triples in the article graphs: entity descriptions recur in every article that "
        f"mentions them), made by `kg.rdf.article_triples`. newskg {__version__}, pyoxigraph "
        f"{pyoxigraph.__version__}, rdflib {rdflib.__version__}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, load average {load_before:.1f} when it started. Command: `{command}`.")
    say()
    say("| load | seconds |")
    say("|---|---:|")
    say(f"| store on disk, one transaction per article (`kg build --store`: `replace_article` x {n_articles:,}) "
        f"| {store_load:.1f} |")
    say(f"| rdflib in-memory Graph, parsing the N-Triples file | {rdflib_load:.1f} |")
    say(f"| Oxigraph in memory, bulk-loading the same file (`kg query FILE`) | {oxigraph_load:.1f} |")
    say()
    say(f"Store size on disk: {_mb(store_size)} (the article graphs and the merged default graph, six indexes "
        f"each; the N-Triples file is {_mb(nt_file.stat().st_size)}).")
    say()

    return _time_queries(args, queries, store_dir, memory, graph, say, lines, work)


def _time_queries(args, queries, store_dir: Path, memory, graph, say, lines: list, work: Path) -> int:
    say(f"Latency, every row read; store and Oxigraph in memory: median of {args.runs} runs after a warm-up; "
        f"rdflib: best of {args.rdflib_runs}; a query still running after {args.cap:g} s is stopped.")
    say()
    say("| query | rows | store | Oxigraph in memory | rdflib | store vs rdflib |")
    say("|---|---:|---:|---:|---:|---:|")

    def cell(result: dict) -> str:
        if "timeout" in result:
            return f"> {result['timeout']:g} s"
        if "error" in result:
            return f"fails ({result['error']})"
        return f"{result['seconds'] * 1000:,.0f} ms" if result["seconds"] < 10 else f"{result['seconds']:,.0f} s"

    verdicts = []
    for query in queries:
        sparql = query.read_text(encoding="utf-8")

        def on_store():
            with open_store(store_dir, read_only=True) as opened:
                return _measure(lambda: _rows(opened.query(sparql)), args.runs, statistics.median)

        stored = _in_child(on_store, args.cap)
        in_memory = _in_child(lambda: _measure(lambda: _rows(memory.query(sparql)), args.runs, statistics.median),
                              args.cap)
        if args.skip_rdflib_queries:
            on_rdflib = {"error": "not run"}
        else:
            on_rdflib = _in_child(lambda: _measure(lambda: len(list(graph.query(sparql))), args.rdflib_runs, min),
                                  args.cap)
        store_s = stored.get("seconds", stored.get("timeout"))
        rdflib_s = on_rdflib.get("seconds", on_rdflib.get("timeout"))
        ratio = rdflib_s / store_s if store_s and rdflib_s and "seconds" in stored else None
        ratio_cell = "-" if ratio is None else (">= " if "timeout" in on_rdflib else "") + f"{ratio:,.0f}x"
        rows = stored.get("rows", in_memory.get("rows", "?"))
        if "rows" in on_rdflib and on_rdflib["rows"] != rows:
            ratio_cell += f" (rdflib: {on_rdflib['rows']} rows)"
        verdicts.append((query.stem, store_s if "seconds" in stored else float("inf"), ratio))
        say(f"| {query.stem} | {rows if isinstance(rows, str) else f'{rows:,}'} | {cell(stored)} | {cell(in_memory)} "
            f"| {cell(on_rdflib)} | {ratio_cell} |")
    say()
    slowest = max(verdicts, key=lambda v: v[1])
    over = [v[0] for v in verdicts if v[1] > BAR_SECONDS]
    under = [v[0] for v in verdicts if v[2] is not None and v[2] < BAR_SPEEDUP]
    verdict = ("meets the bar" if not over and not under else "MISSES the bar: " +
               "; ".join(filter(None, [over and f"over {BAR_SECONDS:g} s: {', '.join(over)}",
                                       under and f"under {BAR_SPEEDUP:g}x: {', '.join(under)}"])))
    say(f"Bar (each query >= {BAR_SPEEDUP:g}x faster than rdflib, none over {BAR_SECONDS:g} s): {verdict}. "
        f"Slowest store query: {slowest[0]}. Load average at the end: {os.getloadavg()[0]:.1f}.")
    if args.write:
        _write_section("\n".join(lines))
        print(f"wrote the ## Store section of {RESULTS}")
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _write_section(body: str) -> None:
    """Replace (or add) the '## Store' section of bench/RESULTS.md; the other sections stay as they are."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    section = f"## Store\n\n{body.strip()}\n"
    start = text.find("\n## Store\n")
    if start < 0 and text.startswith("## Store\n"):
        start = -1
        end = text.find("\n## ", 1)
        text = section + ("\n" + text[end + 1:] if end >= 0 else "")
    elif start < 0:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + 1)
        text = text[:start + 1] + section + ("\n" + text[end + 1:] if end >= 0 else "")
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
