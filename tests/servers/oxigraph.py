"""The Oxigraph server (the `oxigraph` binary of the PyPI package of that name, a test extra)."""
from __future__ import annotations

import subprocess
from pathlib import Path

from . import LOOPBACK, ServerError, find_program, free_port, stop, wait_until_answering

HINT = "install the test extras (pip install -e '.[test]', as make test does): the oxigraph package ships it"


def program() -> str:
    return find_program("oxigraph", hint=HINT)


def bulk_load(location: Path, *files: Path) -> None:
    """Oxigraph's own bulk loader, into a store directory no server has open."""
    for file in files:
        done = subprocess.run([program(), "load", "--location", str(location), "--file", str(file)],
                              capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise ServerError(f"oxigraph load {file} failed ({done.returncode}): {done.stderr.strip()[-800:]}")


class OxigraphServer:
    """`oxigraph serve` on a free loopback port over a store directory; a context manager."""

    def __init__(self, location: Path):
        self.location = Path(location)
        self.port = 0
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def query_url(self) -> str:
        return self.base + "/query"

    @property
    def update_url(self) -> str:
        return self.base + "/update"

    @property
    def store_url(self) -> str:
        return self.base + "/store"

    def __enter__(self) -> "OxigraphServer":
        binary = program()
        self.location.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        log = self.location.parent / f"{self.location.name}.log"
        with open(log, "wb") as out:
            self.process = subprocess.Popen([binary, "serve", "--location", str(self.location),
                                             "--bind", f"{LOOPBACK}:{self.port}"],
                                            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            wait_until_answering(f"{self.query_url}?query=ASK%7B%7D", self.process, log, 30, "oxigraph serve")
        except BaseException:
            stop(self.process)
            raise
        return self

    def __exit__(self, *exc) -> None:
        stop(self.process)
