"""The HTML view: what it draws, that it loads nothing remote, and that extracted text never becomes markup."""
from __future__ import annotations

import base64
import hashlib
import json
import os
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kg import view
from kg.namespace import ENTITY_CLASSES, ID, NKG, PROV, RELATION_PREDICATES, WD

ARTICLE = ID["article-3f2a9c01d2e4"]
BACKING = "The involvement of the Iranian-backed Shiite militias has raised concerns."
DENIAL = "Officials denied that Iran backs the Popular Mobilization Units."


def add_entity(g: Graph, name: str, kind: str, label: str | None, *aliases: str):
    entity = ID[name]
    g.add((entity, RDF.type, ENTITY_CLASSES[kind]))
    if label is not None:
        g.add((entity, RDFS.label, Literal(label)))
    for alias in aliases:
        g.add((entity, SKOS.altLabel, Literal(alias)))
    g.add((entity, NKG.mentionedIn, ARTICLE))
    return entity


def add_statement(g: Graph, key: str, s, relation: str, o, sentence: str, confidence: str = "0.9",
                  polarity=NKG.positive, modality=NKG.asserted) -> None:
    """A provenance node, plus the asserted triple unless the text denies it (as `kg build` writes them)."""
    statement = ID[f"statement-{key}"]
    predicate = RELATION_PREDICATES[relation]
    for p, value in [(RDF.type, RDF.Statement), (RDF.subject, s), (RDF.predicate, predicate), (RDF.object, o),
                     (PROV.wasDerivedFrom, ARTICLE), (NKG.evidence, Literal(sentence)),
                     (NKG.confidence, Literal(Decimal(confidence))),
                     (NKG.modality, modality), (NKG.polarity, polarity)]:
        g.add((statement, p, value))
    if polarity == NKG.positive:
        g.add((s, predicate, o))


def sample_graph() -> Graph:
    """The shape of /tmp/spec/graph-sample.ttl, plus a denial, a bare entity and the alias statement."""
    g = Graph()
    iran = add_entity(g, "Iran", "Country", "Iran", "Iranian", "Iranian advisers")
    g.add((iran, OWL.sameAs, WD.Q794))
    militias = add_entity(g, "Shiite_militias", "ArmedGroup", "Shiite militias", "Iranian-backed Shiite militias")
    assadi = add_entity(g, "Ahmed_al-Assadi", "Person", "Ahmed al-Assadi", "Al-Assadi")
    pmu = add_entity(g, "Popular_Mobilization_Units", "ArmedGroup", "Popular Mobilization Units")
    mosul = add_entity(g, "Mosul", "Location", "Mosul")
    tal_afar = add_entity(g, "Tal_Afar", "Location", "Tal Afar")
    add_entity(g, "UN", "Organization", "United Nations")  # labelled, in no relation: still a node
    add_entity(g, "Nameless", "Organization", None)  # no label, no relation: not a node

    add_statement(g, "1", militias, "backedBy", iran, BACKING)
    add_statement(g, "2", assadi, "spokesmanOf", pmu, "Ahmed al-Assadi, spokesman of the PMU, said ...", "0.8")
    add_statement(g, "3", tal_afar, "locatedNear", mosul, "Tal Afar, west of Mosul, ...", "0.7", modality=NKG.reported)
    add_statement(g, "4", pmu, "backedBy", iran, DENIAL, polarity=NKG.negative)

    alias = ID["statement-alias"]
    g.add((alias, RDF.type, RDF.Statement))
    g.add((alias, RDF.subject, pmu))
    g.add((alias, RDF.predicate, SKOS.altLabel))
    g.add((alias, RDF.object, Literal("PMU")))
    g.add((ARTICLE, RDF.type, NKG.Article))
    g.add((ARTICLE, DCTERMS.title, Literal("Shiite militias join in offensive to retake Mosul")))
    return g


