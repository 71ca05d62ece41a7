"""Real triple stores for the interoperability tests, started on loopback and always stopped.

Each server is a context manager: it starts in a temporary directory on free 127.0.0.1 ports, waits
until it answers, and on exit is terminated (killed if need be) and waited for. A server that cannot
start raises ServerError with the reason (missing program, its log), and the tests fail with it:
nothing here is skipped.
"""
from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

import httpx

LOOPBACK = "127.0.0.1"


class ServerError(RuntimeError):
    """A server could not be found, started or used; the message says why."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def find_program(*names: str, hint: str) -> str:
    """The first of `names` in the venv's bin directory or on PATH."""
    for name in names:
        local = Path(sys.executable).parent / name
        if local.exists():
            return str(local)
        found = shutil.which(name)
        if found:
            return found
    raise ServerError(f"{' or '.join(names)} not found: {hint}")


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_until_answering(url: str, process: subprocess.Popen, log: Path, timeout: float, name: str) -> None:
    """Poll `url` until it answers 200; fail early if the process exits."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"{name} exited with status {process.returncode} while starting:\n{tail(log)}")
        try:
            response = httpx.get(url, timeout=2.0)
            if response.status_code == 200:
                return
            last = f"HTTP {response.status_code}"
        except httpx.HTTPError as err:
            last = str(err) or type(err).__name__
        time.sleep(0.2)
    raise ServerError(f"{name} did not answer {url} within {timeout:g} s ({last}):\n{tail(log)}")


def stop(process: subprocess.Popen | None, grace: float = 10.0) -> None:
    """Terminate, then kill if it lingers; always reap it."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=grace)


# --------------------------------------------------------------------------- comparing answers

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "short", "byte",
                              "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
                              "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort",
                              "unsignedByte")}
CONCAT_SEPARATOR = " | "   # the GROUP_CONCAT separator of examples/queries: its order is unspecified


def plain(term: dict | None):
    """A SPARQL JSON term as a plain value: numbers by value ("0.9" == "0.90" == "9.0E-1"),
    GROUP_CONCAT lists in sorted order, everything else by its lexical form.

    Unbound is the empty string: stores differ on GROUP_CONCAT over no values (Oxigraph leaves the
    variable unbound, Virtuoso gives ""), and the examples' OPTIONAL aliases meet exactly that."""
    if term is None:
        return ""
    value = term["value"]
    if term.get("type") in ("literal", "typed-literal") and term.get("datatype") in NUMERIC:
        try:
            return Decimal(value)
        except InvalidOperation:
            return float(value)   # INF, -INF, NaN
    if CONCAT_SEPARATOR in value:
        return CONCAT_SEPARATOR.join(sorted(value.split(CONCAT_SEPARATOR)))
    return value


def answers(results: dict | str | bytes) -> Counter | bool:
    """SPARQL 1.1 JSON results as a multiset of rows (tuples in the order of the variables)."""
    if not isinstance(results, dict):
        results = json.loads(results)
    if "boolean" in results:
        return bool(results["boolean"])
    names = results["head"]["vars"]
    return Counter(tuple(plain(b.get(n)) for n in names) for b in results["results"]["bindings"])


def sparql_select(url: str, query: str, **params) -> dict:
    """Run a query over HTTP (POST, form-encoded) and return the JSON results."""
    response = httpx.post(url, data={"query": query, **params}, timeout=60.0,
                          headers={"Accept": "application/sparql-results+json"})
    if response.status_code != 200:
        raise ServerError(f"{url}: HTTP {response.status_code}: {response.text[:500]}")
    return response.json()
