"""Reading an article as a whole: headline, paragraphs, dateline, byline, furniture, date."""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, XSD

from kg.cli import main
from kg.namespace import NKG, SCHEMA

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def sentences(doc) -> list[str]:
    return [s.text.strip() for s in doc.sents if s.text.strip()]


def names(doc) -> set[str]:
    return {m["text"] for m in doc._.mentions}


def test_headline_is_its_own_sentence_and_yields_relations(nlp):
    doc = nlp("Kenyan Troops, Backed by AU Forces, Attack Al-Shabab Camp\n"
              "Kenyan soldiers stormed a camp in Jubaland on Tuesday.\n")
    assert doc._.article["headline"] == "Kenyan Troops, Backed by AU Forces, Attack Al-Shabab Camp"
    assert sentences(doc)[0] == "Kenyan Troops, Backed by AU Forces, Attack Al-Shabab Camp"
    headline_relations = [r for r in doc._.relations if r["start_char"] == 0]
    assert any(r["predicate"] == "backedBy" for r in headline_relations)


def test_headline_needs_to_be_short_and_unpunctuated(nlp):
    doc = nlp("Rebels shelled the city of Goma overnight, residents said.\nMore fighting is expected.\n")
    assert doc._.article["headline"] is None


def test_no_sentence_crosses_a_paragraph(nlp):
    doc = nlp("Fighting continued near Kharkiv\n\nUkrainian forces said they had repelled an assault\n\n"
              "Russian troops withdrew.")
    assert all("\n" not in s for s in sentences(doc))
    assert len(sentences(doc)) == 3


@pytest.mark.parametrize("text,dateline,place,date", [
    ("WASHINGTON, August 24, 2015 \u2014 Iraqi forces attacked Islamic State positions.", "WASHINGTON, August 24, 2015",
     "Washington", "2015-08-24"),
    ("KYIV \u2014 Russian-backed separatists shelled Donetsk.", "KYIV", "Kyiv", None),
    ("MOGADISHU, Somalia (Reuters) - Al-Shabab fighters attacked a base.", "MOGADISHU, Somalia (Reuters)",
     "Mogadishu, Somalia", None),
])
def test_dateline_is_recorded_and_yields_no_entity(nlp, text, dateline, place, date):
    doc = nlp(text)
    assert doc._.article["dateline"] == dateline
    assert doc._.article["place"] == place
    assert doc._.article["date"] == date
    assert not any(m["start"] == 0 for m in doc._.mentions), "the dateline's place is not an entity of the text"


@pytest.mark.parametrize("text,author", [
    ("Somali army retakes town\nBy Gabe Joselow\nSomali troops retook Bardere from al-Shabab.", "Gabe Joselow"),
    ("Houthis fire missiles by VOA News The Houthis fired missiles at Marib.", "VOA News"),
])
def test_byline_is_recorded_and_yields_no_entity(nlp, text, author):
    doc = nlp(text)
    assert doc._.article["author"] == author
    assert "Gabe Joselow" not in names(doc) and "VOA News" not in names(doc)


@pytest.mark.parametrize("furniture", [
    "Picture: Ahmad Rashid/AFP/Getty", "Photo: Reuters/Hussein Malla", "Sign up to our daily newsletter",
    "FILE - Kurdish Peshmerga fighters near Kirkuk, Iraq, Oct. 3, 2017.",
    "Originally posted by the Voice of America.", "Read more: Houthis attack shipping in the Red Sea",
])
def test_furniture_yields_no_entity_or_relation(nlp, furniture):
    doc = nlp(f"Turkish-backed fighters attacked Manbij.\n\n{furniture}\n\nThe offensive continued.")
    offset = doc.text.index(furniture)
    assert not [m for m in doc._.mentions if doc[m["start"]].idx >= offset and doc[m["start"]].idx < offset + len(furniture)]
    assert not [r for r in doc._.relations if r["start_char"] >= offset and r["start_char"] < offset + len(furniture)]


