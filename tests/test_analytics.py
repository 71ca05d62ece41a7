"""Graph analytics with networkx: the networkx reading of the RDF, kg stats, camps, connections, GraphML/GEXF."""
from __future__ import annotations

import io
import json
from decimal import Decimal

import networkx as nx
import pytest
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from kg import analytics
from kg.cli import main
from kg.errors import KgError
from kg.namespace import ENTITY_CLASSES, ID, NKG, PROV, RELATION_PREDICATES, SCHEMA
from kg.store import open_store

ARTICLE = ID["article-a1"]


def entity(g: Graph, key: str, kind: str, label: str, *aliases: str):
    node = ID[key]
    g.add((node, RDF.type, ENTITY_CLASSES[kind]))
    g.add((node, RDFS.label, Literal(label)))
    for alias in aliases:
        g.add((node, SKOS.altLabel, Literal(alias)))
    g.add((node, NKG.mentionedIn, ARTICLE))
    return node


def relation(g: Graph, key: str, s, name: str, o, sentence: str = "", confidence: str = "0.9",
             modality=NKG.asserted, polarity=NKG.positive, article=ARTICLE):
    st = ID[f"statement-{key}"]
    for p, value in [(RDF.type, RDF.Statement), (RDF.subject, s), (RDF.predicate, RELATION_PREDICATES[name]),
                     (RDF.object, o), (PROV.wasDerivedFrom, article),
                     (NKG.evidence, Literal(sentence or f"{key}: sentence.")),
                     (NKG.confidence, Literal(Decimal(confidence))), (NKG.modality, modality),
                     (NKG.polarity, polarity)]:
        g.add((st, p, value))
    if polarity == NKG.positive:
        g.add((s, RELATION_PREDICATES[name], o))


def middle_east() -> Graph:
    """Iran backs the Houthis and Hezbollah; Saudi Arabia backs Yemen's government, which fights the Houthis;
    Hezbollah fights Israel; Islamic State fights nearly everyone, including Iran and Saudi Arabia."""
    g = Graph()
    g.add((ARTICLE, RDF.type, NKG.Article))
    g.add((ARTICLE, DCTERMS.title, Literal("Proxy wars")))
    g.add((ARTICLE, SCHEMA.datePublished, Literal("2019-05-02", datatype=XSD.date)))
    iran = entity(g, "Iran", "Country", "Iran", "Islamic Republic")
    houthis = entity(g, "Houthis", "ArmedGroup", "Houthis", "Ansar Allah", "the Houthi movement")
    hezbollah = entity(g, "Hezbollah", "ArmedGroup", "Hezbollah")
    saudi = entity(g, "Saudi_Arabia", "Country", "Saudi Arabia", "Riyadh")
    yemen = entity(g, "Yemeni_government", "Organization", "Yemeni government")
    israel = entity(g, "Israel", "Country", "Israel")
    isis = entity(g, "Islamic_State", "ArmedGroup", "Islamic State", "IS")
    nasrallah = entity(g, "Hassan_Nasrallah", "Person", "Hassan Nasrallah")
    sanaa = entity(g, "Sanaa", "Location", "Sanaa")
    entity(g, "Lonely", "Organization", "Lonely Org")
    relation(g, "1", houthis, "backedBy", iran, "The Iranian-backed Houthis fired missiles.", "0.9")
    relation(g, "2", hezbollah, "backedBy", iran, "Hezbollah, armed by Iran, ...", "0.85", modality=NKG.reported)
    relation(g, "3", yemen, "backedBy", saudi, "The Saudi-backed government ...", "0.9")
    relation(g, "4", yemen, "fighting", houthis, "Government forces clashed with the Houthis.", "0.8")
    relation(g, "5", hezbollah, "fighting", israel, "Hezbollah fired rockets at Israel.", "0.9")
    relation(g, "6", iran, "fighting", isis, "Iran struck IS positions.", "0.7")
    relation(g, "7", isis, "fighting", saudi, "IS attacked a Saudi mosque.", "0.75", modality=NKG.alleged)
    relation(g, "8", nasrallah, "spokesmanOf", hezbollah, "Hassan Nasrallah, speaking for Hezbollah, ...", "0.8")
    relation(g, "9", houthis, "locatedNear", sanaa, "Houthis near Sanaa.", "0.6")
    relation(g, "10", saudi, "backedBy", israel, "Israel denied backing Riyadh.", polarity=NKG.negative)
    return g


