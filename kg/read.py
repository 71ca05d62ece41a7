"""Reading articles: paths in, decoded texts out, with a clear error for anything unusable."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .errors import KgError

TEXT_SUFFIXES = {".txt"}


@dataclass(frozen=True)
class Article:
    """One news article as read from disk; ``text`` is exactly what the offsets refer to."""

    path: str
    text: str
    sha256: str
    headline: str | None = None   # from the input's metadata, when it has a title field
    date: str | None = None       # ISO date from metadata or --date; else the dateline's, if any
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


def collect_paths(inputs: list[str | Path]) -> list[Path]:
    """Expand files and directories (recursively) into a sorted list of text files."""
    found: list[Path] = []
    for raw in inputs:
        path = Path(raw)
        if not path.exists():
            raise KgError(f"{path}: no such file or directory")
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
            if not files:
                raise KgError(f"{path}: directory holds no .txt files")
            found.extend(files)
        else:
            found.append(path)
    seen: set[Path] = set()
    unique = []
    for path in found:
        if path.resolve() not in seen:
            seen.add(path.resolve())
            unique.append(path)
    return unique


def read_article(path: Path) -> Article:
    """Read one UTF-8 text file; refuse empty, binary and non-UTF-8 files by name."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise KgError(f"{path}: cannot read ({err.strerror or err})") from None
    if b"\x00" in data:
        raise KgError(f"{path}: binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise KgError(f"{path}: not UTF-8 text (invalid byte at offset {err.start})") from None
    if not text.strip():
        raise KgError(f"{path}: empty file")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Article(path=path.as_posix(), text=text, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
