"""The HTML view: what it draws, that it loads nothing remote, and that extracted text never becomes markup.

tests/test_browser.py runs the same pages in a real browser."""
from __future__ import annotations

import base64
import hashlib
import json
import os
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

import kg
from kg import view
from kg.namespace import ENTITY_CLASSES, ID, NKG, PROV, RELATION_PREDICATES, SCHEMA, WD

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
                  polarity=NKG.positive, modality=NKG.asserted, article=ARTICLE) -> None:
    """A provenance node, plus the asserted triple unless the text denies it (as `kg build` writes them)."""
    statement = ID[f"statement-{key}"]
    predicate = RELATION_PREDICATES[relation]
    for p, value in [(RDF.type, RDF.Statement), (RDF.subject, s), (RDF.predicate, predicate), (RDF.object, o),
                     (PROV.wasDerivedFrom, article), (NKG.evidence, Literal(sentence)),
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


def edges_of(data: dict, relation: str) -> list[dict]:
    return [e for e in data["edges"] if e["rel"] == relation]


def label_of(data: dict, node_id: str) -> str:
    return next(n["label"] for n in data["nodes"] if n["id"] == node_id)


def test_nodes_are_the_entities_and_edges_the_asserted_relations():
    data = Page(view.render_html(sample_graph())).data()

    assert sorted(n["label"] for n in data["nodes"]) == [
        "Ahmed al-Assadi", "Iran", "Mosul", "Popular Mobilization Units", "Shiite militias", "Tal Afar",
        "United Nations"]
    assert sorted((e["rel"], e["from"], e["to"]) for e in data["edges"]) == [
        ("backedBy", str(ID.Shiite_militias), str(ID.Iran)),
        ("locatedNear", str(ID.Mosul), str(ID.Tal_Afar)),
        ("spokesmanOf", str(ID["Ahmed_al-Assadi"]), str(ID.Popular_Mobilization_Units)),
    ]


def test_arrows_only_for_directed_relations():
    data = Page(view.render_html(sample_graph())).data()

    assert {e["rel"]: e["arrows"] for e in data["edges"]} == {"backedBy": "to", "spokesmanOf": "to", "locatedNear": ""}


def test_symmetric_relation_asserted_both_ways_is_one_edge_and_parallel_relations_both_show():
    g = Graph()
    a = add_entity(g, "A", "ArmedGroup", "A")
    b = add_entity(g, "B", "ArmedGroup", "B")
    add_statement(g, "1", a, "fighting", b, "A fought B.")
    add_statement(g, "2", b, "fighting", a, "B clashed with A.", "0.6")
    add_statement(g, "3", a, "backedBy", b, "A is backed by B.")

    data = Page(view.render_html(g)).data()

    [fight] = edges_of(data, "fighting")
    assert [e["sentence"] for e in fight["evidence"]] == ["A fought B.", "B clashed with A."]
    [backing] = edges_of(data, "backedBy")
    assert "smooth" in fight or "smooth" in backing  # the second edge of the pair bends away from the first


def test_edge_carries_every_evidence_sentence_with_its_article_but_not_denials():
    data = Page(view.render_html(sample_graph())).data()

    [backing] = edges_of(data, "backedBy")
    assert backing["evidence"] == [{"sentence": BACKING, "confidence": 0.9, "modality": "asserted", "article": 0}]
    assert data["articles"] == [{"id": str(ARTICLE), "title": "Shiite militias join in offensive to retake Mosul",
                                 "date": ""}]
    [near] = edges_of(data, "locatedNear")
    assert near["evidence"][0]["modality"] == "reported"
    assert all(DENIAL not in ev["sentence"] for e in data["edges"] for ev in e["evidence"])


def test_evidence_is_ranked_best_first_and_all_kept_for_the_panel():
    g = Graph()
    a = add_entity(g, "A", "ArmedGroup", "A")
    b = add_entity(g, "B", "Country", "B")
    for i in range(view.MAX_EVIDENCE + 2):
        add_statement(g, str(i), a, "backedBy", b, f"Sentence {i}.", f"0.{i}")

    [edge] = Page(view.render_html(g)).data()["edges"]

    assert [e["sentence"] for e in edge["evidence"]] == [f"Sentence {i}." for i in range(6, -1, -1)]
    assert Page(view.render_html(g)).data()["maxEvidence"] == view.MAX_EVIDENCE  # the tooltip's cap


def test_modality_is_drawn_on_the_edge():
    g = Graph()
    a = add_entity(g, "A", "ArmedGroup", "A")
    b = add_entity(g, "B", "Country", "B")
    c = add_entity(g, "C", "Country", "C")
    add_statement(g, "1", a, "backedBy", b, "B is said to arm A.", modality=NKG.alleged)
    add_statement(g, "2", a, "backedBy", c, "C arms A, officials said.", modality=NKG.reported)
    add_statement(g, "3", a, "backedBy", c, "C arms A.", modality=NKG.asserted)

    data = Page(view.render_html(g)).data()
    modality = {label_of(data, e["to"]): e["modality"] for e in data["edges"]}

    assert modality == {"B": "alleged", "C": "asserted"}  # the strongest statement wins
    assert data["modalities"] == {name: dashes for name, (dashes, _line) in view.MODALITY_STYLES.items()}
    assert data["modalities"]["asserted"] is False and data["modalities"]["alleged"]
    assert len({json.dumps(d) for d, _ in view.MODALITY_STYLES.values()}) == len(view.MODALITY_STYLES)


def test_node_style_and_data_follow_the_class():
    data = Page(view.render_html(sample_graph())).data()
    nodes = {n["label"]: n for n in data["nodes"]}

    for label, kind in [("Iran", "Country"), ("Mosul", "Location"), ("Ahmed al-Assadi", "Person"),
                        ("Shiite militias", "ArmedGroup"), ("United Nations", "Organization")]:
        colour, shape, _glyph = view.CLASS_STYLES[kind]
        assert (nodes[label]["color"], nodes[label]["shape"], nodes[label]["cls"]) == (colour, shape, kind)
    assert nodes["Iran"]["aliases"] == ["Iranian", "Iranian advisers"]
    assert nodes["Iran"]["sameAs"] == [str(WD.Q794)] and data["wikidata"] == str(WD)
    assert nodes["Iran"]["articles"] == [0]
    assert len({s[:2] for s in view.CLASS_STYLES.values()}) == len(view.CLASS_STYLES)


def test_the_more_specific_class_wins():
    g = Graph()
    both = add_entity(g, "Iraq", "Location", "Iraq")
    g.add((both, RDF.type, ENTITY_CLASSES["Country"]))
    group = add_entity(g, "IS", "Organization", "IS")
    g.add((group, RDF.type, ENTITY_CLASSES["ArmedGroup"]))

    assert {n["label"]: n["cls"] for n in Page(view.render_html(g)).data()["nodes"]} == {
        "Iraq": "Country", "IS": "ArmedGroup"}


def test_styles_cover_the_vocabulary():
    assert view.CLASS_STYLES.keys() == ENTITY_CLASSES.keys()
    assert view.RELATION_STYLES.keys() == RELATION_PREDICATES.keys()


def test_heading_counts_legend_and_controls():
    html = view.render_html(sample_graph(), title="Mosul offensive")
    page = Page(html)

    assert ("h1", {}) in page.tags and "Mosul offensive" in page.text
    assert "7 entities \u00b7 3 relations" in page.text
    legend = html[html.index('class="legend"'):html.index("</div>", html.index('class="legend"'))]
    for kind, (colour, _shape, glyph) in view.CLASS_STYLES.items():
        assert f'data-class="{kind}"' in legend and colour in legend and glyph in legend
    for name, (label, colour) in view.RELATION_STYLES.items():
        assert f'data-relation="{name}"' in legend and label in legend and colour in legend
    for name in view.MODALITY_STYLES:
        assert f'data-modality="{name}"' in legend
    ids = {a.get("id") for _t, a in page.tags}
    assert {"search", "results", "article", "confidence", "reset", "details", "graph", "shown"} <= ids


def test_page_loads_nothing_remote():
    html = view.render_html(sample_graph())
    page = Page(html)

    assert not [t for t, attrs in page.tags if t == "link" or "src" in attrs or "href" in attrs or "action" in attrs]
    assert all(not attrs for attrs, _text in page.scripts if attrs.get("type") != "application/json")
    assert "sourceMappingURL" not in html and "@import" not in html and "url(http" not in html
    [csp] = [a["content"] for t, a in page.tags if a.get("http-equiv") == "Content-Security-Policy"]
    assert "default-src 'none'" in csp and "form-action 'none'" in csp


def test_content_security_policy_allows_exactly_the_page_scripts():
    page = Page(view.render_html(sample_graph()))
    [csp] = [a["content"] for t, a in page.tags if a.get("http-equiv") == "Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src")).split()[1:]

    executable = [text for attrs, text in page.scripts if attrs.get("type") != "application/json"]
    hashes = [f"'sha256-{base64.b64encode(hashlib.sha256(t.encode()).digest()).decode()}'" for t in executable]
    assert script_src == hashes


