#!/usr/bin/env python3
"""Assemble a benchmark corpus of N distinct articles from the example articles, reproducibly.

Each article is one of the shared example articles (../shared/corpus, else examples/) with a
numbered paragraph appended and, every other time, the paragraphs rotated, so that every article
has its own content hash (a store would skip exact duplicates) while its length and language stay
those of real news. Output: one JSON line per article (text, id, title), to FILE or stdout.

    python bench/make_corpus.py 2000 -o /tmp/corpus-2000.jsonl
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT.parent / "shared" / "corpus", ROOT / "examples"]


def sources() -> list[tuple[str, str]]:
    for folder in SOURCES:
        files = sorted(folder.glob("*.txt"))
        if files:
            return [(f.stem, f.read_text(encoding="utf-8")) for f in files]
    sys.exit("no example articles found")


def make(n: int) -> list[dict]:
    base = sources()
    articles = []
    for i in range(n):
        name, text = base[i % len(base)]
        paragraphs = [p for p in text.split("\n\n") if p.strip()]
        head, body = paragraphs[0], paragraphs[1:]
        if (i // len(base)) % 2 and len(body) > 2:
            k = (i // len(base)) % len(body)
            body = body[k:] + body[:k]
        body.append(f"This is dispatch number {i + 1} in the benchmark corpus.")
        articles.append({"id": f"{name}-{i + 1:05d}", "title": head.strip(), "text": "\n\n".join([head, *body]) + "\n"})
    return articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("-o", "--output")
    args = parser.parse_args()
    lines = "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in make(args.n))
    if args.output:
        Path(args.output).write_text(lines, encoding="utf-8")
    else:
        sys.stdout.write(lines)


if __name__ == "__main__":
    main()
