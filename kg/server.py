"""`kg serve`: a read-only SPARQL 1.1 Protocol endpoint over a store directory.

Why not the ``oxigraph serve-read-only`` server: its ``--timeout-s`` does not bound a query's time.
Measured with 0.5.13 on a 345-triple store and a 2 s limit: a COUNT over a four-way join was
cancelled after 11 s (with status 200 and a cut-off body), a streamed ``SELECT *`` ran on past the
limit, and an ``ORDER BY`` over the same join grew to 4.3 GB in 8 s and went on after the client had
left. It also runs ``SERVICE`` clauses (outgoing HTTP requests). So the endpoint is this module:

- the standard library's ThreadingHTTPServer speaks the protocol: GET and POST (form or
  ``application/sparql-query``), ``default-graph-uri`` / ``named-graph-uri``, content negotiation
  (SPARQL JSON, XML, CSV, TSV results; Turtle, N-Triples, RDF/XML graphs), 406 when nothing fits;
- each query runs in a worker process that holds the store open read-only (pyoxigraph); a query
  still running at the time limit has its worker killed (answer 503) and a fresh worker replaces
  it, so the limit is hard, whatever the query does;
- updates (``update=``, ``application/sparql-update``, /update, an update sent as a query), ``LOAD``
  and ``SERVICE`` are answered 403 with a message before anything runs;
- it listens on 127.0.0.1 unless told otherwise.
"""
from __future__ import annotations

import json
import os
import queue
import re
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .errors import KgError
from .prefixes import QUERY_PREFIXES

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 10.0
DEFAULT_WORKERS = 2
MAX_REQUEST_BYTES = 1 << 20          # a query (or form) larger than 1 MiB is refused (413)
MAX_RESULT_BYTES = 512 << 20         # a result larger than 512 MiB is refused (500): add a LIMIT
QUERY_PATHS = ("/query", "/sparql")

#: media type -> (result kind, pyoxigraph format name); the first of each kind is the default
RESULT_TYPES = {
    "application/sparql-results+json": ("results", "JSON"),
    "application/sparql-results+xml": ("results", "XML"),
    "text/csv": ("results", "CSV"),
    "text/tab-separated-values": ("results", "TSV"),
    "application/json": ("results", "JSON"),
    "application/xml": ("results", "XML"),
    "text/turtle": ("graph", "TURTLE"),
    "application/n-triples": ("graph", "N_TRIPLES"),
    "application/rdf+xml": ("graph", "RDF_XML"),
    "text/plain": ("graph", "N_TRIPLES"),
}
PREFIXES = QUERY_PREFIXES
UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
QUERY_FORMS = {"SELECT": "results", "ASK": "results", "CONSTRUCT": "graph", "DESCRIBE": "graph"}


# ------------------------------------------------------------------ reading a query without running it

_PN_LOCAL_CHAR = r"(?:[\w\-:]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F\u2040]+)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<bnode>_:[\w\-]+(?:\.+[\w\-]+)*)
  | (?P<pname>(?:[^\W\d_](?:[\w\-.]*[\w\-])?)?:(?:LOCAL(?:(?:LOCAL|\.)*LOCAL)?)?)
  | (?P<word>[^\W\d]\w*)
  | (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<other>.)
