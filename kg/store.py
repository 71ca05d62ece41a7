"""Graphs on disk and in a store: load (with a clear error), query with SPARQL, export in every syntax.

Queries always run on Oxigraph (pyoxigraph): a graph file is bulk-loaded into an in-memory store,
an rdflib graph is handed over as N-Triples, a persistent store (``open_store``) is queried where
it lies. rdflib's own SPARQL engine is not used: on one article's graph, parsing and querying with
rdflib takes 80-400 ms per example query against 3 ms with Oxigraph; it cannot run some of them
(GROUP_CONCAT(DISTINCT ?x) with ?x unbound); at a million triples see bench/RESULTS.md.
"""
from __future__ import annotations

import os
import queue
import re
import tempfile
import threading
from decimal import Decimal
from pathlib import Path
from typing import Iterable

import pyoxigraph
from rdflib import RDF, BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from .errors import KgError
from .prefixes import QUERY_PREFIXES
from .namespace import NKG, PROV

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
    graph = _new_graph()
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
    """The file in an in-memory Oxigraph store: fast SPARQL 1.1 whatever the graph's size.

    Everything goes into the default graph (named graphs merged, as :func:`load_graph` does): Oxigraph
    0.5's union default graph counts a triple once per graph that holds it (oxigraph issue #1919)."""
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
            if ox_format in (pyoxigraph.RdfFormat.N_QUADS, pyoxigraph.RdfFormat.TRIG):
                default = pyoxigraph.DefaultGraph()
                store.bulk_extend(pyoxigraph.Quad(q.subject, q.predicate, q.object, default)
                                  for q in pyoxigraph.parse(path=str(path), format=ox_format))
            else:
                store.bulk_load(path=str(path), format=ox_format, to_graph=pyoxigraph.DefaultGraph())
    except (SyntaxError, ValueError, OSError) as err:
        raise KgError(f"{path}: cannot parse: {_one_line(err)}") from None
    return store


def _one_line(err: Exception) -> str:
    return " ".join(str(err).split())[:300] or type(err).__name__


def run_query(store, sparql: str, fmt: str = "table", bindings: dict | None = None) -> str:
    """Run a SPARQL 1.1 query; SELECT/ASK results in the chosen format, CONSTRUCT/DESCRIBE as Turtle.

    ``store`` is a pyoxigraph Store, a KgStore or an rdflib Graph (loaded into Oxigraph to be queried);
    the default graph is the union of all graphs. ``bindings``: see :func:`execute`.
    """
    result = execute(store, sparql, bindings)
    if isinstance(result, pyoxigraph.QueryBoolean):
        value = bool(result)
        if fmt == "json":
            return '{"head": {}, "boolean": %s}\n' % ("true" if value else "false")
        return ("true" if value else "false") + "\n"
    if isinstance(result, pyoxigraph.QueryTriples):
        data = pyoxigraph.serialize(result, format=pyoxigraph.RdfFormat.N_TRIPLES)
        graph = _new_graph()
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


def serialize(graph, fmt: str) -> bytes:
    """The graph (an rdflib Graph, or a KgStore) in one of EXPORT_FORMATS; quad syntaxes carry one named
    graph per article: a file's are worked out by :func:`article_dataset`, a store's are its own."""
    if isinstance(graph, KgStore):
        if fmt in ("nq", "trig"):
            data = graph.to_dataset().serialize(format=SYNTAXES[fmt][0], encoding="utf-8")
            return _sorted_lines(data) if fmt == "nq" else data
        graph = graph.to_graph()
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
    return "".join(sorted({line for line in data.decode("utf-8").splitlines(True) if line.strip()})).encode("utf-8")


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


# ------------------------------------------------------------------ the persistent store (kg build --store)

#: the lock file kg keeps in a store directory: writers hold it exclusively, readers shared
LOCK_NAME = "kg.lock"
#: quads written between two flushes of the store's write buffers: keeps a long build's memory flat
FLUSH_EVERY = 50_000
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_VARNAME = re.compile(r"^[A-Za-z_\u00C0-\uFFFF][A-Za-z0-9_\u00B7\u00C0-\uFFFF]*$")


