#!/usr/bin/env python3
"""Build throughput, parallel speed-up and memory, printed as figures (not a test).

    .venv/bin/python bench/build_bench.py [--articles 2000] [--small 200] [--rounds 2]

Measures, on a corpus assembled by bench/make_corpus.py:
  * bare spaCy: nlp.pipe over the texts with the same model, no newskg component (articles/s);
  * kg build --store (end to end: read, NLP, extraction, RDF, store) with --jobs 1 and --jobs 2;
  * peak memory (max RSS of the kg process) of kg build --store --jobs 1 for the large corpus (the run
    above) and the small one.
Bars (issue 5): build >= 0.8x bare spaCy; --jobs 2 >= 1.6x --jobs 1; peak(large) <= 1.5x peak(small).

Bare spaCy and `kg build --jobs 1` run alternately, --rounds times: this VM's speed drifts by 10-20% over
minutes, so one run of each can land in different phases. Every round is printed; the throughput bar
is judged on the best time of each side (as timeit does), and the per-round ratios are shown beside it.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KG = [sys.executable, "-m", "kg"]


def run(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (MiB) of a command."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stderr.read().decode()}")
    return seconds, usage.ru_maxrss // 1024


def bare_spacy(corpus: Path) -> float:
    code = ("import json,sys,time,spacy\n"
            "from kg.nlp import DEFAULT_MODELS\n"
            "texts=[json.loads(l)['text'] for l in open(sys.argv[1])]\n"
            "nlp=None\n"
            "for m in DEFAULT_MODELS:\n"
            "    try: nlp=spacy.load(m); break\n"
            "    except OSError: pass\n"
            "t=time.perf_counter(); [d for d in nlp.pipe(texts, batch_size=16)]\n"
            "print(time.perf_counter()-t)")
    out = subprocess.run([sys.executable, "-c", code, str(corpus)], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--small", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2, help="alternating runs of bare spaCy and --jobs 1")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    try:
        big, small = work / "big.jsonl", work / "small.jsonl"
        for n, path in ((args.articles, big), (args.small, small)):
            subprocess.run([sys.executable, str(ROOT / "bench" / "make_corpus.py"), str(n), "-o", str(path)], check=True)
        n = args.articles
        print(f"corpus: {n} articles ({big.stat().st_size / 1e6:.1f} MB of JSON lines), {os.cpu_count()} cores")
        print(f"load average before: {os.getloadavg()[0]:.1f}")
        bares, ones, peak_big = [], [], 0
        for round_ in range(1, args.rounds + 1):
            bare = bare_spacy(big)
            print(f"round {round_}: bare spaCy nlp.pipe:        {bare:7.1f} s  {n / bare:6.1f} articles/s")
            store = work / f"s1-{round_}"
            one, peak = run(KG + ["build", str(big), "--store", str(store), "-q", "--jobs", "1"])
            shutil.rmtree(store, ignore_errors=True)
            print(f"round {round_}: kg build --store --jobs 1:  {one:7.1f} s  {n / one:6.1f} articles/s  "
                  f"= {bare / one:.2f}x this round's bare spaCy")
            bares.append(bare)
            ones.append(one)
            peak_big = max(peak_big, peak)
        bare, one = min(bares), min(ones)
        print(f"best of {args.rounds}: bare spaCy {bare:.1f} s, kg build --jobs 1 {one:.1f} s = {bare / one:.2f}x bare spaCy "
              f"(rounds: {', '.join(f'{b / o:.2f}x' for b, o in zip(bares, ones))})")
        two, _ = run(KG + ["build", str(big), "--store", str(work / "s2"), "-q", "--jobs", "2"])
        print(f"kg build --store --jobs 2:  {two:7.1f} s  {n / two:6.1f} articles/s  = {one / two:.2f}x --jobs 1 (best)")
        _, peak_small = run(KG + ["build", str(small), "--store", str(work / "m1"), "-q"])
        print(f"peak memory (kg build --store --jobs 1, largest of the rounds): {args.small} articles {peak_small} MiB, "
              f"{n} articles {peak_big} MiB = {peak_big / peak_small:.2f}x")
        bars = [("build >= 0.8x bare spaCy", bare / one >= 0.8), ("--jobs 2 >= 1.6x --jobs 1", one / two >= 1.6),
                (f"peak({n}) <= 1.5x peak({args.small})", peak_big / peak_small <= 1.5)]
        print("bars: " + "; ".join(f"{name}: {'met' if ok else 'NOT met'}" for name, ok in bars))
        print(f"load average after: {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