""".replace("LOCAL", _PN_LOCAL_CHAR), re.VERBOSE | re.DOTALL)


def query_words(sparql: str) -> list[str]:
    """The keywords and other bare words of a SPARQL text, upper-cased, in order: everything that is not
    inside a string, an IRI, a comment, a variable, a prefixed name, a language tag or a blank node."""
    return [m.group("word").upper() for m in _TOKEN.finditer(sparql) if m.lastgroup == "word"]


def inspect_query(sparql: str) -> tuple[str | None, str | None]:
    """(query form, reason to refuse or None). The form is SELECT, ASK, CONSTRUCT or DESCRIBE, or None
    when the text does not say (the engine then reports the syntax error)."""
    for text in {sparql, _unescape_codepoints(sparql)}:   # \\u escapes: as a parser that expands them would
        words = query_words(text)
        form = next((w for w in words if w not in ("PREFIX", "BASE")), None)
        if form in UPDATE_KEYWORDS:
            what = "LOAD" if form == "LOAD" else "SPARQL Update"
            return None, f"{what} is refused: this endpoint is read-only"
        if "SERVICE" in words:
            return None, "SERVICE (federated query) is refused: this endpoint queries only its own store"
        if "LOAD" in words:
            return None, "LOAD is refused: this endpoint is read-only"
    words = query_words(sparql)
    form = next((w for w in words if w not in ("PREFIX", "BASE")), None)
    return (form if form in QUERY_FORMS else None), None


def _update_refusal(update: str) -> str:
    if "LOAD" in query_words(update):
        return "LOAD is refused: this endpoint is read-only"
    return "SPARQL Update is refused: this endpoint is read-only"


def _unescape_codepoints(text: str) -> str:
    return re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})",
                  lambda m: chr(int(m.group(1) or m.group(2), 16)) if int(m.group(1) or m.group(2), 16) < 0x110000
                  else m.group(0), text)


def negotiate(accept: str | None, kind: str | None) -> tuple[str | None, dict]:
    """Content negotiation: (media type for a query of ``kind``, or None if the Accept header admits none;
    {kind: (media type, pyoxigraph format name)} for each kind the header admits).

    Each type's quality is the q of the most specific range that matches it; the highest quality wins,
    then the type the client listed first, then the order of RESULT_TYPES (JSON, Turtle first)."""
    ranges = []
    for position, part in enumerate((accept or "*/*").split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((fields[0].lower(), q, position))
    chosen: dict = {}
    for rank, (media, (kind_of, fmt)) in enumerate(RESULT_TYPES.items()):
        match = None                            # (specificity, q, position) of the most specific range
        for pattern, q, position in ranges:
            if _matches(pattern, media):
                specificity = 0 if pattern in ("*/*", "*") else 1 if pattern.endswith("/*") else 2
                if match is None or specificity > match[0]:
                    match = (specificity, q, position)
        if match is None or match[1] <= 0:
            continue
        key = (match[1], -match[2] if match[0] == 2 else -len(ranges), -rank)
        if kind_of not in chosen or key > chosen[kind_of][0]:
            chosen[kind_of] = (key, media, fmt)
    formats = {k: (media, fmt) for k, (_key, media, fmt) in chosen.items()}
    return (formats[kind][0] if kind in formats else None), formats


def _matches(pattern: str, media: str) -> bool:
    if pattern in ("*/*", "*"):
        return True
    if pattern.endswith("/*"):
        return media.startswith(pattern[:-1])
    return pattern == media


# ------------------------------------------------------------------ worker processes

def _write_frame(stream, data: bytes) -> None:
    stream.write(struct.pack(">Q", len(data)))
    stream.write(data)
    stream.flush()


def _read_exact(stream, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _read_frame(stream) -> bytes:
    return _read_exact(stream, struct.unpack(">Q", _read_exact(stream, 8))[0])


def worker_main(store_path: str) -> int:
    """A query worker: the store opened read-only; requests in on stdin, results out on stdout."""
    import pyoxigraph

    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the server stops its workers itself
    _die_with_parent()
    channel_in, channel_out = sys.stdin.buffer, os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr                        # nothing else may write on the channel
    try:
        store = pyoxigraph.Store.read_only(store_path)
    except OSError as err:
        _write_frame(channel_out, json.dumps({"ready": False, "error": " ".join(str(err).split())}).encode())
        return 1
    _write_frame(channel_out, json.dumps({"ready": True}).encode())
    while True:
        try:
            request = json.loads(_read_frame(channel_in))
        except EOFError:
            return 0
        header, body = _answer(pyoxigraph, store, request)
        _write_frame(channel_out, json.dumps(header).encode())
        _write_frame(channel_out, body)


def _answer(pyoxigraph, store, request: dict) -> tuple[dict, bytes]:
    def fail(status: int, message: str) -> tuple[dict, bytes]:
        return {"status": status}, (" ".join(message.split()) + "\n").encode("utf-8")

    options: dict = {}       # the store's default graph is the merge of all its graphs (kg.store.KgStore)
    try:
        if request.get("default"):
            options["default_graph"] = [pyoxigraph.NamedNode(iri) for iri in request["default"]]
        if request.get("named"):
            options["named_graphs"] = [pyoxigraph.NamedNode(iri) for iri in request["named"]]
    except ValueError as err:
        return fail(400, f"not a valid graph IRI: {err}")
    try:
        result = store.query(request["query"], prefixes=PREFIXES, **options)
        if isinstance(result, pyoxigraph.QueryTriples):
            kind = "graph"
        else:
            kind = "results"
        if kind not in request["formats"]:
            wanted = " or ".join(t for t, (k, _) in RESULT_TYPES.items() if k == kind)
            return fail(406, f"this query gives {'an RDF graph' if kind == 'graph' else 'query results'}: "
                             f"accept one of {wanted}")
        media, fmt = request["formats"][kind]
        if kind == "graph":   # a graph is a set: Oxigraph 0.5 can repeat a CONSTRUCTed triple (oxigraph #525)
            result = list(dict.fromkeys(result))
            body = pyoxigraph.serialize(result, format=getattr(pyoxigraph.RdfFormat, fmt),
                                        prefixes=PREFIXES if fmt == "TURTLE" else None)
        else:
            body = result.serialize(format=getattr(pyoxigraph.QueryResultsFormat, fmt))
    except SyntaxError as err:
        return fail(400, f"malformed SPARQL query: {err}")
    except (OSError, RuntimeError, ValueError, TypeError) as err:
        return fail(500, f"query failed: {err}")
    if len(body) > MAX_RESULT_BYTES:
        return fail(500, f"the result is larger than {MAX_RESULT_BYTES >> 20} MiB: add a LIMIT")
    return {"status": 200, "type": media}, body


def _die_with_parent() -> None:
    """On Linux, have the kernel kill this worker if the server dies without stopping it."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class QueryTimeout(Exception):
    pass


