"""`kg push`: upload each article's named graph to another triple store over HTTP.

Two ways to write, both replacing a graph rather than adding to it, so pushing again is safe:

- the SPARQL 1.1 Graph Store HTTP Protocol: one ``PUT <graph-store>?graph=IRI`` per graph (default);
- SPARQL 1.1 Update, for stores without it: ``DROP SILENT GRAPH <IRI>``, then ``INSERT DATA`` in batches.

The input is a graph file (split into one named graph per article, exactly as ``kg export -f nq``
does) or a pyoxigraph store directory whose named graphs are the articles. Triples outside any
article (the build run) go to a named graph of their own: the IRI of the ``prov:Activity`` they
describe, or ``--default-graph IRI``.
"""
from __future__ import annotations

import html
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyoxigraph

from .errors import KgError

RDF_TYPE = pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
PROV_ACTIVITY = pyoxigraph.NamedNode("http://www.w3.org/ns/prov#Activity")
DEFAULT_BATCH = 1000


@dataclass
class Summary:
    graphs: int
    triples: int
    seconds: float
    target: str
    method: str


# --------------------------------------------------------------------------- input

class GraphSource:
    """Named graphs to push, read from a pyoxigraph store (in memory for a file, on disk for --store)."""

    def __init__(self, store: pyoxigraph.Store, default_graph: str | None = None, origin: str = ""):
        self.store = store
        self.origin = origin
        names = sorted(g.value for g in store.named_graphs() if isinstance(g, pyoxigraph.NamedNode))
        self.graphs: list[tuple[str, pyoxigraph.NamedNode | pyoxigraph.DefaultGraph]] = \
            [(name, pyoxigraph.NamedNode(name)) for name in names]
        if any(True for _ in store.quads_for_pattern(None, None, None, pyoxigraph.DefaultGraph())):
            target = default_graph or self._build_iri()
            if target in names:
                raise KgError(f"{origin}: the graph for triples outside any article, <{target}>, is also an "
                              "article's graph; give another with --default-graph IRI")
            self.graphs.append((target, pyoxigraph.DefaultGraph()))

    def _build_iri(self) -> str:
        runs = {q.subject.value for q in self.store.quads_for_pattern(None, RDF_TYPE, PROV_ACTIVITY,
                                                                      pyoxigraph.DefaultGraph())
                if isinstance(q.subject, pyoxigraph.NamedNode)}
        if len(runs) != 1:
            found = "no build run" if not runs else f"{len(runs)} build runs"
            raise KgError(f"{self.origin}: there are triples outside any article's graph and {found} to name "
                          "their graph after; give one with --default-graph IRI")
        return runs.pop()

    def triples(self, graph) -> list[pyoxigraph.Triple]:
        return [q.triple for q in self.store.quads_for_pattern(None, None, None, graph)]


def source_from_file(path: str | Path, default_graph: str | None = None) -> GraphSource:
    """A graph file split into one named graph per article (kg.store.article_dataset)."""
    from .store import load_graph, serialize
    nquads = serialize(load_graph(path), "nq")
    store = pyoxigraph.Store()
    store.bulk_load(nquads, format=pyoxigraph.RdfFormat.N_QUADS)
    return GraphSource(store, default_graph, origin=str(path))


def source_from_store(directory: str | Path, default_graph: str | None = None) -> GraphSource:
    """A newskg store (kg build --store), opened read-only; its named graphs are the articles.

    The store's default graph also holds the merge of all articles (for fast queries); only the part
    no article holds (the build runs) is pushed as the graph outside any article."""
    from .store import open_store
    directory = Path(directory)
    if not directory.is_dir():
        raise KgError(f"{directory}: no such store directory")
    kg_store = open_store(directory, read_only=True)
    try:
        copy = pyoxigraph.Store()
        for name in kg_store.articles():
            copy.extend(kg_store.quads(name))
        copy.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object, pyoxigraph.DefaultGraph())
                    for t in kg_store.outside_articles())
    finally:
        kg_store.close()
    return GraphSource(copy, default_graph, origin=str(directory))


def ntriples(triples: Iterable[pyoxigraph.Triple]) -> bytes:
    return pyoxigraph.serialize(list(triples), format=pyoxigraph.RdfFormat.N_TRIPLES) or b""


# --------------------------------------------------------------------------- where to send

