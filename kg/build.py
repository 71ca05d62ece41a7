"""`kg build`: articles stream from the reader through the pipeline into the graph and the store.

Memory stays flat with a store: each article's triples go into the store as soon as the article
is done, in one transaction per article (on a writer thread, while the pipeline reads on), so an
interrupted build leaves the store consistent, and running the same command again skips the
articles already built (same content hash).
"""
from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, NamedTuple

from rdflib import RDF, RDFS, Literal

from . import __version__
from .errors import KgError
from .extract import Extraction, extract, extract_dask
from .namespace import NKG, PROV
from .rdf import article_iri, article_triples, build_iri, entity_iri, new_graph
from .read import Article, Skipped, iter_articles, iter_inputs_count

RELATIONS = ("backedBy", "fighting", "locatedNear", "spokesmanOf")


class Done(NamedTuple):
    """What the build keeps of an article once it is in the graph: not its text (memory stays flat)."""

    path: str
    iri: object
    title: str

    @classmethod
    def of(cls, article: Article) -> "Done":
        return cls(article.path, article_iri(article), article.title)


@dataclass
class BuildReport:
    """What a build did, for the summary line and the exit status."""

    articles: int = 0
    already_built: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    announced: int = 0                                   # how many of the skipped were reported so far
    entities: dict = field(default_factory=dict)       # IRI -> class name
    relations: Counter = field(default_factory=Counter)
    aliases_merged: int = 0
    seconds: float = 0.0

    def summary(self, outputs: list[str]) -> str:
        by_type = Counter(self.entities.values())
        lines = [f"documents: {self.articles}" + (f" (+{self.already_built} already in the store)"
                                                  if self.already_built else "")
                 + (f"; skipped: {len(self.skipped)}" if self.skipped else ""),
                 f"entities:  {len(self.entities)} (" + ", ".join(f"{t} {n}" for t, n in sorted(by_type.items())) + ")",
                 f"relations: {sum(self.relations.values())} (" + ", ".join(f"{r} {self.relations[r]}" for r in RELATIONS)
                 + f"); aliases merged: {self.aliases_merged}",
                 f"seconds:   {self.seconds:.1f}"
                 + (f" ({self.articles / self.seconds:.1f} articles/s)" if self.seconds and self.articles > 1 else "")]
        if outputs:
            lines.append("wrote " + " and ".join(outputs))
        return "\n".join(lines) + "\n"


class Progress:
    """A progress bar on standard error (articles, articles/s, ETA); silent off a terminal or with --quiet."""

    def __init__(self, total: int | None, quiet: bool):
        self.bar = None
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm
            self.bar = tqdm(total=total, unit="article", file=sys.stderr, dynamic_ncols=True, leave=False)

    def step(self) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run_build(inputs: list[str], output: Path | None = None, store_dir: Path | None = None, *, model=None,
              jobs: int = 1, engine: str = "local", scheduler: str | None = None, default_date: str | None = None,
              quiet: bool = False, explain=None, view_title: str | None = None,
              owns_process: bool = False) -> BuildReport:
    """Build the articles of ``inputs`` into OUTDIR/graph.ttl + graph.html and/or the store in ``store_dir``.

    ``owns_process``: called by the ``kg`` command, whose process the build may tune (see kg.extract)."""
    started = time.perf_counter()
    report = BuildReport()
    store = None
    if store_dir is not None:
        from .store import open_store
        store = open_store(store_dir)
    graph = new_graph() if output is not None else None
    progress = Progress(iter_inputs_count(inputs), quiet)
    built: list[Done] = []
    reused: list[Done] = []                       # already in the store from an earlier run

    def articles() -> Iterator[Article]:
        for item in iter_articles(inputs):
            if isinstance(item, Skipped):
                report.skipped.append(item)
                if built or report.already_built:   # until something builds, a failure may be the only news
                    _say_skipped(report, quiet)
                progress.step()
            elif store is not None and output is None and store.has_article("sha256:" + item.sha256):
                report.already_built += 1
                reused.append(Done.of(item))
                progress.step()
            else:
                yield item

    if engine == "dask":
        stream = extract_dask(articles(), model=model, scheduler=scheduler, jobs=jobs)
    else:
        stream = extract(articles(), model=model, jobs=jobs, owns_process=owns_process)
    build = build_iri(inputs, model)            # one run per command: its inputs and the software
    writer = store.writer() if store is not None else None
    finished = False
    try:
        for article, found in stream:
            triples = list(article_triples(article, found, build, default_date))
            shown = None if explain is None else (lambda article=article, found=found: explain(article, found))
            if graph is not None:
                for triple in triples:
                    graph.add(triple)
            if writer is not None:   # written on the writer's thread, in order; explained once stored
                writer.put(article_iri(article), triples, on_stored=shown)
            elif shown is not None:
                shown()
            _count(report, found)
            built.append(Done.of(article))
            progress.step()
        finished = True
    finally:
        progress.close()
        if writer is not None:
            writer.close(finish=finished)   # interrupted: the article being written completes, the queue is dropped
            if not finished:
                store.close()
    report.articles = len(built)
    if not built and not report.already_built:
        if store is not None:
            store.close()
        if len(report.skipped) == 1:
            raise KgError(str(report.skipped[0]))
        reasons = "; ".join(str(s) for s in report.skipped[:3]) or "no input"
        raise KgError(f"nothing to build: {reasons}")
    _say_skipped(report, quiet)
    activity = list(_activity(build, sorted(built + reused, key=lambda d: (d.path, str(d.iri)))))
    if store is not None:
        store.add_default(activity)
    if graph is not None:
        for triple in activity:
            graph.add(triple)
        _write_outputs(graph, output, view_title or _title(built))
    if store is not None:
        store.close()
    report.seconds = time.perf_counter() - started
    return report


def _say_skipped(report: BuildReport, quiet: bool) -> None:
    """Report the skipped inputs not reported yet, one line each, on standard error."""
    for item in report.skipped[report.announced:]:
        if not quiet:
            print(f"kg: skipped {item}", file=sys.stderr)
    report.announced = len(report.skipped)


def _activity(run, built: list[Done]):
    """The build run as a prov:Activity: which software, which articles."""
    yield run, RDF.type, PROV.Activity
    yield run, RDFS.label, Literal("kg build")
    yield run, NKG.softwareVersion, Literal(f"newskg {__version__}")
    for done in built:
        yield run, PROV.used, done.iri


def _count(report: BuildReport, found: Extraction) -> None:
    for key in {m["key"] for m in found.mentions}:
        report.entities[entity_iri(key)] = found.entities[key]["type"]
    report.aliases_merged += len(found.aliases)
    for r in found.relations:
        if r["polarity"] == "positive" and r["modality"] != "hypothetical":
            report.relations[r["predicate"]] += 1


def _title(articles: list[Done]) -> str:
    return articles[0].title if len(articles) == 1 else f"{len(articles)} articles"


def _write_outputs(graph, out: Path, title: str) -> None:
    from .store import write_atomic
    from .view import render_html
    if out.exists() and not out.is_dir():
        raise KgError(f"{out}: exists and is not a directory")
    turtle = graph.serialize(format="turtle", encoding="utf-8")
    html = render_html(graph, title=title).encode("utf-8")
    write_atomic(out / "graph.ttl", turtle)
    write_atomic(out / "graph.html", html)
