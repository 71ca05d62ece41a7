"""Running the pipeline over articles, on one machine (spaCy's ``nlp.pipe``, in worker processes with
``jobs``) or on a Dask cluster; either way each article comes back as an ``Extraction`` of plain data."""
from __future__ import annotations

import gc
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from spacy.tokens import Doc

from .errors import KgError
from .nlp import load_pipeline
from .read import Article

BATCH_SIZE = 16
#: Container allocations between the collector's young passes in a process that runs the pipeline over a
#: corpus. Python's default, 700, means a pass every few sentences: the extraction makes many short-lived
#: dicts and lists, and spaCy alone about none.
YOUNG_PASS_EVERY = 10_000


@dataclass
class Extraction:
    """What the pipeline found in one article: plain data, cheap to send between processes."""

    article: dict = field(default_factory=dict)     # headline, dateline, place, date, author
    mentions: list = field(default_factory=list)
    entities: dict = field(default_factory=dict)
    relations: list = field(default_factory=list)
    aliases: list = field(default_factory=list)

    @classmethod
    def from_doc(cls, doc: Doc) -> "Extraction":
        return cls(article=doc._.article or {}, mentions=doc._.mentions or [], entities=doc._.entities or {},
                   relations=doc._.relations or [], aliases=doc._.aliases or [])


def settle_collector() -> None:
    """Tune the garbage collector of a process that runs the pipeline over a corpus and belongs to newskg
    (the ``kg`` command, its worker processes): the loaded model lives as long as the process, so
    ``gc.freeze()`` keeps the collector's full passes from walking it again and again, and young passes run
    every YOUNG_PASS_EVERY allocations. Measured on 300 articles: 0.9 s in the collector -> 0.3 s."""
    gc.freeze()
    young, middle, old = gc.get_threshold()
    gc.set_threshold(max(young, YOUNG_PASS_EVERY), middle, old)


def extract(articles: Iterable[Article], model: str | None = None, jobs: int = 1,
            batch_size: int = BATCH_SIZE, owns_process: bool = False) -> Iterator[tuple[Article, Extraction]]:
    """Each article with what was extracted from it, in input order, streaming.

    With ``jobs`` > 1 the pipeline runs in that many worker processes (see :func:`extract_in_processes`).
    ``owns_process``: the caller is a process of newskg's own (the ``kg`` command), whose collector may be
    tuned (:func:`settle_collector`); worker processes are always newskg's own."""
    if jobs > 1:
        yield from extract_in_processes(articles, model, jobs, batch_size)
        return
    nlp = load_pipeline(model)
    if owns_process:
        settle_collector()
    pairs = ((a.text, a) for a in articles)
    for doc, article in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
        yield article, Extraction.from_doc(doc)


def extract_in_processes(articles: Iterable[Article], model: str | None = None, jobs: int = 2,
                         batch_size: int = BATCH_SIZE) -> Iterator[tuple[Article, Extraction]]:
    """The extraction on ``jobs`` worker processes, each loading the pipeline once; input order kept.

    Rather than spaCy's ``n_process`` (which sends every Doc back as bytes to be rebuilt here, and
    loads the pipeline here as well), workers get texts and send back Extractions: plain data, a few
    kilobytes an article. A bounded number of batches is in flight, so memory stays flat."""
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # spawn, not fork: the caller may have threads (the store's writer) that a fork would copy mid-lock
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"), initializer=_own_worker)
    try:
        batches = _batches(articles, batch_size)
        pending: deque = deque()

        def submit() -> None:
            batch = next(batches, None)
            if batch is not None:
                pending.append((batch, pool.submit(_extract_texts, [a.text for a in batch], model)))

        for _ in range(2 * jobs):
            submit()
        while pending:
            batch, future = pending.popleft()
            try:
                extractions = future.result()
            except BrokenProcessPool:
                raise KgError("a worker process died (out of memory, or killed); the articles "
                              "built so far are kept: run the same command again to go on") from None
            submit()
            yield from zip(batch, extractions)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# ------------------------------------------------------------------ Dask

_WORKER_PIPELINES: dict = {}
_OWN_WORKER = False     # set in the local pool's workers; a Dask worker's process is not ours to tune


def _own_worker() -> None:
    global _OWN_WORKER
    _OWN_WORKER = True


def _extract_texts(texts: list[str], model: str | None) -> list[Extraction]:
    """Runs in a worker process (local or Dask): the pipeline is loaded once per process, then reused."""
    nlp = _WORKER_PIPELINES.get(model)
    if nlp is None:
        nlp = _WORKER_PIPELINES[model] = load_pipeline(model)
        if _OWN_WORKER:
            settle_collector()
    return [Extraction.from_doc(doc) for doc in nlp.pipe(texts, batch_size=BATCH_SIZE)]


def extract_dask(articles: Iterable[Article], model: str | None = None, scheduler: str | None = None,
                 jobs: int = 2, batch_size: int = BATCH_SIZE) -> Iterator[tuple[Article, Extraction]]:
    """The same extraction spread over a Dask cluster; results stream back as batches finish.

    With no scheduler address a LocalCluster of ``jobs`` worker processes is started here."""
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=max(1, jobs), threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=40)
    client = Client(scheduler or cluster)
    try:
        window = max(2, 2 * len(client.scheduler_info().get("workers", {})) or 2)
        batches = _batches(articles, batch_size)
        running = as_completed()
        batch_of = {}
        for _ in range(window):
            batch = next(batches, None)
            if batch is None:
                break
            future = client.submit(_extract_texts, [a.text for a in batch], model, pure=False)
            batch_of[future.key] = batch
            running.add(future)
        for future in running:
            batch = batch_of.pop(future.key)
            for article, extraction in zip(batch, future.result()):
                yield article, extraction
            nxt = next(batches, None)           # keep a bounded number of batches in flight: memory stays flat
            if nxt is not None:
                new = client.submit(_extract_texts, [a.text for a in nxt], model, pure=False)
                batch_of[new.key] = nxt
                running.add(new)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