def test_caption_credit_is_cut_but_caption_kept(nlp):
    doc = nlp("Women gather in Tal Afar, near Mosul, where IS is holding out against Iraqi forces. "
              "Picture: Ahmad al-Rubaye/AFP/Getty\n")
    assert "Ahmad al-Rubaye" not in " ".join(names(doc))
    assert any(r["predicate"] == "locatedNear" for r in doc._.relations)


@pytest.mark.parametrize("name", ["mosul", "voa-iraq-2016-peshmerga", "voa-somalia-2014-amisom",
                                  "voa-ukraine-2014-donetsk", "voa-yemen-2018-hodeida"])
def test_shared_articles_structure(nlp, name):
    text = (SHARED / f"{name}.txt").read_text(encoding="utf-8")
    doc = nlp(text)
    headline = doc._.article["headline"]
    assert headline and headline in sentences(doc), "the headline is a sentence of its own"
    for start, end in doc._.furniture:
        assert not [m for m in doc._.mentions if start <= doc[m["start"]].idx < end], text[start:end]
    for banned in ("Voice of America", "VOA News", "Ahmad al-Rubaye", "AFP", "Getty"):
        assert not any(banned in m["text"] for m in doc._.mentions)


def test_article_date_from_dateline_and_from_option(tmp_path):
    dated = tmp_path / "dated.txt"
    dated.write_text("Marib offensive\n\nSANAA, March 3, 2021 \u2014 The Iranian-backed Houthis attacked Marib.\n",
                     encoding="utf-8")
    undated = tmp_path / "undated.txt"
    undated.write_text("Russian-backed separatists shelled Donetsk.\n", encoding="utf-8")
    assert main(["build", str(dated), str(undated), "-o", str(tmp_path / "out"), "-q", "--date", "2014-08-11"]) == 0
    graph = Graph().parse(tmp_path / "out" / "graph.ttl")
    dates = {str(d) for d in graph.objects(None, SCHEMA.datePublished)}
    assert dates == {"2021-03-03", "2014-08-11"}
    statements = set(graph.subjects(NKG.polarity, NKG.positive))
    relation_statements = [s for s in statements if str(graph.value(s, NKG.pattern)).startswith(("backedBy", "fighting"))]
    assert relation_statements
    for stmt in relation_statements:
        assert graph.value(stmt, DCTERMS.date).datatype == XSD.date
    assert (None, SCHEMA.dateline, Literal("SANAA, March 3, 2021")) in graph


def test_bad_date_option(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("Russian-backed separatists shelled Donetsk.\n", encoding="utf-8")
    assert main(["build", str(tmp_path / "a.txt"), "-o", str(tmp_path / "o"), "--date", "yesterday"]) == 2
    assert "not a date" in capsys.readouterr().err


@pytest.mark.parametrize("sentence,expected", [
    ("Troops retook the town Sunday after a day of fighting.", "2014-08-31"),   # published Monday 2014-09-01
    ("Rebels shelled the city late Monday.", "2014-09-01"),
    ("The army said yesterday that it had retaken the base.", "2014-08-31"),
    ("The offensive began today.", "2014-09-01"),
    ("The offensive began in May.", None),
])
def test_relative_dates_are_read_against_the_article_date(sentence, expected):
    from kg.structure import event_date
    assert event_date(sentence, "2014-09-01") == expected
    assert event_date(sentence, None) is None


def test_event_date_reaches_the_statement(tmp_path):
    (tmp_path / "a.txt").write_text("Russian-backed separatists shelled Donetsk on Sunday.\n", encoding="utf-8")
    assert main(["build", str(tmp_path / "a.txt"), "-o", str(tmp_path / "o"), "-q", "--date", "2014-08-12"]) == 0
    graph = Graph().parse(tmp_path / "o" / "graph.ttl")
    assert {str(d) for d in graph.objects(None, NKG.eventDate)} == {"2014-08-10"}
