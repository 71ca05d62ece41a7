"""Building into a store is incremental and survives interruption without duplicates."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from kg.cli import main
from kg.store import open_store

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from make_corpus import make  # noqa: E402  (the benchmark's corpus: distinct, realistic articles)


def quads(store_dir: Path) -> set[str]:
    store = open_store(store_dir, read_only=True)
    try:
        return set(store.to_dataset().serialize(format="nquads").splitlines())
    finally:
        store.close()


def write_corpus(path: Path, n: int) -> None:
    path.write_text("".join(json.dumps(a) + "\n" for a in make(n)), encoding="utf-8")


def test_rebuild_skips_what_is_there_and_adds_the_rest(tmp_path, capsys):
    corpus = tmp_path / "c.jsonl"
    write_corpus(corpus, 8)
    everything = corpus.read_text(encoding="utf-8")
    corpus.write_text("".join(everything.splitlines(True)[:3]), encoding="utf-8")   # as if cut short
    assert main(["build", str(corpus), "--store", str(tmp_path / "s")]) == 0
    corpus.write_text(everything, encoding="utf-8")
    assert main(["build", str(corpus), "--store", str(tmp_path / "s")]) == 0
    assert "documents: 5 (+3 already in the store)" in capsys.readouterr().out
    assert main(["build", str(corpus), "--store", str(tmp_path / "clean"), "-q"]) == 0
    assert quads(tmp_path / "s") == quads(tmp_path / "clean")


def test_killed_build_resumes_without_duplicates(tmp_path):
    corpus = tmp_path / "c.jsonl"
    write_corpus(corpus, 200)
    store = tmp_path / "s"
    command = [sys.executable, "-m", "kg", "build", str(corpus), "--store", str(store), "-q"]
    # --explain prints each article's relations once the article is in the store: kill after three
    proc = subprocess.Popen(command + ["--explain"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    seen: set[str] = set()
    for line in proc.stdout:
        if line.startswith("    ") and "#" in line:
            seen.add(line.split("#", 1)[1].split(":", 1)[0])
        if len(seen) >= 3:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    _resume_and_compare(command, store, corpus, 200, tmp_path / "clean")


def _resume_and_compare(command: list[str], store: Path, corpus: Path, total: int, clean: Path) -> None:
    """The interrupted build left part of the corpus; the same command finishes it, and the store then
    equals a store built in one go."""
    done_before = _stored_articles(store)
    assert 0 < done_before < total, done_before
    assert subprocess.run(command, capture_output=True).returncode == 0
    assert _stored_articles(store) == total
    assert main(["build", str(corpus), "--store", str(clean), "-q"]) == 0
    assert quads(store) == quads(clean)


def _stored_articles(store_dir: Path) -> int:
    if not store_dir.exists():
        return 0
    try:
        store = open_store(store_dir, read_only=True)
    except Exception:            # the writer holds the store at this instant: ask again later
        return 0
    try:
        return len(store.articles())
    finally:
        store.close()


def _as_in_a_terminal() -> None:
    """Ctrl-C's default action in the child, as a shell in a terminal gives it: a test suite started in the
    background (`make test &`) ignores SIGINT, and a child inherits that, so Ctrl-C would never reach kg."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_with_worker_processes_stops_cleanly_and_resumes(tmp_path):
    """Ctrl-C reaches the whole process group (kg and its workers), as in a terminal."""
    corpus = tmp_path / "c.jsonl"
    write_corpus(corpus, 60)
    store = tmp_path / "s"
    command = [sys.executable, "-m", "kg", "build", str(corpus), "--store", str(store), "-q", "--jobs", "2"]
    proc = subprocess.Popen(command + ["--explain"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"}, start_new_session=True,
                            preexec_fn=_as_in_a_terminal)
    for line in proc.stdout:                    # the first article is in the store: press Ctrl-C
        if line.startswith("    ") and "#" in line:
            break
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "kg: interrupted" in err and "Traceback" not in err, err
    _resume_and_compare(command, store, corpus, 60, tmp_path / "clean")