def conventional_urls(endpoint: str, server: str = "", authenticated: bool = False) -> tuple[str | None, str]:
    """(Graph Store URL or None, update URL) for a SPARQL endpoint, by the store's known layout.

    `server` is the endpoint's Server header, which names Oxigraph and Virtuoso; otherwise the path
    decides. Oxigraph (any path, or ``/query``): ``/store``, ``/update``. Virtuoso (or ``/sparql`` at
    the root): ``/sparql-graph-crud``, ``/sparql``, or with a user ``/sparql-graph-crud-auth``,
    ``/sparql-auth``. Fuseki ``/DS/sparql`` or ``/DS/query``: ``/DS/data``, ``/DS/update``. RDF4J
    and GraphDB ``/repositories/ID``: ``.../rdf-graphs/service``, ``.../statements``. Otherwise no
    Graph Store URL, and updates go to the endpoint itself.
    """
    parts = urlsplit(endpoint)
    path = parts.path.rstrip("/")
    at = lambda p: urlunsplit((parts.scheme, parts.netloc, p, "", ""))   # noqa: E731
    product = server.split("/")[0].strip().lower()
    if product == "oxigraph":
        return at("/store"), at("/update")
    if product == "virtuoso" or path == "/sparql":
        return (at("/sparql-graph-crud-auth"), at("/sparql-auth")) if authenticated else \
               (at("/sparql-graph-crud"), at("/sparql"))
    if path == "/query":
        return at("/store"), at("/update")
    match = re.fullmatch(r"(/.+)/(sparql|query)", path)                  # Fuseki: /DATASET/sparql
    if match:
        return at(match.group(1) + "/data"), at(match.group(1) + "/update")
    match = re.fullmatch(r"(.*/repositories/[^/]+)", path)               # RDF4J, GraphDB
    if match:
        return at(match.group(1) + "/rdf-graphs/service"), at(match.group(1) + "/statements")
    return None, endpoint


# --------------------------------------------------------------------------- HTTP

class _AutoAuth(httpx.Auth):
    """HTTP basic or digest, whichever the server asks for; learnt once, then sent up front."""

    def __init__(self, user: str, password: str):
        self._basic = httpx.BasicAuth(user, password)
        self._digest = httpx.DigestAuth(user, password)
        self._scheme: str | None = None

    def auth_flow(self, request):
        if self._scheme == "basic":
            yield from self._basic.auth_flow(request)
            return
        if self._scheme == "digest":
            yield from self._digest.auth_flow(request)
            return
        response = yield request
        challenge = response.headers.get("www-authenticate", "").strip().lower()
        if response.status_code != 401:
            return
        if challenge.startswith("digest"):
            self._scheme = "digest"
            flow = self._digest.auth_flow(request)
            next(flow)                                  # the unauthenticated request, already answered
            retry = flow.send(response)                 # the same request with the digest answer
            answer = yield retry
            try:
                flow.send(answer)
            except StopIteration:
                pass
        elif challenge.startswith("basic"):
            self._scheme = "basic"
            yield from self._basic.auth_flow(request)


class Client:
    """An HTTP client whose every failure is a one-line KgError."""

    def __init__(self, user: str | None = None, password: str | None = None, timeout: float = 60.0):
        self.authenticated = user is not None
        self.timeout = timeout
        self.http = httpx.Client(timeout=timeout, follow_redirects=True,
                                 auth=_AutoAuth(user, password or "") if user is not None else None,
                                 headers={"User-Agent": f"newskg/{__import__('kg').__version__}"})

    def close(self) -> None:
        self.http.close()

    def request(self, method: str, url: str, *, check: bool = True, **kwargs) -> httpx.Response:
        try:
            response = self.http.request(method, url, **kwargs)
        except httpx.ConnectError as err:
            raise KgError(f"cannot connect to {_origin(url)}: {_reason(err)}") from None
        except httpx.TimeoutException:
            raise KgError(f"{url}: no answer within {self.timeout:g} s") from None
        except httpx.HTTPError as err:
            raise KgError(f"{url}: request failed: {_reason(err)}") from None
        if check and not response.is_success:
            raise KgError(self._refusal(url, response))
        return response

    def _refusal(self, url: str, response: httpx.Response) -> str:
        head = f"{method_of(response)} {_strip_query(url)}: HTTP {response.status_code} {response.reason_phrase}"
        message = server_message(response)
        if response.status_code in (401, 403):
            hint = ("check --user and the password in the --password-env variable" if self.authenticated
                    else "the store wants a user: give --user NAME --password-env VAR")
            return f"{head}: {hint}" + (f" ({message})" if message else "")
        return head + (f": {message}" if message else "")


def method_of(response: httpx.Response) -> str:
    return response.request.method if response.request is not None else "request"


