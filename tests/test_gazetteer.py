"""The gazetteer (ontology/gazetteer.ttl): well-known names of conflict actors and places.

It holds names only (labels, aliases, demonyms) keyed by Wikidata item (or, where the id
was not checked, by a local IRI in the gz: namespace), never relations; these tests keep
it that way and keep every name pointing at exactly one entry.
"""
from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

GAZETTEER = Path(__file__).resolve().parents[1] / "ontology" / "gazetteer.ttl"

NKG = Namespace("https://w3id.org/newskg/ontology#")
WD = "http://www.wikidata.org/entity/"
GZ = "https://w3id.org/newskg/gazetteer/"
CLASSES = {NKG.Person, NKG.Organization, NKG.ArmedGroup, NKG.Location, NKG.Country}
ALLOWED_PREDICATES = {RDF.type, RDFS.label, SKOS.altLabel, NKG.demonym}
GENERIC_WORDS = {
    "rebels", "rebel", "militants", "militant", "government", "coalition", "army",
    "forces", "military", "troops", "police", "insurgents", "terrorists", "jihadists",
    "militia", "militias", "gunmen", "fighters", "separatists", "the government",
}


@pytest.fixture(scope="module")
def graph() -> Graph:
    g = Graph()
    g.parse(GAZETTEER, format="turtle")
    return g


@pytest.fixture(scope="module")
def entries(graph: Graph) -> set:
    return set(graph.subjects())


@pytest.fixture(scope="module")
def by_label(graph: Graph) -> dict[str, URIRef]:
    return {str(o): s for s, o in graph.subject_objects(RDFS.label)}


def names_of(graph: Graph, entry) -> set[str]:
    return {str(o) for o in graph.objects(entry, RDFS.label)} | {
        str(o) for o in graph.objects(entry, SKOS.altLabel)
    }


def test_file_is_valid_turtle_with_enough_entries(entries):
    assert len(entries) >= 200


def test_only_name_predicates(graph: Graph):
    used = set(graph.predicates())
    assert used <= ALLOWED_PREDICATES, f"relation-like predicates: {used - ALLOWED_PREDICATES}"


def test_subjects_are_wikidata_items_or_local(entries):
    """wd:Q<digits> for checked Wikidata items, gz:<Readable_Name> for the rest (never a guessed id)."""
    bad = [s for s in entries if not (isinstance(s, URIRef) and (
        re.fullmatch(re.escape(WD) + r"Q\d+", str(s)) or re.fullmatch(re.escape(GZ) + r"[A-Za-z0-9][\w\-]*", str(s))))]
    assert not bad, bad
    assert URIRef(WD + "Q2813") not in entries  # Coca-Cola, not the Islamic State


def test_every_entry_has_one_label_and_one_class(graph: Graph, entries):
    for s in entries:
        labels = list(graph.objects(s, RDFS.label))
        assert len(labels) == 1, (s, labels)
        types = set(graph.objects(s, RDF.type))
        assert len(types) == 1 and types <= CLASSES, (s, types)


def test_names_are_clean_plain_literals(graph: Graph):
    for s, p, o in graph:
        if p == RDF.type:
            continue
        assert isinstance(o, Literal) and o.language is None and o.datatype is None, (s, p, o)
        text = str(o)
        assert text and text == text.strip() and "  " not in text, (s, p, o)
        if p in (RDFS.label, SKOS.altLabel):
            assert text.lower() not in GENERIC_WORDS, (s, text)


def test_no_name_belongs_to_two_entries(graph: Graph, entries):
    owners: dict[str, set] = defaultdict(set)
    for s in entries:
        for name in names_of(graph, s):
            owners[name].add(s)
    clashes = {name: sorted(map(str, who)) for name, who in owners.items() if len(who) > 1}
    assert not clashes, clashes


