"""Apache Jena's `riot` from Debian's libapache-jena-java, run with java.

The Debian package ships jars and no launcher, and /usr/share/java holds unrelated jars too (two
slf4j bindings there stop Jena at start-up), so the class path is built from the package and the
packages it depends on, with one slf4j binding. Two repairs of the packaging are needed:

- jena-core.jar has its bundled Xerces classes under ``xerces/`` but their message bundles under
  ``org/apache/jena/ext/xerces/``; without the bundles Jena fails at start-up ("internal error" in
  XSSimpleTypeDecl), so they are copied to where the classes look for them;
- Jena 4.5's JSON-LD 1.1 reader needs a Jakarta JSON-P implementation that Debian 12 does not
  package, so JSON-LD is read with Jena's JSON-LD 1.0 reader (``--syntax=JSONLD10``), which reads
  kg's (expanded, context-free) JSON-LD the same.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

from . import ServerError

PACKAGE = "libapache-jena-java"
HINT = f"install the Debian package {PACKAGE} and a Java runtime (make test does)"
#: kg export format -> riot --syntax
SYNTAX = {"ttl": "Turtle", "nt": "N-Triples", "nq": "N-Quads", "trig": "TriG", "jsonld": "JSONLD10",
          "xml": "RDF/XML"}
_UNWANTED = re.compile(r"/(slf4j-(?!api|simple)[^/]*|log4j-over-slf4j[^/]*|jcl-over-slf4j[^/]*|jul-to-slf4j[^/]*)$")


def _dpkg(*args: str) -> str:
    done = subprocess.run(["dpkg-query", *args], capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else ""


def _jars() -> list[str]:
    """Jars of libapache-jena-java and, recursively, of the Java packages it depends on."""
    if shutil.which("dpkg-query") is None or not _dpkg("-W", "-f=${Status}", PACKAGE).endswith("installed"):
        raise ServerError(f"Debian package {PACKAGE} is not installed: {HINT}")
    seen: set[str] = set()
    todo = [PACKAGE]
    jars: list[str] = []
    while todo:
        package = todo.pop()
        if package in seen:
            continue
        seen.add(package)
        for alternative in _dpkg("-W", "-f=${Depends}", package).split(","):
            name = alternative.split("|")[0].strip().split(" ")[0].split(":")[0]
            if name.endswith("-java"):
                todo.append(name)
        for path in _dpkg("-L", package).split("\n"):
            if path.startswith("/usr/share/java/") and path.endswith(".jar") and not _UNWANTED.search(path):
                jars.append(path)
    return jars


def _xerces_messages(into: Path) -> Path | None:
    """Copy jena-core's Xerces message bundles to the package its Xerces classes are in (see above)."""
    core = Path("/usr/share/java/jena-core.jar")
    if not core.exists():
        return None
    with zipfile.ZipFile(core) as jar:
        names = jar.namelist()
        if "xerces/impl/xpath/regex/RegularExpression.class" not in names:
            return None      # a Jena packaged as upstream does: nothing to repair
        prefix = "org/apache/jena/ext/"
        for name in names:
            if name.startswith(prefix + "xerces/") and name.endswith(".properties"):
                target = into / name[len(prefix):]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    return into


class Jena:
    """Jena's command-line tools (riot, tdb2.tdbloader, tdb2.tdbquery) with a class path that works on
    Debian 12; one JVM per call."""

    def __init__(self, workdir: Path):
        java = shutil.which("java")
        if java is None:
            raise ServerError(f"java not found: {HINT}")
        workdir.mkdir(parents=True, exist_ok=True)
        extra = _xerces_messages(workdir / "xerces-messages")
        self.java = [java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
                     ":".join(([str(extra)] if extra else []) + _jars())]

    def run(self, main_class: str, *args, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run([*self.java, main_class, *map(str, args)], capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)

    def start(self, main_class: str, *args, stdout) -> subprocess.Popen:
        return subprocess.Popen([*self.java, main_class, *map(str, args)], stdout=stdout, stderr=subprocess.PIPE,
                                text=True, stdin=subprocess.DEVNULL)

    def riot(self, *args, timeout: float = 120) -> subprocess.CompletedProcess:
        return self.run("riotcmd.riot", *args, timeout=timeout)
