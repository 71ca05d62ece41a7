"""OpenLink Virtuoso 7 (Debian's virtuoso-opensource-7-bin: virtuoso-t, isql-vt), run from a
config in a temporary directory: database, logs and the bulk loader's allowed directory all in it."""
from __future__ import annotations

import subprocess
from pathlib import Path

import httpx

from . import LOOPBACK, ServerError, find_program, free_port, stop, wait_until_answering

HINT = ("install the Debian package virtuoso-opensource-7-bin (make test does: "
        "apt-get install -y virtuoso-opensource-7-bin)")
USER, PASSWORD = "dba", "dba"        # a new database's administrator
#: graphs every new Virtuoso database has; whatever else is there, a test put there
SYSTEM_GRAPH_PREFIXES = ("http://www.openlinksw.com/", "http://localuriqaserver/", "http://www.w3.org/ns/ldp#",
                         "http://www.w3.org/2002/07/owl#")

CONFIG = """\
[Database]
DatabaseFile        = {dir}/virtuoso.db
ErrorLogFile        = {dir}/virtuoso.log
LockFile            = {dir}/virtuoso.lck
TransactionFile     = {dir}/virtuoso.trx
xa_persistent_file  = {dir}/virtuoso.pxa
ErrorLogLevel       = 7
FileExtend          = 200
MaxCheckpointRemap  = 2000
Striping            = 0
TempStorage         = TempDatabase

[TempDatabase]
DatabaseFile        = {dir}/virtuoso-temp.db
TransactionFile     = {dir}/virtuoso-temp.trx
MaxCheckpointRemap  = 2000
Striping            = 0

[Parameters]
ServerPort          = {loopback}:{sql_port}
DisableUnixSocket   = 1
NumberOfBuffers     = 10000
MaxDirtyBuffers     = 6000
CheckpointInterval  = 60
DirsAllowed         = ., {dir}, {data}

[HTTPServer]
ServerPort          = {loopback}:{http_port}
ServerThreads       = 4
MaxClientConnections = 4

[SPARQL]
ResultSetMaxRows    = 100000
MaxQueryExecutionTime = 60
"""


class VirtuosoServer:
    """virtuoso-t in the foreground on free loopback ports (SQL and HTTP); a context manager.

    `data` is a directory the bulk loader may read (DirsAllowed)."""

    def __init__(self, directory: Path, data: Path):
        self.directory = Path(directory)
        self.data = Path(data)
        self.sql_port = self.http_port = 0
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://{LOOPBACK}:{self.http_port}"

    @property
    def sparql_url(self) -> str:
        return self.base + "/sparql"

    def __enter__(self) -> "VirtuosoServer":
        binary = find_program("virtuoso-t", hint=HINT)
        find_program("isql-vt", "isql", hint=HINT)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.sql_port, self.http_port = free_port(), free_port()
        while self.http_port == self.sql_port:
            self.http_port = free_port()
        ini = self.directory / "virtuoso.ini"
        ini.write_text(CONFIG.format(dir=self.directory, data=self.data, loopback=LOOPBACK,
                                     sql_port=self.sql_port, http_port=self.http_port))
        log = self.directory / "stdout.log"
        with open(log, "wb") as out:
            self.process = subprocess.Popen([binary, "+foreground", "+configfile", str(ini)], cwd=self.directory,
                                            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:             # its output (in the foreground) is its log: a failure shows the end of it
            wait_until_answering(f"{self.sparql_url}?query=ASK%7B%7D", self.process, log, 90, "virtuoso-t")
        except BaseException:
            stop(self.process)
            raise
        return self

    def __exit__(self, *exc) -> None:
        stop(self.process, grace=20)

    def isql(self, sql: str) -> str:
        """Run SQL with isql as dba; fail on any error it reports."""
        program = find_program("isql-vt", "isql", hint=HINT)
        done = subprocess.run([program, f"{LOOPBACK}:{self.sql_port}", USER, PASSWORD, f"exec={sql}"],
                              capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        output = done.stdout + done.stderr
        if done.returncode != 0 or "*** Error" in output:
            raise ServerError(f"isql failed ({done.returncode}) on {sql!r}:\n{output[-1500:]}")
        return output

    def bulk_load(self, file: Path, graph: str) -> None:
        """Virtuoso's bulk loader (ld_dir + rdf_loader_run) on one file; `graph` takes its triples
        that are in no named graph."""
        file = Path(file).resolve()
        self.isql(f"ld_dir('{file.parent}', '{file.name}', '{graph}'); rdf_loader_run(); checkpoint;")
        status = self.isql("SELECT CONCAT('state=', ll_state, ';error=', COALESCE(ll_error, 'none')) "
                           f"FROM DB.DBA.load_list WHERE ll_file = '{file}';")
        if "state=2;error=none" not in status:
            raise ServerError(f"bulk load of {file} did not finish cleanly:\n{status[-1500:]}")

    def user_graphs(self) -> list[str]:
        """The named graphs that hold data and are not Virtuoso's own."""
        response = httpx.post(self.sparql_url, timeout=60.0, headers={"Accept": "application/sparql-results+json"},
                              data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"})
        response.raise_for_status()
        names = [b["g"]["value"] for b in response.json()["results"]["bindings"]]
        return sorted(g for g in names if not g.startswith(SYSTEM_GRAPH_PREFIXES))

    def clear(self) -> None:
        """Drop every graph a test put there."""
        for graph in self.user_graphs():
            self.isql(f"SPARQL CLEAR GRAPH <{graph}>;")