def test_demonyms_only_on_countries_and_armed_groups_and_unambiguous(graph: Graph):
    owners: dict[str, set] = defaultdict(set)
    for s, d in graph.subject_objects(NKG.demonym):
        # countries ("Iranian"), and armed groups named by an adjective ("Houthi")
        assert (s, RDF.type, NKG.Country) in graph or (s, RDF.type, NKG.ArmedGroup) in graph, (s, d)
        owners[str(d)].add(s)
    assert not {d: who for d, who in owners.items() if len(who) > 1}
    # a demonym may repeat its own entry's alias ("US"), never another entry's name
    for s, d in graph.subject_objects(NKG.demonym):
        for other in graph.subjects(SKOS.altLabel, d):
            assert other == s, (d, s, other)
        for other in graph.subjects(RDFS.label, d):
            assert other == s, (d, s, other)
    assert "Kurdish" not in owners


def test_case_insensitive_names_belong_to_one_entry(graph: Graph, entries):
    """The matcher folds case except for short all-caps acronyms: folded names must not collide."""
    def is_acronym(name: str) -> bool:
        letters = name.replace(".", "")
        return len(letters) <= 5 and letters.isupper()

    owners: dict[str, set] = defaultdict(set)
    for s in entries:
        for name in names_of(graph, s):
            if not is_acronym(name):
                owners[" ".join(name.replace("\u2019", "'").lower().split())].add(s)
    clashes = {name: sorted(map(str, who)) for name, who in owners.items() if len(who) > 1}
    assert not clashes, clashes


def test_no_mixed_case_short_acronyms(graph: Graph):
    """'LeT', 'JeM' would be matched case-insensitively ('let'): short names are all-caps or words."""
    for s, o in list(graph.subject_objects(RDFS.label)) + list(graph.subject_objects(SKOS.altLabel)):
        name = str(o)
        if len(name) <= 4 and " " not in name and sum(c.isupper() for c in name) >= 2:
            assert name.replace(".", "").isupper(), (s, name)


def test_countries(graph: Graph):
    countries = set(graph.subjects(RDF.type, NKG.Country))
    assert len(countries) >= 193 + 3  # all UN members plus a few others
    with_demonym = {s for s in countries if (s, NKG.demonym, None) in graph}
    assert len(with_demonym) >= 15


@pytest.mark.parametrize(
    "label, qid, aliases, demonyms",
    [
        ("United States", "Q30", {"U.S.", "US", "USA", "United States of America", "America"},
         {"American", "U.S.", "US"}),
        ("United Kingdom", "Q145", {"UK", "Britain"}, {"British"}),
        ("United Arab Emirates", "Q878", {"UAE"}, {"Emirati"}),
        ("Saudi Arabia", "Q851", set(), {"Saudi"}),
        ("Democratic Republic of the Congo", "Q974", {"DRC"}, set()),
        ("Russia", "Q159", {"Russian Federation"}, {"Russian"}),
        ("Iran", "Q794", {"Islamic Republic of Iran"}, {"Iranian"}),
        ("Iraq", "Q796", set(), {"Iraqi"}),
        ("Ukraine", "Q212", set(), {"Ukrainian"}),
        ("Somalia", "Q1045", set(), {"Somali"}),
        ("Yemen", "Q805", set(), {"Yemeni"}),
        ("Syria", "Q858", set(), {"Syrian"}),
    ],
)
def test_known_countries(graph: Graph, by_label, label, qid, aliases, demonyms):
    s = by_label[label]
    assert s == URIRef(WD + qid)
    assert (s, RDF.type, NKG.Country) in graph
    assert aliases <= {str(o) for o in graph.objects(s, SKOS.altLabel)}
    assert demonyms <= {str(o) for o in graph.objects(s, NKG.demonym)}


