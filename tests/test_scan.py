"""kg.scan: the components find their few tokens from spaCy's arrays; the answers must be the tokens a
plain loop over the Doc would pick, in the same order."""
from __future__ import annotations

from spacy.tokens import Doc

from kg.references import paragraph_breaks, paragraph_start
from kg.scan import LOWER, ORTH, POS, indices_with, pos_ids, tokens_with, word_ids


def test_tokens_with_a_lower_cased_word_are_found_in_text_order_whatever_their_case(nlp):
    doc = nlp("Militias attacked. The militias and the MILITIAS withdrew; a militia stayed.")
    found = tokens_with(doc, LOWER, word_ids(["militias"]))
    assert [t.i for t in found] == [t.i for t in doc if t.lower_ == "militias"]
    assert [t.text for t in found] == ["Militias", "militias", "MILITIAS"]


def test_orth_is_exact_and_a_word_not_in_the_text_finds_nothing(nlp):
    doc = nlp("Islamic State (IS) said IS fighters left.")
    assert [t.i for t in tokens_with(doc, ORTH, word_ids(["IS"]))] == [3, 6]
    assert tokens_with(doc, ORTH, word_ids(["is"])) == []
    assert tokens_with(doc, LOWER, word_ids(["hezbollah"])) == []


def test_part_of_speech_scan_equals_the_loop(nlp):
    doc = nlp("Ahmed al-Assadi said Hezbollah fighters crossed into Syria near Qusayr.")
    assert indices_with(doc, POS, pos_ids("PROPN")) == [t.i for t in doc if t.pos_ == "PROPN"]


def test_an_empty_doc_has_no_tokens(nlp):
    assert tokens_with(Doc(nlp.vocab, words=[]), LOWER, word_ids(["group"])) == []


def test_paragraph_start_counts_blank_lines_back_from_the_token(nlp):
    doc = nlp("First paragraph here.\n\nSecond one.\n\nThird one says it.")
    breaks = paragraph_breaks(doc)
    assert [doc[i].text for i in breaks] == ["\n\n", "\n\n"]
    it = next(t for t in doc if t.lower_ == "it")
    third, second = breaks[1] + 1, breaks[0] + 1
    assert paragraph_start(breaks, it, paragraphs=1) == third
    assert paragraph_start(breaks, it, paragraphs=2) == second
    assert paragraph_start(breaks, it, paragraphs=3) == 0
    assert paragraph_start(breaks, doc[0], paragraphs=1) == 0


def test_a_single_line_break_is_not_a_paragraph(nlp):
    doc = nlp("A line.\nAnother line of the same paragraph.")
    assert paragraph_breaks(doc) == []


def test_each_doc_is_answered_from_its_own_index_when_questions_alternate(nlp):
    first = nlp("Militias attacked the town.")
    second = nlp("The town was quiet until the militias came back.")
    militias = word_ids(["militias"])
    for doc in (first, second, first, second):
        assert indices_with(doc, LOWER, militias) == [t.i for t in doc if t.lower_ == "militias"]


def test_a_retokenised_doc_is_indexed_afresh(nlp):
    doc = nlp("The Popular Mobilization Forces attacked the town.")
    attacked = word_ids(["attacked"])
    assert indices_with(doc, LOWER, attacked) == [4]
    with doc.retokenize() as retokenizer:
        retokenizer.merge(doc[1:4])
    assert indices_with(doc, LOWER, attacked) == [2]