class KgStore:
    """A persistent Oxigraph store: one named graph per article, named by the article's IRI.

    The default graph is the RDF merge of all the article graphs (each triple once, however many
    articles state it) plus the build runs (:meth:`add_default`); :meth:`replace_article` keeps it so
    in the same transaction. Queries run on it: the union of all graphs, without the duplicates that
    Oxigraph 0.5's ``use_default_graph_as_union`` gives for a triple held by several graphs
    (oxigraph issue #1919, fixed after 0.5.13). ``GRAPH ?g`` sees the articles.

    Open it with :func:`open_store`; use it as a context manager or call :meth:`close`, which also
    releases the lock that keeps a writer and other users of the directory apart.
    """

    def __init__(self, path: Path, store: pyoxigraph.Store, lock, read_only: bool):
        self.path = path
        self.read_only = read_only
        self._store = store
        self._lock = lock
        self._unflushed = 0      # quads written since the last flush (see FLUSH_EVERY)

    # -------------------------------------------------------------- context and life cycle
    def __enter__(self) -> "KgStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __len__(self) -> int:
        """The number of triples in the merged graph (every article and build run, each triple once)."""
        return sum(1 for _ in self._live().quads_for_pattern(None, None, None, pyoxigraph.DefaultGraph()))

    def __repr__(self) -> str:
        return f"<KgStore {self.path}{' read-only' if self.read_only else ''}>"

    def close(self) -> None:
        """Flush, close the database and release the lock (idempotent)."""
        if self._store is not None:
            if not self.read_only:
                try:
                    self._store.flush()
                except OSError:
                    pass
            self._store = None   # RocksDB closes when the last reference goes
        if self._lock is not None:
            self._lock.close()   # closing the file releases the flock
            self._lock = None

    def _live(self) -> pyoxigraph.Store:
        if self._store is None:
            raise KgError(f"{self.path}: store is closed")
        return self._store

    def _writable(self) -> pyoxigraph.Store:
        if self.read_only:
            raise KgError(f"{self.path}: store is open read-only")
        return self._live()

    # -------------------------------------------------------------- articles
    def has_article(self, content_hash: str) -> bool:
        """Whether an article with this nkg:contentHash ("sha256:<hex>") is in the store."""
        result = self._live().query(
            "ASK { GRAPH ?g { ?article <%s> ?hash } }" % NKG.contentHash,
            substitutions={pyoxigraph.Variable("hash"): pyoxigraph.Literal(str(content_hash))})
        return bool(result)

    def replace_article(self, article_iri, triples: Iterable[tuple]) -> None:
        """In one transaction: empty the article's named graph and fill it with ``triples`` (rdflib terms).

        The merged default graph follows: what only this article said leaves it, the new triples join it.
        Building an article again therefore replaces what an earlier build said about it; entities it
        shares with other articles keep their one IRI, their names gathered across articles.
        """
        self._replace(article_iri, [(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in triples])

    def writer(self, depth: int = 32) -> "StoreWriter":
        """A :class:`StoreWriter`: ``replace_article`` on a thread of its own, in order."""
        return StoreWriter(self, depth)

    def remove_article(self, article_iri) -> None:
        """Drop an article's named graph, and from the merged graph what no other article says."""
        self._replace(article_iri, [])

    def _replace(self, article_iri, new: list[tuple]) -> None:
        store = self._writable()
        graph = to_oxigraph(URIRef(str(article_iri)))
        blank = pyoxigraph.BlankNode
        if any(type(s) is blank or type(p) is blank or type(o) is blank for s, p, o in new):
            raise KgError(f"{article_iri}: an article's triples cannot hold blank nodes (give them IRIs)")
        try:
            if not store.contains_named_graph(graph):
                # a new article (the usual case in a build): one atomic insert, no SPARQL to parse
                default = pyoxigraph.DefaultGraph()
                quads = [pyoxigraph.Quad(s, p, o, graph) for s, p, o in new]
                quads += [pyoxigraph.Quad(s, p, o, default) for s, p, o in new]
                store.extend(quads)
            else:
                store.update(self._replacing(store, graph, new))
        except (OSError, RuntimeError, SyntaxError) as err:
            raise KgError(f"{self.path}: cannot store {article_iri}: {_one_line(err)}") from None
        self._wrote(2 * len(new))

    def _replacing(self, store: pyoxigraph.Store, graph, new: list[tuple]) -> str:
        """The SPARQL update that replaces an article already in the store, the merged graph with it."""
        keep = {pyoxigraph.Triple(*t) for t in new}
        leaving = [q.triple for q in store.quads_for_pattern(None, None, None, graph)
                   if q.triple not in keep and not self._elsewhere(q.triple, graph)]
        # Terms are written by pyoxigraph's own N-Triples serialisation (escaped, validated): no text is
        # pasted. The reads above and this update are not one transaction, but the store has one writer
        # (the directory's lock), so nothing changes in between.
        update = [f"DROP SILENT GRAPH {graph}"]
        if leaving:
            update.insert(0, "DELETE DATA {\n%s}" % "".join(f"{t.subject} {t.predicate} {t.object} .\n"
                                                              for t in leaving))
        if new:
            body = "".join(f"{s} {p} {o} .\n" for s, p, o in new)
            update.append(f"INSERT DATA {{\n{body}GRAPH {graph} {{\n{body}}} }}")
        return " ;\n".join(update)

    def _wrote(self, quads: int) -> None:
        """Flush RocksDB's write buffers every FLUSH_EVERY quads: they would otherwise grow with the corpus
        (up to 64 MiB for each of the store's column families) before RocksDB writes them out itself."""
        self._unflushed += quads
        if self._unflushed >= FLUSH_EVERY:
            try:
                self._live().flush()
            except OSError as err:
                raise KgError(f"{self.path}: cannot write: {_one_line(err)}") from None
            self._unflushed = 0

    def _elsewhere(self, triple, graph) -> bool:
        """Whether a named graph other than ``graph`` holds the triple."""
        for quad in self._live().quads_for_pattern(triple.subject, triple.predicate, triple.object, None):
            if not isinstance(quad.graph_name, pyoxigraph.DefaultGraph) and quad.graph_name != graph:
                return True
        return False

    def add_default(self, triples: Iterable[tuple]) -> None:
        """Add triples (rdflib terms) to the default graph, in one transaction: the build runs."""
        default = pyoxigraph.DefaultGraph()
        quads = [pyoxigraph.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), default) for s, p, o in triples]
        try:
            self._writable().extend(quads)
        except OSError as err:
            raise KgError(f"{self.path}: cannot write: {_one_line(err)}") from None

    def outside_articles(self) -> list[tuple]:
        """The triples (pyoxigraph) of the default graph that no article's graph holds: the build runs."""
        store = self._live()
        return [q.triple for q in store.quads_for_pattern(None, None, None, pyoxigraph.DefaultGraph())
                if not any(not isinstance(other.graph_name, pyoxigraph.DefaultGraph)
                           for other in store.quads_for_pattern(q.subject, q.predicate, q.object, None))]

    def quads(self, graph=None):
        """The pyoxigraph quads of one graph (an article's IRI, or None for the default graph)."""
        name = pyoxigraph.DefaultGraph() if graph is None else pyoxigraph.NamedNode(str(graph))
        return self._live().quads_for_pattern(None, None, None, name)

    def articles(self) -> list[str]:
        """The IRIs of the articles in the store (the names of its named graphs), sorted."""
        return sorted(g.value for g in self._live().named_graphs() if isinstance(g, pyoxigraph.NamedNode))

    # -------------------------------------------------------------- reading
    def query(self, sparql: str, bindings: dict | None = None):
        """Run a SPARQL 1.1 query on the merged graph (``GRAPH ?g`` for the articles); pyoxigraph results.

        ``bindings`` maps variable names (with or without ``?``) to rdflib terms or Python values
        (str, int, float, bool, Decimal). They go to pyoxigraph's ``substitutions`` parameter, never
        into the query text.
        """
        return execute(self, sparql, bindings)

    def to_graph(self) -> Graph:
        """Every triple of every graph, merged, as an rdflib Graph (for SHACL, the view, exports)."""
        graph = _new_graph()
        add = graph.add
        for quad in self._live().quads_for_pattern(None, None, None, pyoxigraph.DefaultGraph()):
            add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
        return graph

    def to_dataset(self) -> Dataset:
        """The store as an rdflib Dataset: each article's named graph, and in the default graph what is in no
        article's graph (the build runs), as `kg export -f nq` writes a graph file."""
        dataset = Dataset()
        for prefix, ns in _new_graph().namespaces():
            dataset.bind(prefix, ns, replace=True)
        graphs: dict = {}
        for quad in self._live().quads_for_pattern(None, None, None, None):
            name = quad.graph_name
            if isinstance(name, pyoxigraph.DefaultGraph):
                continue
            key = name.value
            if key not in graphs:
                graphs[key] = dataset.graph(to_rdflib(name))
            graphs[key].add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
        for s, p, o in self.outside_articles():
            dataset.default_graph.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
        return dataset