class Page(HTMLParser):
    """The tags of a page, and the text of its scripts, as a browser's parser sees them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self.text: list[str] = []
        self.in_script = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self.scripts.append((dict(attrs), ""))
            self.in_script = True

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        self.text.append(data)

    def data(self) -> dict:
        [(_attrs, text)] = [s for s in self.scripts if s[0].get("id") == "graph-data"]
        return json.loads(text)


def edge_by_label(data: dict, label: str) -> list[dict]:
    return [e for e in data["edges"] if e["label"] == label]


def test_nodes_are_the_entities_and_edges_the_asserted_relations():
    data = Page(view.render_html(sample_graph())).data()

    assert sorted(n["label"] for n in data["nodes"]) == [
        "Ahmed al-Assadi", "Iran", "Mosul", "Popular Mobilization Units", "Shiite militias", "Tal Afar",
        "United Nations"]
    assert sorted((e["label"], e["from"], e["to"]) for e in data["edges"]) == [
        ("backed by", str(ID.Shiite_militias), str(ID.Iran)),
        ("near", str(ID.Mosul), str(ID.Tal_Afar)),
        ("spokesman of", str(ID["Ahmed_al-Assadi"]), str(ID.Popular_Mobilization_Units)),
    ]


def test_arrows_only_for_directed_relations():
    data = Page(view.render_html(sample_graph())).data()

    arrows = {e["label"]: e["arrows"] for e in data["edges"]}
    assert arrows == {"backed by": "to", "spokesman of": "to", "near": ""}


def test_symmetric_relation_asserted_both_ways_is_one_edge_and_parallel_relations_both_show():
    g = Graph()
    a = add_entity(g, "A", "ArmedGroup", "A")
    b = add_entity(g, "B", "ArmedGroup", "B")
    add_statement(g, "1", a, "fighting", b, "A fought B.")
    add_statement(g, "2", b, "fighting", a, "B clashed with A.", "0.6")
    add_statement(g, "3", a, "backedBy", b, "A is backed by B.")

    data = Page(view.render_html(g)).data()

    [fight] = edge_by_label(data, "fighting")
    assert "A fought B." in fight["title"] and "B clashed with A." in fight["title"]
    [backing] = edge_by_label(data, "backed by")
    assert "smooth" in fight or "smooth" in backing  # the second edge of the pair bends away from the first


def test_edge_tooltip_carries_evidence_and_confidence_but_not_denials():
    data = Page(view.render_html(sample_graph())).data()

    [backing] = edge_by_label(data, "backed by")
    assert BACKING in backing["title"]
    assert "confidence 0.90" in backing["title"]
    assert "Shiite militias join in offensive to retake Mosul" in backing["title"]
    [near] = edge_by_label(data, "near")
    assert "reported" in near["title"]
    assert all(DENIAL not in e["title"] for e in data["edges"])


def test_evidence_is_ranked_and_capped():
    g = Graph()
    a = add_entity(g, "A", "ArmedGroup", "A")
    b = add_entity(g, "B", "Country", "B")
    for i in range(view.MAX_EVIDENCE + 2):
        add_statement(g, str(i), a, "backedBy", b, f"Sentence {i}.", f"0.{i}")

    [edge] = Page(view.render_html(g)).data()["edges"]

    assert edge["title"].index("Sentence 6.") < edge["title"].index("Sentence 5.")
    assert "Sentence 0." not in edge["title"] and "and 2 more" in edge["title"]


def test_node_style_and_tooltip_follow_the_class():
    data = Page(view.render_html(sample_graph())).data()
    nodes = {n["label"]: n for n in data["nodes"]}

    for label, kind in [("Iran", "Country"), ("Mosul", "Location"), ("Ahmed al-Assadi", "Person"),
                        ("Shiite militias", "ArmedGroup"), ("United Nations", "Organization")]:
        colour, shape, _glyph = view.CLASS_STYLES[kind]
        assert (nodes[label]["color"], nodes[label]["shape"]) == (colour, shape)
        assert f"Class: {kind}" in nodes[label]["title"]
    assert "Aliases: Iranian; Iranian advisers" in nodes["Iran"]["title"]
    assert f"Wikidata: {WD.Q794}" in nodes["Iran"]["title"]
    assert len({s[:2] for s in view.CLASS_STYLES.values()}) == len(view.CLASS_STYLES)


def test_styles_cover_the_vocabulary():
    assert view.CLASS_STYLES.keys() == ENTITY_CLASSES.keys()
    assert view.RELATION_STYLES.keys() == RELATION_PREDICATES.keys()


def test_heading_counts_and_legend():
    html = view.render_html(sample_graph(), title="Mosul offensive")
    page = Page(html)

    assert ("h1", {}) in page.tags and "Mosul offensive" in page.text
    assert "7 entities \u00b7 3 relations" in page.text
    legend = html[html.index('class="legend"'):html.index("</ul>")]
    for kind, (colour, _shape, glyph) in view.CLASS_STYLES.items():
        assert kind in legend and colour in legend and glyph in legend
    for label, colour in view.RELATION_STYLES.values():
        assert label in legend and colour in legend


def test_page_loads_nothing_remote():
    html = view.render_html(sample_graph())
    page = Page(html)

    assert not [t for t, attrs in page.tags if t == "link" or "src" in attrs or "href" in attrs]
    assert all(not attrs for attrs, _text in page.scripts if attrs.get("type") != "application/json")
    assert "sourceMappingURL" not in html and "@import" not in html and "url(http" not in html
    [csp] = [a["content"] for t, a in page.tags if a.get("http-equiv") == "Content-Security-Policy"]
    assert "default-src 'none'" in csp


def test_content_security_policy_allows_exactly_the_page_scripts():
    page = Page(view.render_html(sample_graph()))
    [csp] = [a["content"] for t, a in page.tags if a.get("http-equiv") == "Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src")).split()[1:]

    executable = [text for attrs, text in page.scripts if attrs.get("type") != "application/json"]
    hashes = [f"'sha256-{base64.b64encode(hashlib.sha256(t.encode()).digest()).decode()}'" for t in executable]
    assert script_src == hashes


PAYLOADS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</script><script>alert(2)</script>",
            "\"quoted' \\backslash\\ & <b>bold</b>", "line\nbreak\u2028sep\u2029end",
            "\u062f\u0627\u0639\u0634", "\u0412\u0430\u0433\u043d\u0435\u0440"]


def payload_graph() -> Graph:
    g = Graph()
    a = add_entity(g, "A", "ArmedGroup", "<script>alert(1)</script>", *PAYLOADS)
    b = add_entity(g, "B", "Person", "<img src=x onerror=alert(1)>")
    c = add_entity(g, "C", "Country", "\u062f\u0627\u0639\u0634 </script> \u0412\u0430\u0433\u043d\u0435\u0440")
    add_statement(g, "1", b, "spokesmanOf", a, " ".join(PAYLOADS))
    add_statement(g, "2", a, "fighting", c, " ".join(PAYLOADS))
    return g


def test_extracted_text_never_becomes_markup():
    title = "<script>alert('title')</script>"
    html = view.render_html(payload_graph(), title=title)
    page = Page(html)

    for raw in ["<script>alert", "<img src=x onerror", "<b>bold", "\u2028", "\u2029"]:
        assert raw not in html
    assert [t for t, _ in page.tags if t not in {"html", "head", "meta", "title", "style", "body", "h1", "p",
                                                 "ul", "li", "span", "div", "script"}] == []
    assert len(page.scripts) == html.count("</script>") == 3  # the data block, vis-network, the page's own
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in html
    assert page.text.count(title) == 2  # <title> and <h1>, as text


def test_extracted_text_survives_as_data():
    data = Page(view.render_html(payload_graph())).data()
    nodes = {n["id"]: n for n in data["nodes"]}

    assert nodes[str(ID.A)]["label"] == "<script>alert(1)</script>"
    assert nodes[str(ID.C)]["label"] == "\u062f\u0627\u0639\u0634 </script> \u0412\u0430\u0433\u043d\u0435\u0440"
    for payload in PAYLOADS:
        assert payload in nodes[str(ID.A)]["title"]
        assert all(payload in e["title"] for e in data["edges"])


def test_tooltips_reach_vis_network_as_text_nodes():
    """vis-network renders a title element as given; the page builds it with textContent, never innerHTML."""
    assert "textContent = text" in view._APP_JS and "innerHTML" not in view._APP_JS


def test_same_graph_same_bytes_whatever_the_triple_order():
    g = sample_graph()
    reordered = Graph()
    for triple in sorted(g, reverse=True):
        reordered.add(triple)

    assert view.render_html(g) == view.render_html(g) == view.render_html(reordered)


def test_write_view_replaces_the_file_atomically(tmp_path):
    target = tmp_path / "graph.html"
    target.write_text("old page")

    view.write_view(sample_graph(), target, title="T")

    assert target.read_text(encoding="utf-8") == view.render_html(sample_graph(), title="T")
    assert os.listdir(tmp_path) == ["graph.html"]


def test_write_view_failure_keeps_the_old_page_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "graph.html"
    target.write_text("old page")

    def fail(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        view.write_view(sample_graph(), target)

    assert target.read_text() == "old page"
    assert os.listdir(tmp_path) == ["graph.html"]


def test_empty_graph_says_there_is_nothing_to_show():
    html = view.render_html(Graph())
    page = Page(html)

    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert page.data()["nodes"] == [] and page.data()["edges"] == []
    assert "Nothing to show" in html and "0 entities \u00b7 0 relations" in page.text
    assert not [a for t, a in page.tags if a.get("id") == "graph"]