@pytest.fixture
def G():
    return analytics.to_networkx(middle_east())


# ------------------------------------------------------------------ the networkx reading

def test_nodes_edges_and_attributes(G):
    assert G.number_of_nodes() == 10 and G.number_of_edges() == 9
    iran = G.nodes[str(ID.Iran)]
    assert (iran["label"], iran["cls"], iran["aliases"]) == ("Iran", "Country", ["Islamic Republic"])
    assert iran["articles"] == [str(ARTICLE)]
    edge = G.edges[str(ID.Hezbollah), str(ID.Iran), "backedBy"]
    assert edge["modality"] == "reported" and edge["confidence"] == 0.85
    assert edge["evidence"] == [{"sentence": "Hezbollah, armed by Iran, ...", "confidence": 0.85,
                                 "modality": "reported", "article": str(ARTICLE)}]
    assert G.graph["articles"] == {str(ARTICLE): {"title": "Proxy wars", "date": "2019-05-02", "path": ""}}


def test_denials_are_not_edges(G):
    assert not G.has_edge(str(ID.Saudi_Arabia), str(ID.Israel))


def test_symmetric_relations_are_one_edge_sorted(G):
    assert G.has_edge(str(ID.Houthis), str(ID.Yemeni_government), "fighting")
    assert not G.has_edge(str(ID.Yemeni_government), str(ID.Houthis))


def test_same_graph_same_networkx_graph():
    g = middle_east()
    reordered = Graph()
    for triple in sorted(g, reverse=True):
        reordered.add(triple)
    a, b = analytics.to_networkx(g), analytics.to_networkx(reordered)
    assert list(a.nodes(data=True)) == list(b.nodes(data=True))
    assert list(a.edges(keys=True, data=True)) == list(b.edges(keys=True, data=True))


def test_find_entity_by_label_or_alias_ignoring_case_and_accents(G):
    assert analytics.find_entity(G, "ansar allah") == str(ID.Houthis)
    assert analytics.find_entity(G, "  IRAN ") == str(ID.Iran)
    assert analytics.find_entity(G, "Islámic State") == str(ID.Islamic_State)
    with pytest.raises(KgError, match="did you mean: Houthis"):
        analytics.find_entity(G, "Houthi")
    with pytest.raises(KgError, match="no entity named"):
        analytics.find_entity(G, "Atlantis")


def test_find_entity_reports_ambiguity():
    g = Graph()
    entity(g, "A", "Person", "Ali", "The Leader")
    entity(g, "B", "Person", "Bashir", "The Leader")
    with pytest.raises(KgError, match="ambiguous: Ali \\(Person\\), Bashir \\(Person\\)"):
        analytics.find_entity(analytics.to_networkx(g), "the leader")


def test_select_focus_and_filters(G):
    H = analytics.select(G, focus="Ansar Allah", depth=1)
    assert {H.nodes[n]["label"] for n in H} == {"Houthis", "Iran", "Yemeni government", "Sanaa"}
    H = analytics.select(G, relations=["backedBy"], min_confidence=0.88)
    assert {(H.nodes[u]["label"], H.nodes[v]["label"]) for u, v in H.edges()} == {
        ("Houthis", "Iran"), ("Yemeni government", "Saudi Arabia")}
    H = analytics.select(G, types=["Country"])
    assert {H.nodes[n]["label"] for n in H} == {"Iran", "Israel", "Saudi Arabia"} and H.number_of_edges() == 0
    assert analytics.select(G, since="2019-05-03").number_of_nodes() == 0
    assert analytics.select(G, since="2019-05-02").number_of_edges() == 9


# ------------------------------------------------------------------ statistics

def test_centrality_lists_actors_only(G):
    central = analytics.centrality(G, top=3)
    assert [r["label"] for r in central["degree"]] == ["Hezbollah", "Houthis", "Iran"]
    assert central["degree"][0]["degree"] == 3
    assert central["betweenness"][0]["label"] == "Iran"
    assert all(r["class"] != "Location" for r in central["degree"] + central["betweenness"])
    assert central["betweenness_sampled"] is None