class WorkerFailed(Exception):
    pass


class _Worker:
    """One worker process and its pipes."""

    def __init__(self, store_path: Path):
        self.proc = subprocess.Popen([sys.executable, "-m", "kg.server", "--worker", str(store_path)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True,
                                     start_new_session=True)   # Ctrl-C reaches the server, not the workers
        self.ready = False

    def _read(self, size: int, deadline: float) -> bytes:
        fd = self.proc.stdout.fileno()
        chunks, left = [], size
        while left:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise QueryTimeout
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                raise WorkerFailed("the query worker stopped")
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def _frame(self, deadline: float) -> bytes:
        return self._read(struct.unpack(">Q", self._read(8, deadline))[0], deadline)

    def wait_ready(self, timeout: float = 60.0) -> None:
        if self.ready:
            return
        try:
            hello = json.loads(self._frame(time.monotonic() + timeout))
        except QueryTimeout:
            raise WorkerFailed("the query worker did not start in time") from None
        if not hello.get("ready"):
            raise WorkerFailed(f"cannot open the store: {hello.get('error')}")
        self.ready = True

    def ask(self, request: dict, timeout: float) -> tuple[dict, bytes]:
        deadline = time.monotonic() + timeout
        try:
            _write_frame(self.proc.stdin, json.dumps(request).encode("utf-8"))
        except (BrokenPipeError, OSError):
            raise WorkerFailed("the query worker stopped") from None
        header = json.loads(self._frame(deadline))
        return header, self._frame(deadline + 60)   # the result is computed: give its transfer time

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass


class WorkerPool:
    """A fixed number of query workers; a worker that overruns the time limit is killed and replaced.

    Workers are started by one long-lived thread of the pool: on Linux a worker dies with the thread
    that started it (PR_SET_PDEATHSIG), and request threads come and go."""

    def __init__(self, store_path: Path, size: int, start_timeout: float = 60.0):
        self.store_path = store_path
        self.idle: queue.Queue = queue.Queue()
        self.all: set = set()
        self.lock = threading.Lock()
        self.closed = False
        self._requests: queue.Queue = queue.Queue()
        self._started: queue.Queue = queue.Queue()
        self.serving = False
        self._thread = threading.Thread(target=self._spawner, name="kg-serve-workers", daemon=True)
        self._thread.start()
        for _ in range(size):
            self._requests.put(True)
        for _ in range(size):
            try:
                failure = self._started.get(timeout=start_timeout + 5)
            except queue.Empty:
                failure = "the query workers did not start in time"
            if failure:
                self.close()
                raise WorkerFailed(failure)
        self.serving = True

    def _spawner(self) -> None:
        while self._requests.get():
            if self.closed:
                break
            worker = None
            try:
                worker = _Worker(self.store_path)
                with self.lock:
                    self.all.add(worker)
                worker.wait_ready()
            except (WorkerFailed, OSError) as err:
                if worker is not None:
                    worker.kill()
                    with self.lock:
                        self.all.discard(worker)
                self._started.put(str(err))
                if self.serving:
                    print(f"kg serve: cannot start a query worker: {err}", file=sys.stderr)
                continue
            self.idle.put(worker)
            self._started.put(None)

    def run(self, request: dict, timeout: float) -> tuple[dict, bytes]:
        try:
            worker = self.idle.get(timeout=timeout)
        except queue.Empty:
            return {"status": 503}, b"every query worker is busy: try again later\n"
        try:
            header, body = worker.ask(request, timeout)
        except QueryTimeout:
            self._replace(worker)
            return {"status": 503}, f"the query ran past the time limit of {timeout:g} s and was stopped\n".encode()
        except WorkerFailed as err:
            self._replace(worker)
            return {"status": 500}, f"{err}\n".encode()
        except BaseException:
            self._replace(worker)
            raise
        self.idle.put(worker)
        return header, body

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        with self.lock:
            self.all.discard(worker)
            if self.closed:
                return
        self._requests.put(True)

    def close(self) -> None:
        with self.lock:
            self.closed = True
            workers = list(self.all)
            self.all.clear()
        self._requests.put(False)
        for worker in workers:
            worker.kill()


# ------------------------------------------------------------------ the HTTP side

class _Handler(BaseHTTPRequestHandler):
    server_version = "newskg-sparql"
    protocol_version = "HTTP/1.1"
    server: "SparqlServer"

    def log_message(self, format: str, *args) -> None:   # noqa: A002 (the base class's name)
        if not self.server.quiet:
            super().log_message(format, *args)

    # -------------------------------------------------------------- methods
    def do_GET(self) -> None:
        url = urlsplit(self.path)
        params = parse_qs(url.query, keep_blank_values=True)
        if url.path in ("/", ""):
            return self._reply(200, "text/plain; charset=utf-8", self.server.description().encode("utf-8"))
        if url.path == "/update" or "update" in params:
            return self._refuse(_update_refusal(" ".join(params.get("update", []))))
        if url.path not in QUERY_PATHS:
            return self._error(404, f"no such resource: {url.path} (the endpoint is {QUERY_PATHS[0]})")
        queries = params.get("query", [])
        if len(queries) != 1:
            return self._error(400, "give exactly one query parameter")
        self._query(queries[0], params)

    def do_HEAD(self) -> None:
        self._error(405, "use GET or POST")

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        params = parse_qs(url.query, keep_blank_values=True)
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self.close_connection = True
            return self._error(411, "a POST needs a Content-Length")
        if length > MAX_REQUEST_BYTES:
            self.close_connection = True         # the body is not read
            return self._error(413, f"the request is larger than {MAX_REQUEST_BYTES >> 10} KiB")
        body = self.rfile.read(length)
        media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if url.path == "/update" or "update" in params:
            if media == "application/x-www-form-urlencoded":
                text = " ".join(parse_qs(body.decode("ascii", "replace")).get("update", []))
            else:
                text = body.decode("utf-8", "replace") + " ".join(params.get("update", []))
            return self._refuse(_update_refusal(text))
        if url.path not in QUERY_PATHS:
            return self._error(404, f"no such resource: {url.path} (the endpoint is {QUERY_PATHS[0]})")
        charset = "utf-8"
        try:
            if media == "application/x-www-form-urlencoded":
                form = parse_qs(body.decode("ascii", "replace"), keep_blank_values=True)
                if "update" in form:
                    return self._refuse(_update_refusal(" ".join(form["update"])))
                for name in ("default-graph-uri", "named-graph-uri"):
                    params.setdefault(name, []).extend(form.get(name, []))
                queries = form.get("query", [])
                if len(queries) != 1:
                    return self._error(400, "give exactly one query parameter")
                self._query(queries[0], params)
            elif media == "application/sparql-query":
                self._query(body.decode(charset), params)
            elif media == "application/sparql-update":
                self._refuse(_update_refusal(body.decode("utf-8", "replace")))
            else:
                self._error(415, "send application/sparql-query or application/x-www-form-urlencoded")
        except UnicodeDecodeError:
            self._error(400, "the query is not UTF-8")

    def _write_refused(self) -> None:
        self.close_connection = True             # the body is not read
        self._refuse("this endpoint is read-only: it takes no PUT, DELETE or PATCH")

    do_PUT = do_DELETE = do_PATCH = _write_refused

    # -------------------------------------------------------------- the query
    def _query(self, sparql: str, params: dict) -> None:
        form, refusal = inspect_query(sparql)
        if refusal:
            return self._refuse(refusal)
        kind = QUERY_FORMS.get(form) if form else None
        media, formats = negotiate(self.headers.get("Accept"), kind)
        if kind and media is None:
            wanted = ", ".join(t for t, (k, _) in RESULT_TYPES.items() if k == kind)
            return self._error(406, f"none of the accepted types fits a {form} query: accept one of {wanted}")
        request = {"query": sparql, "default": params.get("default-graph-uri"),
                   "named": params.get("named-graph-uri"), "formats": formats}
        header, body = self.server.pool.run(request, self.server.timeout)
        status = header.get("status", 500)
        if status == 200:
            media = header["type"]
            if media.startswith("text/") or media.endswith(("json", "xml")):
                media += "; charset=utf-8"
            return self._reply(200, media, body)
        self._reply(status, "text/plain; charset=utf-8", body)

    # -------------------------------------------------------------- answers
    def _refuse(self, message: str) -> None:
        self._error(403, message)

    def _error(self, status: int, message: str) -> None:
        self._reply(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"))

    def _reply(self, status: int, media: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept")
        if status == 405:
            self.send_header("Allow", "GET, POST")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class SparqlServer(ThreadingHTTPServer):
    """The endpoint: ``SparqlServer(store_dir, ...).serve_forever()``, or ``start()`` in a thread."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, store_path: str | Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                 timeout: float = DEFAULT_TIMEOUT, workers: int = DEFAULT_WORKERS, quiet: bool = False):
        from .store import open_store
        if timeout <= 0:
            raise KgError("--timeout must be more than 0 seconds")
        if workers < 1:
            raise KgError("--workers must be at least 1")
        self.store = open_store(store_path, read_only=True)   # checks the directory; holds the shared lock
        self.timeout = float(timeout)
        self.quiet = quiet
        self.pool = None
        if ":" in host:
            import socket
            self.address_family = socket.AF_INET6
        try:
            super().__init__((host, port), _Handler)
        except OSError as err:
            self.store.close()
            raise KgError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
        try:
            self.pool = WorkerPool(self.store.path, workers)
        except WorkerFailed as err:
            self.server_close()
            raise KgError(f"{self.store.path}: {err}") from None
        self._thread = None

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}{QUERY_PATHS[0]}"

    def description(self) -> str:
        return (f"newskg SPARQL 1.1 endpoint (read-only) over {self.store.path}\n"
                f"GET {QUERY_PATHS[0]}?query=... or POST {QUERY_PATHS[0]} (form or application/sparql-query).\n"
                f"Results: application/sparql-results+json, +xml, text/csv, text/tab-separated-values; "
                f"CONSTRUCT/DESCRIBE: text/turtle, application/n-triples, application/rdf+xml.\n"
                f"Time limit per query: {self.timeout:g} s. Updates, LOAD and SERVICE are refused (403).\n")

    def start(self) -> "SparqlServer":
        """Serve from a background thread (for tests and embedding); stop with :meth:`close`."""
        self._thread = threading.Thread(target=self.serve_forever, name="kg-serve", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        self.server_close()
        if self.pool is not None:
            self.pool.close()
        self.store.close()

    def __enter__(self) -> "SparqlServer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def is_loopback(host: str) -> bool:
    import ipaddress
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(store_path: str | Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          timeout: float = DEFAULT_TIMEOUT, workers: int = DEFAULT_WORKERS, quiet: bool = False) -> int:
    """Run the endpoint until interrupted (Ctrl-C or SIGTERM)."""
    server = SparqlServer(store_path, host, port, timeout, workers, quiet)

    def stop(_signum, _frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        if not is_loopback(host):
            print(f"kg serve: warning: listening on {host}, reachable from other machines", file=sys.stderr)
        print(f"kg serve: {server.store.path} at {server.url} (read-only, time limit {server.timeout:g} s, "
              f"{workers} worker{'s' if workers != 1 else ''}); Ctrl-C stops", flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.close()
    return 0


if __name__ == "__main__":   # python -m kg.server --worker STORE: a query worker (started by the server)
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        sys.exit(worker_main(sys.argv[2]))
    sys.exit("usage: kg serve --store DIR (python -m kg.server is the server's query worker)")
