"""Our trigger-anchored matcher finds exactly what spaCy's DependencyMatcher finds."""
from __future__ import annotations

from pathlib import Path

import pytest
from spacy.matcher import DependencyMatcher

from kg.depmatch import DependencyPattern
from kg.relations import load_patterns

ROOT = Path(__file__).resolve().parents[1]
TEXTS = [
    (ROOT / "examples" / "mosul.txt").read_text(encoding="utf-8"),
    "Iraqi forces, backed by Kurdish Peshmerga fighters, have launched an offensive against Islamic State. "
    "Russia was supplied with drones by Iran. Iran arms and funds the Houthis. Fighting between the army and the "
    "rebels has intensified. Al-Shabab controlled large parts of the country, but was pushed out of major cities by "
    "AU forces. Sudan accused the United Arab Emirates of arming the Rapid Support Forces. Russia denied supporting "
    "the Tatmadaw. Zabihullah Mujahid, who is the spokesman for the Taliban, said the talks had failed.",
]
DEPENDENCY_PATTERNS = [p for p in load_patterns()[1] if p.kind == "dependency"]


@pytest.mark.parametrize("pattern", DEPENDENCY_PATTERNS, ids=lambda p: p.id)
def test_same_matches_as_spacy(nlp, pattern):
    reference = DependencyMatcher(nlp.vocab)
    reference.add(pattern.id, [pattern.body])
    ours = DependencyPattern(pattern.body)
    for text in TEXTS:
        doc = nlp(text)
        for sent in doc.sents:
            expected = {tuple(sent.start + i for i in ids) for _, ids in reference(sent)}
            assert set(map(tuple, ours.matches(sent))) == expected, sent.text


def test_unsupported_operator_is_refused():
    with pytest.raises(ValueError):
        list(DependencyPattern([{"RIGHT_ID": "a", "RIGHT_ATTRS": {"LOWER": "x"}},
                                {"LEFT_ID": "a", "REL_OP": ">++", "RIGHT_ID": "b", "RIGHT_ATTRS": {}}])
             .matches(__import__("spacy").blank("en")("x y")[0:2]))