class StoreWriter:
    """Articles written into a store on a thread of its own, in the order given, while the caller goes on.

    pyoxigraph releases the GIL while RocksDB writes, so a build's store transactions overlap spaCy's
    work on the next articles. The queue is bounded (memory stays flat; ``put`` waits when it is full).
    A write error is raised by the next ``put`` or by ``close``. Each article is still one transaction.
    """

    def __init__(self, store: KgStore, depth: int = 32):
        self._store = store
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="kg-store-writer", daemon=True)
        self._thread.start()

    def put(self, article_iri, triples: list[tuple], on_stored=None) -> None:
        """Queue an article's triples (rdflib terms) for :meth:`KgStore.replace_article`; ``on_stored()`` is
        called (on the writer's thread) once they are in the store."""
        if self._error is not None:
            raise self._error
        self._queue.put((article_iri, triples, on_stored))

    def close(self, finish: bool = True) -> None:
        """Wait for the queued articles (``finish``), or drop them and wait only for the one being written
        (an interrupted build: what is in the store stays consistent, a new run builds the rest)."""
        if not finish:
            while True:
                try:
                    self._queue.get_nowait()
                except queue.Empty:
                    break
        self._queue.put(None)
        self._thread.join()
        if self._error is not None and finish:
            raise self._error

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self._error is None:          # after an error, drain: a waiting put must not block forever
                article_iri, triples, on_stored = item
                try:
                    self._store.replace_article(article_iri, triples)
                    if on_stored is not None:
                        on_stored()
                except BaseException as err:  # handed to the caller's thread
                    self._error = err


