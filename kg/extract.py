"""Running the pipeline over articles: texts in, (article, Doc) pairs out, batched by spaCy."""
from __future__ import annotations

from typing import Callable, Iterable, Iterator

from spacy.tokens import Doc

from .nlp import load_pipeline
from .read import Article


def extract(articles: Iterable[Article], model: str | None = None, batch_size: int = 16,
            progress: Callable[[int, int, str], None] | None = None) -> Iterator[tuple[Article, Doc]]:
    """Each article with its processed Doc (entities in doc._.entities, relations in doc._.relations)."""
    articles = list(articles)
    nlp = load_pipeline(model)
    docs = nlp.pipe((a.text for a in articles), batch_size=batch_size)
    for done, (article, doc) in enumerate(zip(articles, docs), start=1):
        if progress:
            progress(done, len(articles), article.path)
        yield article, doc