PAYLOADS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</script><script>alert(2)</script>",
            "javascript:alert(3)", "\"quoted' \\backslash\\ & <b>bold</b>", "line\nbreak\u2028sep\u2029end",
            "\u062f\u0627\u0639\u0634", "\u0412\u0430\u0433\u043d\u0435\u0440"]


def payload_graph() -> Graph:
    g = Graph()
    a = add_entity(g, "A", "ArmedGroup", "<script>alert(1)</script>", *PAYLOADS)
    b = add_entity(g, "B", "Person", "<img src=x onerror=alert(1)>")
    c = add_entity(g, "C", "Country", "\u062f\u0627\u0639\u0634 </script> \u0412\u0430\u0433\u043d\u0435\u0440")
    g.add((c, OWL.sameAs, rdflib_iri("javascript:alert(4)")))
    add_statement(g, "1", b, "spokesmanOf", a, " ".join(PAYLOADS))
    add_statement(g, "2", a, "fighting", c, " ".join(PAYLOADS))
    g.add((ARTICLE, RDF.type, NKG.Article))
    g.add((ARTICLE, DCTERMS.title, Literal("<img src=x onerror=alert(5)> javascript:alert(6)")))
    return g


def rdflib_iri(text: str):
    from rdflib import URIRef
    return URIRef(text)


