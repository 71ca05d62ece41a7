"""The interactive HTML view of a graph: one offline page, drawn by vis-network from data built with pyvis.

Everything extracted from the news (names, aliases, sentences) is data and never markup: it
reaches the page only as escaped JSON, and the page turns tooltips into DOM text nodes.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import html
import importlib.resources
import json
import math
import os
import re
import tempfile
from pathlib import Path

import networkx as nx
import rdflib
from pyvis.network import Network
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kg.namespace import ENTITY_CLASSES, NKG, PROV, RELATION_PREDICATES, SYMMETRIC_RELATIONS, WD

#: entity class name -> (colour, vis-network shape, glyph of that shape for the legend)
CLASS_STYLES = {
    "Person": ("#f28e2b", "dot", "\u25cf"),
    "Organization": ("#4e79a7", "square", "\u25a0"),
    "ArmedGroup": ("#e15759", "triangle", "\u25b2"),
    "Location": ("#59a14f", "diamond", "\u25c6"),
    "Country": ("#b07aa1", "hexagon", "\u2b22"),
}
#: relation name -> (edge label, colour)
RELATION_STYLES = {
    "backedBy": ("backed by", "#7b3294"),
    "fighting": ("fighting", "#d7191c"),
    "locatedNear": ("near", "#7f7f7f"),
    "spokesmanOf": ("spokesman of", "#2c7bb6"),
}
#: an edge tooltip quotes at most this many sentences, so a much-reported relation stays readable
MAX_EVIDENCE = 5

_RELATION_NAMES = {predicate: name for name, predicate in RELATION_PREDICATES.items()}
_VIS_DIR = importlib.resources.files("pyvis") / "lib" / "vis-9.1.2"

# Runs in the page: JSON.parse the data block, wrap every tooltip string in an element filled via
# textContent (so vis-network never parses extracted text as HTML), and draw.
_APP_JS = """
(function () {
  "use strict";
  const container = document.getElementById("graph");
  if (!container) return;
  const data = JSON.parse(document.getElementById("graph-data").textContent);
  function asText(text) {
    const el = document.createElement("div");
    el.className = "tip";
    el.textContent = text;
    return el;
  }
  for (const item of data.nodes.concat(data.edges)) {
    if (typeof item.title === "string") item.title = asText(item.title);
  }
  new vis.Network(container, {nodes: data.nodes, edges: data.edges}, data.options);
})();
"""

_PAGE_CSS = """
body { font-family: system-ui, sans-serif; margin: 1rem; color: #222; }
h1 { margin: 0 0 .2rem; font-size: 1.4rem; }
.counts, .empty { margin: 0 0 .8rem; color: #555; }
#graph { height: 78vh; border: 1px solid #ccc; border-radius: 4px; }
.legend { display: flex; flex-wrap: wrap; gap: .3rem 1.2rem; margin: 0 0 .8rem; padding: 0; list-style: none; }
.glyph { font-size: 1.2em; }
.line { display: inline-block; width: 2em; height: 3px; vertical-align: middle; }
.tip { white-space: pre-wrap; max-width: 36em; font-family: system-ui, sans-serif; font-size: 13px; }
"""


def render_html(graph: rdflib.Graph, title: str = "newskg") -> str:
    """One self-contained HTML page for the graph: no CDN, no remote file, the same bytes for the same graph."""
    kinds = _entity_kinds(graph)
    edges = _edges(graph, kinds)
    shown = set(kinds) & ({s for _, s, _ in edges} | {o for _, _, o in edges} | set(graph.subjects(RDFS.label)))
    net = _network(graph, {n: kinds[n] for n in sorted(shown, key=str)}, edges)
    nodes, vis_edges, _heading, _height, _width, options = net.get_network_data()
    data = _script_json({"nodes": nodes, "edges": vis_edges, "options": json.loads(options)})

    js, css = _vis_assets()
    counts = f"{_count(len(nodes), 'entity', 'entities')} \u00b7 {_count(len(vis_edges), 'relation', 'relations')}"
    body = (
        '<div id="graph"></div>'
        if nodes
        else '<p class="empty">Nothing to show: the graph has no entities or relations.</p>'
    )
    # The policy makes the browser itself refuse any remote load and any script but these two.
    csp = (f"default-src 'none'; script-src {_csp_hash(js)} {_csp_hash(_APP_JS)}; "
           "style-src 'unsafe-inline'; img-src data:")
    heading = html.escape(title)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{heading}</title>
<style>{css}</style>
<style>{_PAGE_CSS}</style>
</head>
<body>
<h1>{heading}</h1>
<p class="counts">{counts}</p>
{_legend()}
{body}
<script type="application/json" id="graph-data">{data}</script>
<script>{js}</script>
<script>{_APP_JS}</script>
</body>
</html>
"""


def write_view(graph: rdflib.Graph, path: Path, title: str = "newskg") -> None:
    """Write render_html to path atomically, so a browser or a crash never sees half a page."""
    path = Path(path)
    page = render_html(graph, title).encode("utf-8")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(page)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a page is for reading
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _entity_kinds(graph: rdflib.Graph) -> dict[rdflib.term.Node, str]:
    """Entity -> class name; of two entity classes on one node, the first in ENTITY_CLASSES wins, whatever the triple order."""
    kinds: dict[rdflib.term.Node, str] = {}
    for name, cls in ENTITY_CLASSES.items():
        for entity in graph.subjects(RDF.type, cls):
            kinds.setdefault(entity, name)
    return kinds


def _edges(graph: rdflib.Graph, kinds: dict) -> dict[tuple, set[tuple]]:
    """(relation, from, to) -> evidence of every asserted relation between two entities.

    Edges come from the asserted triples; the rdf:Statement nodes only supply evidence. A symmetric
    relation is one edge whichever way round it was asserted. Denials (negative polarity) assert
    nothing and are not evidence.
    """
    edges: dict[tuple, set[tuple]] = {}
    for name, predicate in RELATION_PREDICATES.items():
        for s, o in graph.subject_objects(predicate):
            if s in kinds and o in kinds:
                edges[_edge_key(name, s, o)] = set()
    for statement in graph.subjects(RDF.type, RDF.Statement):
        name = _RELATION_NAMES.get(graph.value(statement, RDF.predicate))
        if name is None or (statement, NKG.polarity, NKG.negative) in graph:
            continue
        key = _edge_key(name, graph.value(statement, RDF.subject), graph.value(statement, RDF.object))
        if key in edges:
            edges[key].add(_evidence(graph, statement))
    return edges


def _edge_key(name: str, s, o) -> tuple:
    if name in SYMMETRIC_RELATIONS:
        s, o = sorted((s, o), key=str)
    return name, s, o


def _evidence(graph: rdflib.Graph, statement) -> tuple[float, str, str, str]:
    """(confidence, sentence, modality, source) of one statement; -1 confidence when none is recorded."""
    confidence = _first(graph, statement, NKG.confidence)
    modality = _first(graph, statement, NKG.modality)
    article = _first(graph, statement, PROV.wasDerivedFrom)
    source = ""
    if article is not None:
        source = _first(graph, article, DCTERMS.title) or _first(graph, article, NKG.sourcePath) or article
    return (
        float(confidence) if confidence is not None else -1.0,
        str(_first(graph, statement, NKG.evidence) or ""),
        _local_name(modality) if modality is not None else "",
        str(source),
    )


def _network(graph: rdflib.Graph, kinds: dict, edges: dict[tuple, set[tuple]]) -> Network:
    """The pyvis network: styled nodes at fixed, seeded positions and one styled edge per relation."""
    # directed=True even for symmetric relations: an undirected pyvis network silently drops a
    # second edge between the same two nodes, even one of another relation. Arrows are per edge.
    net = Network(directed=True)
    net.toggle_physics(False)  # positions come from the seeded layout below; physics would move them on each load
    net.set_edge_smooth("continuous")

    layout = nx.Graph()
    layout.add_nodes_from(str(n) for n in kinds)
    layout.add_edges_from(sorted((str(s), str(o)) for _, s, o in edges))
    # k twice networkx's default spreads linked nodes far enough apart for their labels
    spread = math.sqrt(len(kinds) or 1)
    positions = nx.spring_layout(layout, seed=42, k=2 / spread, scale=150 * spread)

    labels = {node: _label(graph, node) for node in kinds}
    for node, kind in kinds.items():
        colour, shape, _glyph = CLASS_STYLES[kind]
        x, y = positions[str(node)]
        net.add_node(str(node), label=labels[node], shape=shape, color=colour,
                     title=_node_tip(graph, node, kind, labels[node]), x=round(x), y=round(y))

    parallel: dict[frozenset, int] = {}
    for (name, s, o), evidence in sorted(edges.items(), key=lambda item: tuple(map(str, item[0]))):
        label, colour = RELATION_STYLES[name]
        options = {}
        pair = frozenset((s, o))
        if parallel.get(pair):  # bend the 2nd, 3rd... edge between two nodes so they do not overlap
            options["smooth"] = {"type": "curvedCW", "roundness": 0.25 * parallel[pair]}
        parallel[pair] = parallel.get(pair, 0) + 1
        net.add_edge(str(s), str(o), label=label, color=colour, font={"color": colour},
                     arrows="" if name in SYMMETRIC_RELATIONS else "to",
                     title=_edge_tip(labels[s], label, labels[o], evidence), **options)
    return net


def _node_tip(graph: rdflib.Graph, node, kind: str, label: str) -> str:
    lines = [label, f"Class: {kind}"]
    aliases = sorted(map(str, graph.objects(node, SKOS.altLabel)))
    if aliases:
        lines.append("Aliases: " + "; ".join(aliases))
    for same in sorted(map(str, graph.objects(node, OWL.sameAs))):
        lines.append(("Wikidata: " if same.startswith(str(WD)) else "Same as: ") + same)
    return "\n".join(lines)


def _edge_tip(source: str, relation: str, target: str, evidence: set[tuple]) -> str:
    """The relation in words, then its best-supported sentences first."""
    lines = [f"{source} \u2014 {relation} \u2014 {target}"]
    ranked = sorted(evidence, key=lambda e: (-e[0], e[1:]))
    for confidence, sentence, modality, source_name in ranked[:MAX_EVIDENCE]:
        facts = [f"confidence {confidence:.2f}" if confidence >= 0 else "", modality, source_name]
        lines.append(f"\n\u201c{sentence}\u201d\n({', '.join(f for f in facts if f)})")
    if len(ranked) > MAX_EVIDENCE:
        lines.append(f"\n\u2026 and {len(ranked) - MAX_EVIDENCE} more")
    if not ranked:
        lines.append("No evidence sentence recorded.")
    return "\n".join(lines)


def _legend() -> str:
    classes = "".join(
        f'<li><span class="glyph" style="color:{colour}">{glyph}</span> {html.escape(name)}</li>'
        for name, (colour, _shape, glyph) in CLASS_STYLES.items()
    )
    relations = "".join(
        f'<li><span class="line" style="background:{colour}"></span> {html.escape(label)}'
        f'{"" if name in SYMMETRIC_RELATIONS else " →"}</li>'
        for name, (label, colour) in RELATION_STYLES.items()
    )
    return f'<ul class="legend" aria-label="Legend">{classes}{relations}</ul>'


def _label(graph: rdflib.Graph, node) -> str:
    return str(_first(graph, node, RDFS.label) or _local_name(node))


def _first(graph: rdflib.Graph, subject, predicate):
    """The smallest value, not graph.value's arbitrary one: the page must not change between runs."""
    return min(graph.objects(subject, predicate), key=str, default=None)


def _local_name(iri) -> str:
    return re.split(r"[#/]", str(iri))[-1]


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _script_json(value) -> str:
    """JSON that cannot end its <script> block or start markup: <, >, & and the JS line separators are escaped."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


@functools.cache
def _vis_assets() -> tuple[str, str]:
    """vis-network's JS and CSS as shipped inside pyvis, so the page loads nothing from the network.

    The source-map comment goes because it points at a file the page does not have.
    """
    js = (_VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8")
    js = re.sub(r"//# sourceMappingURL=\S+\s*$", "", js)
    css = (_VIS_DIR / "vis-network.css").read_text(encoding="utf-8")
    if "</script" in js.lower() or "</style" in css.lower():
        raise RuntimeError("this vis-network build cannot be inlined: it would close its own tag")
    return js, css