def server_message(response: httpx.Response, limit: int = 300) -> str:
    """The server's explanation in one line: tags, entities and runs of white space removed."""
    try:
        text = response.text
    except Exception:   # undecodable body: nothing useful to show
        return ""
    if "<" in text and ">" in text:
        text = re.sub(r"(?is)<(script|style|title|head)\b.*?</\1>", " ", text)
        text = re.sub(r"<[^>]+>", " ", text)
    text = " ".join(html.unescape(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _reason(err: Exception) -> str:
    text = str(err)
    if "refused" in text.lower():
        return "connection refused (is the store running, and on this port?)"
    if "name or service not known" in text.lower() or "nodename nor servname" in text.lower():
        return "unknown host"
    return _one_line(err)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


def _strip_query(url: str) -> str:
    return url.split("?", 1)[0]


def _one_line(err: Exception) -> str:
    return " ".join(str(err).split())[:300] or type(err).__name__


# --------------------------------------------------------------------------- pushing

def terminal_progress(quiet: bool = False) -> Callable[[int, int, str, int], None]:
    """A one-line progress display on stderr when it is a terminal; silent otherwise."""
    live = not quiet and sys.stderr.isatty()

    def show(done: int, total: int, name: str, triples: int) -> None:
        if live:
            print(f"\r[{done}/{total}] {triples:>7} triples  {name[-60:]:<60}", end="", file=sys.stderr, flush=True)
            if done == total:
                print(file=sys.stderr)
    return show


def probe(client: Client, endpoint: str) -> str:
    """Check the endpoint answers at all (a cheap ASK) and return its Server header."""
    response = client.request("GET", endpoint, params={"query": "ASK {}"}, check=False,
                              headers={"Accept": "application/sparql-results+json"})
    return response.headers.get("server", "")


def put_graph(client: Client, graph_store: str, name: str, body: bytes) -> None:
    """Replace one graph with the Graph Store Protocol (N-Triples is Turtle, which every store reads)."""
    client.request("PUT", graph_store, params={"graph": name}, content=body,
                   headers={"Content-Type": "text/turtle; charset=utf-8"})


def update(client: Client, url: str, sparql: str) -> None:
    client.request("POST", url, data={"update": sparql},
                   headers={"Accept": "application/sparql-results+json, */*;q=0.5"})


def batches(triples: list[pyoxigraph.Triple], size: int) -> Iterator[list[pyoxigraph.Triple]]:
    """Triples in batches of about `size`; triples sharing a blank node stay in one batch
    (a blank node label means one node only within one INSERT DATA)."""
    size = max(1, size)
    parent: dict = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    groups: dict = {}
    for i, t in enumerate(triples):
        blanks = [term for term in (t.subject, t.object) if isinstance(term, pyoxigraph.BlankNode)]
        if not blanks:
            groups[("triple", i)] = [t]
            continue
        root = find(blanks[0].value)
        for b in blanks[1:]:
            other = find(b.value)
            if other != root:
                parent[other] = root
    for t in triples:
        blanks = [term for term in (t.subject, t.object) if isinstance(term, pyoxigraph.BlankNode)]
        if blanks:
            groups.setdefault(("blank", find(blanks[0].value)), []).append(t)
    batch: list = []
    for group in groups.values():
        if batch and len(batch) + len(group) > size:
            yield batch
            batch = []
        batch.extend(group)
    if batch:
        yield batch


def push(source: GraphSource, *, endpoint: str | None = None, graph_store: str | None = None,
         use_update: bool = False, user: str | None = None, password: str | None = None,
         batch_size: int = DEFAULT_BATCH, timeout: float = 60.0,
         progress: Callable[[int, int, str, int], None] | None = None) -> Summary:
    """Push every graph of `source`; raises KgError on the first failure."""
    if not endpoint and not graph_store:
        raise KgError("give the store's SPARQL endpoint with --endpoint URL (or its --graph-store URL)")
    if use_update and graph_store:
        raise KgError("--update sends SPARQL Update to the endpoint; it takes no --graph-store")
    started = time.perf_counter()
    client = Client(user, password, timeout)
    try:
        server = probe(client, endpoint) if endpoint else ""
        if endpoint:
            derived_store, update_url = conventional_urls(endpoint, server, client.authenticated)
        else:
            derived_store, update_url = None, ""
        if use_update:
            target, method = update_url, "SPARQL 1.1 Update, DROP + INSERT DATA"
        else:
            target = graph_store or derived_store
            if not target:
                raise KgError(f"{endpoint}: no known Graph Store URL for this endpoint; give it with "
                              "--graph-store URL, or use --update")
            method = "SPARQL 1.1 Graph Store Protocol, PUT per graph"
        total = len(source.graphs)
        triples = 0
        for done, (name, graph) in enumerate(source.graphs, 1):
            content = source.triples(graph)
            if use_update:
                update(client, target, f"DROP SILENT GRAPH <{name}>")
                for batch in batches(content, batch_size):
                    body = ntriples(batch).decode("utf-8")
                    update(client, target, f"INSERT DATA {{ GRAPH <{name}> {{\n{body}}} }}")
            else:
                put_graph(client, target, name, ntriples(content))
            triples += len(content)
            if progress:
                progress(done, total, name, len(content))
    finally:
        client.close()
    return Summary(total, triples, time.perf_counter() - started, target, method)