def test_extracted_text_never_becomes_markup():
    title = "<script>alert('title')</script>"
    html = view.render_html(payload_graph(), title=title)
    page = Page(html)

    for raw in ["<script>alert", "<img src=x onerror", "<b>bold", "\u2028", "\u2029"]:
        assert raw not in html
    assert [t for t, _ in page.tags if t not in {
        "html", "head", "meta", "title", "style", "body", "header", "h1", "p", "div", "aside", "main", "form", "label",
        "input", "ol", "fieldset", "legend", "span", "select", "option", "output", "button", "script"}] == []
    assert len(page.scripts) == html.count("</script>") == 3  # the data block, vis-network, the page's own
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in html
    assert page.text.count(title) == 2  # <title> and <h1>, as text


def test_extracted_text_survives_as_data():
    data = Page(view.render_html(payload_graph())).data()
    nodes = {n["id"]: n for n in data["nodes"]}

    assert nodes[str(ID.A)]["label"] == "<script>alert(1)</script>"
    assert nodes[str(ID.C)]["label"] == "\u062f\u0627\u0639\u0634 </script> \u0412\u0430\u0433\u043d\u0435\u0440"
    assert set(PAYLOADS) - {"<script>alert(1)</script>"} <= set(nodes[str(ID.A)]["aliases"])
    for e in data["edges"]:
        assert e["evidence"][0]["sentence"] == " ".join(" ".join(PAYLOADS).split())


def test_page_script_builds_the_dom_from_text_only():
    """vis-network renders a title element as given; the page builds every element with textContent."""
    js = view._APP_JS
    assert "textContent = text" in js
    for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function(",
                 "setTimeout(\"", ".href", "location", "srcdoc", "createContextualFragment", "DOMParser"]:
        assert sink not in js, sink


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


# ------------------------------------------------------------------ selections (kg view --focus, --relation ...)

def dated_graph() -> Graph:
    """Two articles, one dated 2016-10-17 and one 2017-03-01, and one undated."""
    g = sample_graph()
    old, new, undated = ID["article-old"], ID["article-new"], ID["article-undated"]
    for art, title, published in [(old, "Old", "2016-10-17"), (new, "New", "2017-03-01"), (undated, "Undated", None)]:
        g.add((art, RDF.type, NKG.Article))
        g.add((art, DCTERMS.title, Literal(title)))
        if published:
            g.add((art, SCHEMA.datePublished, Literal(published, datatype=XSD.date)))
    isis = add_entity(g, "Islamic_State", "ArmedGroup", "Islamic State", "IS", "ISIS")
    add_statement(g, "old", isis, "fighting", ID.Shiite_militias, "IS fought the militias.", "0.6", article=old)
    add_statement(g, "new", isis, "fighting", ID.Iran, "IS attacked Iran.", "0.95", article=new)
    add_statement(g, "undated", ID.Popular_Mobilization_Units, "fighting", isis, "The PMU fought IS.", "0.8",
                  article=undated)
    return g


def drawn(html: str) -> tuple[set[str], set[tuple[str, str, str]]]:
    data = Page(html).data()
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    return set(labels.values()), {(labels[e["from"]], e["rel"], labels[e["to"]]) for e in data["edges"]}


def test_focus_keeps_the_neighbourhood_up_to_depth():
    nodes, edges = drawn(view.render_html(dated_graph(), focus="ISIS", depth=1))
    assert nodes == {"Islamic State", "Shiite militias", "Iran", "Popular Mobilization Units"}
    assert ("Shiite militias", "backedBy", "Iran") in edges  # relations among the kept entities stay

    nodes, _ = drawn(view.render_html(dated_graph(), focus="islamic state", depth=2))
    assert "Ahmed al-Assadi" in nodes and "Mosul" not in nodes

    data = Page(view.render_html(dated_graph(), focus="IS", depth=0)).data()
    assert [n["label"] for n in data["nodes"]] == ["Islamic State"] and data["focus"] == str(ID.Islamic_State)


