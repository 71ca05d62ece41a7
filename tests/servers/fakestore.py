"""A tiny in-process triple store speaking just enough HTTP for `kg push` tests: a SPARQL endpoint
that answers ASK, a Graph Store endpoint (PUT ?graph=) and an update endpoint that records requests.
It can demand HTTP basic authentication and can fail on purpose."""
from __future__ import annotations

import base64
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from . import LOOPBACK


class FakeStore:
    def __init__(self, user: str | None = None, password: str | None = None, server_header: str = "FakeStore/1.0"):
        self.user, self.password = user, password
        self.server_header = server_header
        self.graphs: dict[str, bytes] = {}        # graph IRI -> body of the last PUT
        self.requests: list[tuple[str, str, dict, bytes]] = []   # method, path, query, body
        self.updates: list[str] = []
        self.fail_with: tuple[int, str, str] | None = None     # status, content type, body
        self._server = ThreadingHTTPServer((LOOPBACK, 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def base(self) -> str:
        return f"http://{LOOPBACK}:{self._server.server_address[1]}"

    def __enter__(self) -> "FakeStore":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _handler(self):
        store = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):      # quiet
                pass

            def version_string(self):
                return store.server_header

            def _reply(self, status: int, body: bytes = b"", ctype: str = "text/plain", headers=()):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def _authorised(self) -> bool:
                if store.user is None:
                    return True
                expected = "Basic " + base64.b64encode(f"{store.user}:{store.password}".encode()).decode()
                if self.headers.get("Authorization") == expected:
                    return True
                self._reply(401, b"<html><body><h1>401</h1><p>Authentication required</p></body></html>",
                            "text/html", [("WWW-Authenticate", 'Basic realm="fake"')])
                return False

            def _handle(self, method: str):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if parts.path == "/query" and method == "GET":
                    return self._reply(200, b'{"head": {}, "boolean": true}', "application/sparql-results+json")
                if not self._authorised():
                    return
                store.requests.append((method, parts.path, query, body))
                if store.fail_with:
                    status, ctype, text = store.fail_with
                    return self._reply(status, text.encode(), ctype)
                if parts.path == "/store" and method == "PUT":
                    if "text/turtle" not in self.headers.get("Content-Type", ""):
                        return self._reply(415, b"unsupported media type")
                    created = query["graph"] not in store.graphs
                    store.graphs[query["graph"]] = body
                    return self._reply(201 if created else 204)
                if parts.path == "/update" and method == "POST":
                    form = {k: v[0] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
                    store.updates.append(form["update"])
                    return self._reply(204)
                return self._reply(404, b"no such endpoint")

            def do_GET(self):
                self._handle("GET")

            def do_PUT(self):
                self._handle("PUT")

            def do_POST(self):
                self._handle("POST")

        return Handler