def test_camps_from_backing_and_fighting(G):
    camps = analytics.camps(G)
    [front] = camps["fronts"]
    assert front["sides"] == [["Islamic State", "Israel", "Saudi Arabia", "Yemeni government"],
                              ["Hezbollah", "Houthis", "Iran"]]
    # Islamic State fights both camps: one of its fights cannot be explained by two sides
    assert camps["tensions"] == [["Islamic State", "Saudi Arabia"]]


def test_camps_keep_separate_fronts_and_allied_blocs():
    g = Graph()
    a, b, c, d = (entity(g, k, "ArmedGroup", k) for k in "ABCD")
    e, f = entity(g, "E", "Country", "E"), entity(g, "F", "Country", "F")
    relation(g, "1", a, "fighting", b)
    relation(g, "2", c, "fighting", d)
    relation(g, "3", c, "backedBy", e)
    relation(g, "4", f, "backedBy", entity(g, "G", "Country", "G"))
    camps = analytics.camps(analytics.to_networkx(g))
    assert camps["fronts"] == [{"sides": [["C", "E"], ["D"]]}, {"sides": [["A"], ["B"]]}]
    assert camps["allied"] == [["F", "G"]] and camps["tensions"] == []


def test_connection_with_evidence_along_the_path(G):
    conn = analytics.connection(G, "Ansar Allah", "Israel")
    assert conn["path"] == ["Houthis", "Iran", "Hezbollah", "Israel"]
    [[first], [second], [third]] = conn["steps"]
    assert (first["subject"], first["relation"], first["object"]) == ("Houthis", "backedBy", "Iran")
    assert first["evidence"]["sentence"] == "The Iranian-backed Houthis fired missiles."
    assert first["evidence"]["title"] == "Proxy wars" and first["evidence"]["date"] == "2019-05-02"
    assert second["modality"] == "reported"
    assert third["relation"] == "fighting"


def test_no_connection(G):
    conn = analytics.connection(G, "Lonely Org", "Iran")
    assert conn["path"] is None and conn["steps"] == []


def test_stats_and_report(G):
    result = analytics.stats(G, top=5, paths=[("Iran", "Israel")])
    assert result["classes"] == {"ArmedGroup": 3, "Country": 3, "Location": 1, "Organization": 2, "Person": 1}
    assert result["relation_counts"] == {"backedBy": 3, "fighting": 4, "locatedNear": 1, "spokesmanOf": 1}
    assert result["modalities"] == {"asserted": 7, "reported": 1, "alleged": 1}
    assert (result["articles"], result["entities"], result["relations"], result["statements"]) == (1, 10, 9, 9)
    assert result["components"] == 2
    text = analytics.format_stats(result, "g.ttl")
    assert "How is Iran connected to Israel? Iran \u2013 Hezbollah \u2013 Israel (2 steps)" in text
    assert "\u201cHezbollah fired rockets at Israel.\u201d (confidence 0.90, asserted, Proxy wars, 2019-05-02)" in text
    assert "side B: Hezbollah, Houthis, Iran" in text
    assert "tension: Islamic State fighting Saudi Arabia" in text


def test_betweenness_is_sampled_on_large_graphs(monkeypatch):
    monkeypatch.setattr(analytics, "EXACT_BETWEENNESS_NODES", 5)
    central = analytics.centrality(analytics.to_networkx(middle_east()))
    assert central["betweenness_sampled"] == 10


# ------------------------------------------------------------------ stores and exports

def test_graphml_for_gephi_and_cytoscape(G):
    data = analytics.to_graphml(G)
    back = nx.read_graphml(io.BytesIO(data))
    iran = back.nodes[str(ID.Iran)]
    assert (iran["label"], iran["class"], iran["aliases"]) == ("Iran", "Country", "Islamic Republic")
    edge = next(d for u, v, d in back.edges(data=True) if (u, v) == (str(ID.Hezbollah), str(ID.Iran)))
    assert (edge["relation"], edge["label"], edge["modality"], edge["confidence"]) == (
        "backedBy", "backed by", "reported", 0.85)
    assert edge["evidence"] == "Hezbollah, armed by Iran, ..." and edge["article"] == "Proxy wars"
    assert back.number_of_edges() == 9 and data == analytics.to_graphml(G)


