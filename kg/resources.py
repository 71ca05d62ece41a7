"""Where the package's data files live, so every module finds them the same way."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ONTOLOGY_DIR = PACKAGE_DIR / "ontology"
PATTERNS_DIR = PACKAGE_DIR / "patterns"
ONTOLOGY_FILE = ONTOLOGY_DIR / "kg.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
GAZETTEER_FILE = ONTOLOGY_DIR / "gazetteer.ttl"


@lru_cache(maxsize=None)
def lexicon() -> dict:
    """The word lists of kg/data/lexicon.json."""
    return json.loads((PACKAGE_DIR / "data" / "lexicon.json").read_text(encoding="utf-8"))