def open_store(path: str | Path, read_only: bool = False) -> KgStore:
    """Open (read-write: create if missing) the Oxigraph store in directory ``path``.

    A writer holds the directory's lock exclusively, readers share it: a second writer, or a writer
    while ``kg serve`` or ``kg query --store`` reads, gets a one-line error instead of corrupting data.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise KgError(f"{path}: is a file, not a store directory")
    is_store = (path / "CURRENT").is_file()
    if read_only and not path.exists():
        raise KgError(f"{path}: no such store directory")
    if path.is_dir() and not is_store and (read_only or any(p.name != LOCK_NAME for p in path.iterdir())):
        raise KgError(f"{path}: not an Oxigraph store (a store directory holds CURRENT, *.sst, ...; "
                      f"give a new or empty directory to create one)")
    if not read_only:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise KgError(f"{path}: cannot create the store directory ({err.strerror or err})") from None
    lock = _lock(path, exclusive=not read_only)
    try:
        store = pyoxigraph.Store.read_only(str(path)) if read_only else pyoxigraph.Store(str(path))
    except OSError as err:
        if lock is not None:
            lock.close()
        message = _one_line(err)
        if "lock" in message.lower():
            raise KgError(f"{path}: store is locked by another process ({message})") from None
        raise KgError(f"{path}: cannot open the store: {message}") from None
    return KgStore(path, store, lock, read_only)


def _lock(path: Path, exclusive: bool):
    """An flock on DIR/kg.lock (exclusive for a writer, shared for readers), or a KgError if it is taken."""
    try:
        import fcntl
    except ImportError:   # not POSIX: RocksDB's own lock still keeps two writers apart
        return None
    lock_path = path / LOCK_NAME
    try:
        handle = open(lock_path, "a+b") if exclusive else open(lock_path, "rb")
    except FileNotFoundError:
        return None       # a store written by another tool, opened read-only: nothing to share
    except OSError as err:
        if exclusive:
            raise KgError(f"{path}: cannot lock the store ({err.strerror or err})") from None
        return None
    try:
        fcntl.flock(handle.fileno(), (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        if exclusive:
            raise KgError(f"{path}: store is in use by another process (kg build, kg serve or kg query "
                          f"--store); wait for it or stop it, then try again") from None
        raise KgError(f"{path}: store is being written by another process (kg build --store); "
                      f"wait for it to finish, then try again") from None
    return handle


# ------------------------------------------------------------------ terms, bindings, queries

_NAMED_NODES: dict = {}
_SHORT_LITERALS: dict = {}


def to_oxigraph(term):
    """An rdflib term (or a pyoxigraph term, or a plain Python value) as a pyoxigraph term."""
    if isinstance(term, URIRef):   # predicates, classes and entities recur
        return _cached(_NAMED_NODES, term, _named_node)
    if isinstance(term, Literal):   # labels, numbers, dates, pattern ids recur; evidence sentences do not
        return _cached(_SHORT_LITERALS, (str(term), term.language, term.datatype), lambda _: _literal(term)) \
            if len(term) <= 64 else _literal(term)
    if isinstance(term, (pyoxigraph.NamedNode, pyoxigraph.BlankNode, pyoxigraph.Literal)):
        return term
    if isinstance(term, BNode):
        return pyoxigraph.BlankNode(str(term))
    if isinstance(term, (bool, int, float, Decimal, str)):
        return to_oxigraph(Literal(term))
    raise KgError(f"cannot use {term!r} as an RDF term")


def _cached(cache: dict, key, make):
    """``make(key)``, remembered in a bounded cache (emptied when full: memory stays flat on a corpus)."""
    node = cache.get(key)
    if node is None:
        if len(cache) >= 100_000:
            cache.clear()
        node = cache[key] = make(key)
    return node


def _named_node(term: URIRef) -> pyoxigraph.NamedNode:
    try:
        return pyoxigraph.NamedNode(str(term))
    except ValueError as err:
        raise KgError(f"not a valid IRI: {str(term)!r} ({_one_line(err)})") from None


def _literal(term: Literal) -> pyoxigraph.Literal:
    if term.language:
        return pyoxigraph.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return pyoxigraph.Literal(str(term), datatype=pyoxigraph.NamedNode(str(term.datatype)))
    return pyoxigraph.Literal(str(term))


def to_rdflib(term):
    """A pyoxigraph term as an rdflib term (plain strings stay plain, as rdflib writes them)."""
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value) if datatype == _XSD_STRING else Literal(term.value, datatype=URIRef(datatype))
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    raise KgError(f"unsupported RDF term in store: {term!r}")


def to_oxigraph_store(graph: Graph) -> pyoxigraph.Store:
    """An rdflib graph (named graphs kept for a Dataset) in an in-memory Oxigraph store, for fast SPARQL."""
    store = pyoxigraph.Store()
    if isinstance(graph, Dataset):   # merged: see load_oxigraph
        merged = Graph()
        for s, p, o, _ in graph.quads((None, None, None, None)):
            merged.add((s, p, o))
        graph = merged
    store.bulk_load(graph.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def _substitutions(bindings: dict | None) -> dict:
    subs = {}
    for name, value in (bindings or {}).items():
        name = str(name).lstrip("?$")
        if not _VARNAME.match(name):
            raise KgError(f"not a SPARQL variable name: {name!r}")
        subs[pyoxigraph.Variable(name)] = to_oxigraph(value)
    return subs


def execute(store, sparql: str, bindings: dict | None = None):
    """Run a query on a KgStore (its merged default graph), a pyoxigraph Store (the union of its graphs)
    or an rdflib Graph (loaded into Oxigraph).

    Bindings go through pyoxigraph's ``substitutions``. pyoxigraph substitutes only variables a
    SELECT projects; for one it does not, the value is joined in with a trailing ``VALUES`` clause
    whose terms are written by pyoxigraph's serialiser (escaped and validated, never raw text).
    """
    union = not isinstance(store, KgStore)
    store = _as_oxigraph(store)
    subs = _substitutions(bindings)
    try:
        try:
            return store.query(sparql, use_default_graph_as_union=union, substitutions=subs or None,
                               prefixes=QUERY_PREFIXES)
        except RuntimeError as err:
            if not subs or "SELECT projection" not in str(err):
                raise
        names = list(subs)
        if any(isinstance(subs[v], pyoxigraph.BlankNode) for v in names):
            raise KgError("a blank node can only be bound to a variable the query projects")
        values = "\nVALUES (%s) { (%s) }\n" % (" ".join(str(v) for v in names), " ".join(str(subs[v]) for v in names))
        return store.query(sparql + values, use_default_graph_as_union=union, prefixes=QUERY_PREFIXES)
    except SyntaxError as err:
        raise KgError(f"malformed SPARQL query: {_one_line(err)}") from None
    except (OSError, ValueError, RuntimeError) as err:
        raise KgError(f"query failed: {_one_line(err)}") from None


def _as_oxigraph(source) -> pyoxigraph.Store:
    if isinstance(source, pyoxigraph.Store):
        return source
    if isinstance(source, KgStore):
        return source._live()
    if isinstance(source, Graph):
        return to_oxigraph_store(source)
    raise TypeError(f"not a store or graph: {source!r}")


def _new_graph() -> Graph:
    from .rdf import new_graph   # kg.rdf pulls in spaCy: only when a graph is really made
    return new_graph()