def test_focus_on_an_unknown_or_ambiguous_name_is_a_clear_error():
    from kg.errors import KgError
    with pytest.raises(KgError, match="no entity named 'Hezbollah'"):
        view.render_html(dated_graph(), focus="Hezbollah")
    with pytest.raises(KgError, match="did you mean: Iran"):
        view.render_html(dated_graph(), focus="Ira")


def test_relation_type_and_confidence_filters():
    _, edges = drawn(view.render_html(dated_graph(), relations=["fighting"]))
    assert {r for _, r, _ in edges} == {"fighting"}

    nodes, edges = drawn(view.render_html(dated_graph(), types=["ArmedGroup"]))
    assert nodes == {"Islamic State", "Shiite militias", "Popular Mobilization Units"}
    assert edges == {("Islamic State", "fighting", "Shiite militias"),
                     ("Islamic State", "fighting", "Popular Mobilization Units")}

    nodes, edges = drawn(view.render_html(dated_graph(), min_confidence=0.85))
    assert edges == {("Shiite militias", "backedBy", "Iran"), ("Iran", "fighting", "Islamic State")}
    assert "United Nations" not in nodes  # with a relation filter, entities left without relations go


def test_since_keeps_evidence_from_articles_published_on_or_after_the_date():
    html = view.render_html(dated_graph(), since="2017-01-01")
    _, edges = drawn(html)
    assert edges == {("Iran", "fighting", "Islamic State")}  # undated and older articles do not count
    assert "articles published since 2017-01-01" in html
    _, edges = drawn(view.render_html(dated_graph(), since="2016-10-17"))
    assert edges == {("Iran", "fighting", "Islamic State"), ("Islamic State", "fighting", "Shiite militias")}


def test_articles_are_listed_by_date_with_their_dates():
    data = Page(view.render_html(dated_graph())).data()
    assert [(a["title"], a["date"]) for a in data["articles"]] == [
        ("Shiite militias join in offensive to retake Mosul", ""), ("Undated", ""), ("Old", "2016-10-17"),
        ("New", "2017-03-01")]
    [fight] = [e for e in data["edges"] if e["rel"] == "fighting" and label_of(data, e["to"]) == "Shiite militias"]
    assert data["articles"][fight["evidence"][0]["article"]]["title"] == "Old"


# ------------------------------------------------------------------ large graphs and notebooks

def test_large_graph_layout_is_fast_seeded_and_spread(monkeypatch):
    import time

    import networkx as nx

    from kg import analytics
    G = nx.MultiDiGraph(articles={})
    n = view.LARGE_GRAPH + 100
    for i in range(n):
        G.add_node(f"n{i:04d}", label=f"N{i}", cls="ArmedGroup", aliases=[], same_as=[], articles=[])
    shape = nx.barabasi_albert_graph(n, 2, seed=1)
    for u, v in shape.edges():
        G.add_edge(f"n{u:04d}", f"n{v:04d}", key="fighting", relation="fighting", evidence=[], confidence=-1.0,
                   modality="asserted")

    started = time.perf_counter()
    positions = view.layout(G)
    assert time.perf_counter() - started < 10
    assert positions == view.layout(G)
    assert len(set(positions.values())) == n  # no two nodes on one spot
    limit = 150 * n ** 0.5
    assert all(abs(x) <= limit + 1 and abs(y) <= limit + 1 for x, y in positions.values())
    options = view._options(True)
    assert options["physics"]["enabled"] is False and options["edges"]["smooth"] is False
    assert analytics.to_networkx(Graph()).number_of_nodes() == 0


def test_kg_view_displays_inline_in_jupyter():
    import html as htmllib
    import re

    shown = kg.view(sample_graph(), title="<b>T</b>")
    frame = shown._repr_html_()

    assert frame.startswith('<iframe srcdoc="') and 'sandbox="allow-scripts"' in frame
    assert "<script" not in frame and "&lt;script" in frame  # the whole page is one escaped attribute
    [srcdoc] = re.findall(r'srcdoc="([^"]*)"', frame)
    assert htmllib.unescape(srcdoc) == shown.html == view.render_html(sample_graph(), title="<b>T</b>")


def test_kg_view_accepts_a_file_and_saves(tmp_path):
    path = tmp_path / "g.ttl"
    sample_graph().serialize(path, format="turtle")

    shown = kg.view(path, focus="Iran")
    saved = shown.save(tmp_path / "v.html")

    assert saved.read_text(encoding="utf-8") == shown.html
    assert "<title>g.ttl</title>" in shown.html and "Shiite militias" in shown.html
