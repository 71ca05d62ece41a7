"""Reading articles: paths, directories, globs or stdin in; decoded articles out, one at a time.

Formats: .txt and .md (one article a file), .html/.htm (article body and metadata by
trafilatura, boilerplate dropped), .jsonl (one article a line: ``text`` required; ``id``,
``title``, ``url``, ``date`` optional). A file that cannot be used becomes a ``Skipped`` with
the reason, so the rest of a corpus still gets built.
"""
from __future__ import annotations

import glob
import hashlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from .structure import parse_date

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".jsonl"}
STDIN = "-"


@dataclass(frozen=True)
class Article:
    """One news article; ``text`` is exactly what the offsets in the graph refer to."""

    path: str
    text: str
    sha256: str
    headline: str | None = None   # from the input's metadata, when it has a title field
    date: str | None = None       # ISO date from the input's metadata
    url: str | None = None

    @property
    def title(self) -> str:
        """The given headline, else the first non-empty line: news files start with the headline."""
        if self.headline:
            return self.headline
        for line in self.text.splitlines():
            if line.strip():
                return line.strip()
        return ""

    @property
    def key(self) -> str:
        """Stable short id of the article, from its content."""
        return self.sha256[:16]


@dataclass(frozen=True)
class Skipped:
    """An input that could not be used, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def make_article(path: str, text: str, headline: str | None = None, date: str | None = None,
                 url: str | None = None) -> Article:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Article(path=path, text=text, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                   headline=headline or None, date=_iso_date(date), url=url or None)


def _iso_date(value) -> str | None:
    if not value:
        return None
    value = str(value).strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}", value):
        return value[:10]
    return parse_date(value)


# ------------------------------------------------------------------ finding the inputs

def expand(inputs: Iterable[str | Path]) -> Iterator[Path | str | Skipped]:
    """Files, directories (recursively), globs and '-' (stdin), in a stable order, each once."""
    seen: set = set()
    for raw in inputs:
        raw = str(raw)
        if raw == STDIN:
            yield STDIN
            continue
        if any(c in raw for c in "*?[") and not Path(raw).exists():
            matches = sorted(glob.glob(raw, recursive=True))
            files = [Path(m) for m in matches if Path(m).is_file()]
            if not files:
                yield Skipped(raw, "no file matches this pattern")
            for path in files:
                if path.resolve() not in seen:
                    seen.add(path.resolve())
                    yield path
            continue
        path = Path(raw)
        if not path.exists():
            yield Skipped(raw, "no such file or directory")
        elif path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
            if not files:
                yield Skipped(raw, "directory holds no .txt, .md, .html or .jsonl files")
            for file in files:
                if file.resolve() not in seen:
                    seen.add(file.resolve())
                    yield file
        elif path.resolve() not in seen:
            seen.add(path.resolve())
            yield path


def iter_inputs_count(inputs: Iterable[str | Path]) -> int | None:
    """How many articles the inputs hold (a .jsonl counts its lines), for the progress bar's ETA."""
    total = 0
    for item in expand(inputs):
        if item == STDIN:
            return None
        if isinstance(item, Skipped):
            total += 1
        elif item.suffix.lower() == ".jsonl":
            try:
                with open(item, "rb") as handle:
                    total += sum(1 for line in handle if line.strip())
            except OSError:
                total += 1
        else:
            total += 1
    return total


def iter_articles(inputs: Iterable[str | Path], stdin: BinaryIO | None = None) -> Iterator[Article | Skipped]:
    """Every article of every input, or a Skipped for each input (or jsonl line) that cannot be used."""
    for item in expand(inputs):
        if isinstance(item, Skipped):
            yield item
            continue
        try:
            if item == STDIN:
                data = (stdin or sys.stdin.buffer).read()
                yield from _articles_from_bytes("<stdin>", data, ".txt")
            else:
                yield from _articles_from_bytes(item.as_posix(), item.read_bytes(), item.suffix.lower())
        except OSError as err:
            yield Skipped(str(item), f"cannot read ({err.strerror or err})")


def _articles_from_bytes(name: str, data: bytes, suffix: str) -> Iterator[Article | Skipped]:
    if b"\x00" in data[:8192]:
        yield Skipped(name, "binary file, not text")
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        yield Skipped(name, f"not UTF-8 text (invalid byte at offset {err.start})")
        return
    if not text.strip():
        yield Skipped(name, "empty file")
        return
    if suffix == ".jsonl":
        yield from _jsonl(name, text)
    elif suffix in (".html", ".htm"):
        yield _html(name, text)
    elif suffix in (".md", ".markdown"):
        yield _markdown(name, text)
    else:
        yield make_article(name, text)


def _jsonl(name: str, text: str) -> Iterator[Article | Skipped]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            yield Skipped(where, f"not valid JSON ({err.msg})")
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str) or not record["text"].strip():
            yield Skipped(where, "no 'text' field with the article")
            continue
        path = f"{name}#{record['id']}" if record.get("id") is not None else where
        yield make_article(path, record["text"], record.get("title"), record.get("date"), record.get("url"))


def _html(name: str, text: str) -> Article | Skipped:
    import trafilatura   # imported here: only HTML inputs pay for it

    document = trafilatura.bare_extraction(text, with_metadata=True, include_comments=False, include_tables=False)
    body = getattr(document, "text", None) if document is not None else None
    if not body or not body.strip():
        return Skipped(name, "no article text found in the HTML")
    title = getattr(document, "title", None)
    if title and not body.lstrip().startswith(title):
        body = f"{title}\n\n{body}"
    # trafilatura puts each paragraph on its own line: make them paragraphs
    body = re.sub(r"\n(?=\S)", "\n\n", body.strip()) + "\n"
    return make_article(name, body, title, getattr(document, "date", None), getattr(document, "url", None))


_FRONT_MATTER = re.compile(r"\A---\n(?P<yaml>.*?)\n---\n", re.DOTALL)


def _markdown(name: str, text: str) -> Article:
    """Markdown as plain text: markup dropped, line structure kept; front matter gives title and date."""
    meta = {}
    front = _FRONT_MATTER.match(text)
    if front:
        for line in front.group("yaml").splitlines():
            key, _, value = line.partition(":")
            meta[key.strip().lower()] = value.strip().strip("'\"")
        text = text[front.end():]
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)                 # images
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)              # links: keep their text
    text = re.sub(r"^\s{0,3}#{1,6}\s*", "", text, flags=re.MULTILINE)  # headings
    text = re.sub(r"^\s{0,3}(?:[-*+]|>)\s+", "", text, flags=re.MULTILINE)  # list items, quotes
    text = re.sub(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1", r"\2", text)    # emphasis, code
    return make_article(name, text, meta.get("title"), meta.get("date"), meta.get("url"))