@pytest.mark.parametrize(
    "label, qid, cls",
    [
        # Middle East
        ("Islamic State", "Q2429253", NKG.ArmedGroup),
        ("Hezbollah", "Q41053", NKG.ArmedGroup),
        ("Hamas", "Q38799", NKG.ArmedGroup),
        ("Mosul", "Q83317", NKG.Location),
        ("Aleppo", "Q41183", NKG.Location),
        ("Gaza Strip", "Q39760", NKG.Location),
        ("Sanaa", "Q2471", NKG.Location),
        # Africa
        ("Mogadishu", "Q2449", NKG.Location),
        ("Khartoum", "Q1963", NKG.Location),
        ("African Union", "Q7159", NKG.Organization),
        # Europe and the Caucasus
        ("Kyiv", "Q1899", NKG.Location),
        ("Crimea", "Q7835", NKG.Location),
        ("Donetsk Oblast", "Q2012050", NKG.Location),
        ("Nagorno-Karabakh", "Q44302", NKG.Location),
        ("NATO", "Q7184", NKG.ArmedGroup),
        # Asia
        ("Taliban", "Q42418", NKG.ArmedGroup),
        ("Kabul", "Q5838", NKG.Location),
        # Americas
        ("Port-au-Prince", "Q34261", NKG.Location),
        ("Bogotá", "Q2841", NKG.Location),
        # international
        ("al-Qaeda", "Q34490", NKG.ArmedGroup),
        ("United Nations", "Q1065", NKG.Organization),
    ],
)
def test_known_entries_across_regions(graph: Graph, by_label, label, qid, cls):
    s = by_label[label]
    assert s == URIRef(WD + qid)
    assert (s, RDF.type, cls) in graph


@pytest.mark.parametrize(
    "label, aliases",
    [
        ("Islamic State", {"IS", "ISIS", "ISIL", "Daesh", "Islamic State of Iraq and the Levant",
                           "Islamic State of Iraq and Syria"}),
        ("al-Qaeda", {"al-Qaida", "al Qaeda", "al Qaida"}),
        ("United Nations", {"UN", "U.N."}),
        ("African Union", {"AU"}),
        ("European Union", {"EU"}),
        ("Kyiv", {"Kiev"}),
    ],
)
def test_aliases(graph: Graph, by_label, label, aliases):
    assert aliases <= {str(o) for o in graph.objects(by_label[label], SKOS.altLabel)}


def test_every_class_but_person_is_populated(graph: Graph):
    counts = {c: len(set(graph.subjects(RDF.type, c))) for c in CLASSES}
    assert counts[NKG.Location] >= 80
    assert counts[NKG.Organization] >= 20
    assert counts[NKG.ArmedGroup] >= 40


@pytest.mark.parametrize(
    "label, cls, aliases",
    [
        ("al-Shabab", NKG.ArmedGroup, {"al-Shabaab"}),
        ("Houthis", NKG.ArmedGroup, {"Houthi movement", "Ansar Allah"}),
        ("FARC", NKG.ArmedGroup, set()),
        ("Wagner Group", NKG.ArmedGroup, {"Wagner"}),
        ("Boko Haram", NKG.ArmedGroup, set()),
        ("Popular Mobilization Forces", NKG.ArmedGroup, {"PMF", "PMU", "Hashd al-Shaabi"}),
        ("International Committee of the Red Cross", NKG.Organization, {"ICRC"}),
        ("Donetsk", NKG.Location, set()),
        ("Luhansk", NKG.Location, {"Lugansk"}),
        ("Mogadishu", NKG.Location, set()),
    ],
)
def test_conflict_actors_and_places(graph: Graph, by_label, label, cls, aliases):
    s = by_label[label]
    assert str(s).startswith((WD, GZ))
    assert (s, RDF.type, cls) in graph
    assert aliases <= {str(o) for o in graph.objects(s, SKOS.altLabel)}


def test_houthi_demonym(graph: Graph, by_label):
    assert "Houthi" in {str(o) for o in graph.objects(by_label["Houthis"], NKG.demonym)}