def test_gexf_for_gephi(G):
    data = analytics.to_gexf(G)
    back = nx.read_gexf(io.BytesIO(data))
    assert back.nodes[str(ID.Houthis)]["label"] == "Houthis"
    assert back.nodes[str(ID.Houthis)]["class"] == "ArmedGroup"
    assert back.number_of_edges() == 9
    assert b"lastmodifieddate" not in data and data == analytics.to_gexf(G)


# ------------------------------------------------------------------ the commands

@pytest.fixture
def graph_file(tmp_path):
    path = tmp_path / "g.ttl"
    middle_east().serialize(path, format="turtle")
    return path


def test_kg_stats_text(graph_file, capsys):
    assert main(["stats", str(graph_file), "--path", "Iran", "Israel", "--path", "Ansar Allah", "IS"]) == 0
    out = capsys.readouterr().out
    assert "10 entities, 9 relations" in out and "Most central actors by degree" in out
    assert "How is Iran connected to Israel?" in out and "How is Houthis connected to Islamic State?" in out


def test_kg_stats_json_and_store(graph_file, tmp_path, capsys):
    assert main(["stats", str(graph_file), "--format", "json", "--top", "2"]) == 0
    from_file = json.loads(capsys.readouterr().out)
    assert len(from_file["central"]["degree"]) == 2

    with open_store(tmp_path / "st") as store:   # as `kg build --store` fills it: the article in its own graph
        store.replace_article(ARTICLE, middle_east())
    assert main(["stats", "--store", str(tmp_path / "st"), "--format", "json", "--top", "2"]) == 0
    assert json.loads(capsys.readouterr().out) == from_file


@pytest.mark.parametrize("argv,message", [
    (["stats"], "give a GRAPH file or --store DIR"),
    (["stats", "{g}", "--path", "Iran", "Atlantis"], "no entity named 'Atlantis'"),
    (["stats", "{g}", "--top", "0"], "--top must be at least 1"),
    (["stats", "--store", "{tmp}/none"], "no such store directory"),
    (["stats", "--store", "{g}"], "is a file, not a store directory"),
    (["stats", "--store", "{tmp}/empty"], "not an Oxigraph store"),
    (["view", "{g}", "-o", "{tmp}/v.html", "--since", "yesterday"], "not a date"),
    (["view", "{g}", "-o", "{tmp}/v.html", "--min-confidence", "2"], "between 0 and 1"),
    (["view", "{g}", "-o", "{tmp}/v.html", "--focus", "Atlantis"], "no entity named 'Atlantis'"),
])
def test_command_errors_are_one_line(graph_file, tmp_path, capsys, argv, message):
    (tmp_path / "empty").mkdir()
    argv = [a.format(g=graph_file, tmp=tmp_path) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "v.html").exists()
    assert not any((tmp_path / "empty").iterdir())   # nothing was created in an empty directory


def test_kg_view_with_selection(graph_file, tmp_path, capsys):
    target = tmp_path / "v.html"
    assert main(["view", str(graph_file), "-o", str(target), "--focus", "Ansar Allah", "--depth", "2",
                 "--relation", "backedBy", "--relation", "fighting", "--type", "ArmedGroup", "--type", "Country",
                 "--type", "Organization", "--min-confidence", "0.8", "--since", "2019-01-01", "--title", "Houthis"]) == 0
    html = target.read_text(encoding="utf-8")
    assert "<title>Houthis</title>" in html
    assert "around Houthis, 2 relations deep" in html and "confidence \u2265 0.8" in html
    assert "Hezbollah" in html and "Saudi Arabia" in html  # two relations away
    assert "Sanaa" not in html and "Israel" not in html  # a location; three relations away
    assert "Islamic State" not in html  # fighting Iran with confidence 0.7 only


def test_kg_export_graphml_and_gexf(graph_file, tmp_path):
    for fmt, reader in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        target = tmp_path / f"g.{fmt}"
        assert main(["export", str(graph_file), "-f", fmt, "-o", str(target)]) == 0
        back = reader(target)
        assert back.number_of_nodes() == 10 and back.number_of_edges() == 9
