"""Shared fixtures: the spaCy pipeline is loaded once per test session."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def nlp():
    """newskg's full pipeline (spaCy model + gazetteer, actors, aliases, references, relations)."""
    from kg.nlp import load_pipeline

    return load_pipeline()
