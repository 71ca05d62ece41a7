"""Input formats, globs, stdin, and the skip-and-report path of the reader."""
from __future__ import annotations

import io
import json
from pathlib import Path

from kg.read import Article, Skipped, iter_articles

HTML = """<html><head><title>Houthis fire missiles at Marib</title>
<meta property="article:published_time" content="2018-06-05"></head>
<body><nav>Home | World | Sign in</nav>
<article><h1>Houthis fire missiles at Marib</h1>
<p>The Iranian-backed Houthis fired missiles at Marib on Sunday, officials said.</p>
<p>Saudi-led coalition forces responded with airstrikes on Sanaa.</p></article>
<footer>Subscribe to our newsletter. Copyright 2018.</footer></body></html>"""


def read(*inputs, stdin=None):
    return list(iter_articles([str(i) for i in inputs], stdin=stdin))


def test_txt_and_markdown(tmp_path):
    (tmp_path / "a.txt").write_text("Rebels shelled Goma\n\nM23 rebels shelled Goma.\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("---\ntitle: Sudan fighting\ndate: 2023-04-16\n---\n# Sudan fighting\n\n"
                                   "The **Rapid Support Forces** clashed with the [army](http://x) in *Khartoum*.\n",
                                   encoding="utf-8")
    a, b = read(tmp_path / "a.txt", tmp_path / "b.md")
    assert a.title == "Rebels shelled Goma"
    assert b.headline == "Sudan fighting" and b.date == "2023-04-16"
    assert "The Rapid Support Forces clashed with the army in Khartoum." in b.text
    assert "**" not in b.text and "http" not in b.text


def test_html_body_and_metadata_without_boilerplate(tmp_path):
    (tmp_path / "page.html").write_text(HTML, encoding="utf-8")
    [article] = read(tmp_path / "page.html")
    assert article.headline == "Houthis fire missiles at Marib"
    assert article.date == "2018-06-05"
    assert "Iranian-backed Houthis fired missiles" in article.text
    assert "Sign in" not in article.text and "Copyright" not in article.text


def test_jsonl_records_and_bad_lines(tmp_path):
    lines = [json.dumps({"id": "a1", "text": "Wagner fighters attacked Gao.", "title": "Gao attack",
                         "url": "https://example.org/a1", "date": "2022-03-01"}),
             "{not json", json.dumps({"id": "a3", "title": "no text"}), "",
             json.dumps({"text": "Boko Haram attacked Maiduguri."})]
    (tmp_path / "c.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = read(tmp_path / "c.jsonl")
    articles = [i for i in items if isinstance(i, Article)]
    skipped = [i for i in items if isinstance(i, Skipped)]
    assert [a.path for a in articles] == [f"{(tmp_path / 'c.jsonl').as_posix()}#a1", f"{(tmp_path / 'c.jsonl').as_posix()}:5"]
    assert articles[0].headline == "Gao attack" and articles[0].date == "2022-03-01"
    assert articles[0].url == "https://example.org/a1"
    assert [s.path.rsplit(":", 1)[1] for s in skipped] == ["2", "3"]
    assert "not valid JSON" in skipped[0].reason and "no 'text'" in skipped[1].reason


def test_directories_recursive_and_globs(tmp_path):
    (tmp_path / "x" / "y").mkdir(parents=True)
    (tmp_path / "x" / "one.txt").write_text("Al-Shabab attacked Baidoa.", encoding="utf-8")
    (tmp_path / "x" / "y" / "two.md").write_text("Al-Shabab attacked Kismayo.", encoding="utf-8")
    (tmp_path / "x" / "y" / "skip.csv").write_text("a,b", encoding="utf-8")
    assert [Path(a.path).name for a in read(tmp_path / "x")] == ["one.txt", "two.md"]
    assert [Path(a.path).name for a in read(tmp_path / "x" / "**" / "*.md")] == ["two.md"]
    assert [Path(a.path).name for a in read(tmp_path / "x", tmp_path / "x" / "one.txt")] == ["one.txt", "two.md"]


def test_stdin():
    [article] = read("-", stdin=io.BytesIO("Russian-backed separatists shelled Donetsk.\n".encode()))
    assert article.path == "<stdin>" and "Donetsk" in article.text


def test_unusable_inputs_are_skipped_with_a_reason(tmp_path):
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02")
    (tmp_path / "latin.txt").write_bytes("Caf\xe9".encode("latin-1"))
    (tmp_path / "blank.html").write_text("<html><head><title>x</title></head><body></body></html>", encoding="utf-8")
    (tmp_path / "ok.txt").write_text("Hamas fighters attacked Sderot.", encoding="utf-8")
    items = read(tmp_path / "empty.txt", tmp_path / "bin.txt", tmp_path / "latin.txt", tmp_path / "blank.html",
                 tmp_path / "missing.txt", tmp_path / "nomatch-*.txt", tmp_path / "ok.txt")
    reasons = [i.reason for i in items if isinstance(i, Skipped)]
    assert reasons == ["empty file", "binary file, not text", "not UTF-8 text (invalid byte at offset 3)",
                       "no article text found in the HTML", "no such file or directory", "no file matches this pattern"]
    assert [Path(a.path).name for a in items if isinstance(a, Article)] == ["ok.txt"]
