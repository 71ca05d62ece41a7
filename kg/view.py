"""The interactive HTML view of a graph: one offline page, drawn by vis-network at positions laid out here.

The page has its own controls (search by any name, filters by relation, class, modality, article
and confidence, a legend, neighbourhood highlight, an evidence panel). Everything extracted from
the news (names, aliases, sentences, titles) is data and never markup: it reaches the page only as
escaped JSON inside a non-executable script block, and the page's own script puts it into the
DOM with textContent. A Content-Security-Policy with the hashes of the page's two scripts makes
the browser refuse any other script and any remote load.

`kg.view(graph)` (this module is callable) returns a `View` that displays inline in Jupyter.
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
import sys
import tempfile
import types as _types
from datetime import date
from pathlib import Path

import networkx as nx
import numpy as np

from kg.analytics import MODALITIES, select, to_networkx
from kg.namespace import SYMMETRIC_RELATIONS, WD

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
#: modality -> (vis-network dashes, how the legend describes the line)
MODALITY_STYLES = {
    "asserted": (False, "solid"),
    "reported": ([10, 6], "dashed"),
    "alleged": ([2, 5], "dotted"),
    "hypothetical": ([1, 10], "sparsely dotted"),
}
#: an edge tooltip quotes at most this many sentences (the evidence panel shows them all)
MAX_EVIDENCE = 5
#: from this many nodes on: straight edges, edges hidden while dragging or zooming, the large-graph layout
LARGE_GRAPH = 500

_VIS_DIR = importlib.resources.files("pyvis") / "lib" / "vis-9.1.2"

# Runs in the page. Extracted text only ever goes through textContent (or vis-network's title,
# given as an element built the same way); nothing is parsed as HTML and no URL is built from data.
_APP_JS = r"""
(function () {
  "use strict";
  var container = document.getElementById("graph");
  if (!container) return;
  var timing = {start: performance.now()};
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  timing.parsed = performance.now();
  var $ = function (id) { return document.getElementById(id); };
  var nkg = window.nkg = {data: data, readyAt: null, timing: timing};

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function asText(text) { return el("div", text, "tip"); }
  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/\s+/g, " ").trim();
  }
  function byLabel(a, b) { return a < b ? -1 : a > b ? 1 : 0; }

  var articles = data.articles;
  var nodeById = new Map(), edgeById = new Map(), adjacency = new Map();
  data.nodes.forEach(function (n) { nodeById.set(n.id, n); adjacency.set(n.id, []); });
  data.edges.forEach(function (e) {
    edgeById.set(e.id, e);
    adjacency.get(e.from).push(e);
    if (e.to !== e.from) adjacency.get(e.to).push(e);
  });
  function relationText(e) {
    var r = data.relations[e.rel];
    return nodeById.get(e.from).label + " \u2014 " + r.label +
      (r.symmetric ? " \u2014 " : " \u2192 ") + nodeById.get(e.to).label;
  }
  function facts(ev) {
    var art = ev.article >= 0 ? articles[ev.article] : null;
    var parts = [];
    if (ev.confidence >= 0) parts.push("confidence " + ev.confidence.toFixed(2));
    if (ev.modality) parts.push(ev.modality);
    if (art) parts.push(art.date ? art.title + " (" + art.date + ")" : art.title);
    return parts.join(" \u00b7 ");
  }
  function nodeTip(n) {
    var lines = [n.label, "Class: " + n.cls];
    if (n.aliases.length) lines.push("Aliases: " + n.aliases.join("; "));
    n.sameAs.forEach(function (s) { lines.push((s.indexOf(data.wikidata) === 0 ? "Wikidata: " : "Same as: ") + s); });
    return lines.join("\n");
  }
  function edgeTip(e) {
    var lines = [relationText(e)];
    e.evidence.slice(0, data.maxEvidence).forEach(function (ev) {
      lines.push("\n\u201c" + ev.sentence + "\u201d\n(" + facts(ev) + ")");
    });
    if (e.evidence.length > data.maxEvidence) lines.push("\n\u2026 and " + (e.evidence.length - data.maxEvidence) + " more");
    if (!e.evidence.length) lines.push("No evidence sentence recorded.");
    return lines.join("\n");
  }
  function edgeLabel(rel, modality) {
    return data.relations[rel].label + (modality && modality !== "asserted" ? " (" + modality + ")" : "");
  }

  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    return {id: n.id, label: n.label, shape: n.shape, color: n.color, size: n.size, x: n.x, y: n.y,
            title: asText(nodeTip(n))};
  }));
  var edges = new vis.DataSet(data.edges.map(function (e) {
    var item = {id: e.id, from: e.from, to: e.to, label: edgeLabel(e.rel, e.modality), color: e.color,
                font: {color: e.color}, arrows: e.arrows, dashes: data.modalities[e.modality],
                title: asText(edgeTip(e))};
    if (e.smooth) item.smooth = e.smooth;
    return item;
  }));
  timing.datasets = performance.now();
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, data.options);
  timing.network = performance.now();
  nkg.network = network; nkg.nodes = nodes; nkg.edges = edges;
  network.once("afterDrawing", function () {
    nkg.readyAt = timing.drawn = performance.now();
    document.body.setAttribute("data-ready", "true");
  });

  // ---------------------------------------------------------------- filters
  var shown = {nodes: new Map(), edges: new Map(), modality: new Map()};
  data.nodes.forEach(function (n) { shown.nodes.set(n.id, true); });
  data.edges.forEach(function (e) { shown.edges.set(e.id, true); shown.modality.set(e.id, e.modality); });
  var focused = null;

  function checkedSet(name) {
    var set = new Set();
    document.querySelectorAll("input[data-" + name + "]").forEach(function (box) {
      if (box.checked) set.add(box.getAttribute("data-" + name));
    });
    return set;
  }
  function filters() {
    var articleValue = $("article").value;
    return {rel: checkedSet("relation"), cls: checkedSet("class"), mod: checkedSet("modality"),
            article: articleValue === "" ? -1 : Number(articleValue), min: Number($("confidence").value)};
  }
  function passes(ev, f) {
    return f.mod.has(ev.modality || "asserted") && ev.confidence >= f.min && (f.article < 0 || ev.article === f.article);
  }
  function apply() {
    var f = filters();
    $("confidence-value").textContent = f.min.toFixed(2);
    var allRel = f.rel.size === Object.keys(data.relations).length;
    var allMod = f.mod.size === Object.keys(data.modalities).length;
    var degree = new Map();
    var edgeUpdates = [], nodeUpdates = [];
    data.edges.forEach(function (e) {
      var visible = f.rel.has(e.rel) && f.cls.has(nodeById.get(e.from).cls) && f.cls.has(nodeById.get(e.to).cls);
      var modality = e.modality;
      if (visible) {
        if (e.evidence.length) {
          var best = null;
          e.evidence.forEach(function (ev) {
            if (!passes(ev, f)) return;
            var m = data.modalityOrder.indexOf(ev.modality || "asserted");
            if (best === null || m < best) best = m;
          });
          visible = best !== null;
          if (visible) modality = data.modalityOrder[best];
        } else {
          visible = f.min <= 0 && f.article < 0 && f.mod.has("asserted");
        }
      }
      if (visible) {
        degree.set(e.from, (degree.get(e.from) || 0) + 1);
        degree.set(e.to, (degree.get(e.to) || 0) + 1);
      }
      var update = null;
      if (visible !== shown.edges.get(e.id)) { update = {id: e.id, hidden: !visible}; shown.edges.set(e.id, visible); }
      if (visible && modality !== shown.modality.get(e.id)) {
        update = update || {id: e.id};
        update.label = edgeLabel(e.rel, modality);
        update.dashes = data.modalities[modality];
        shown.modality.set(e.id, modality);
      }
      if (update) edgeUpdates.push(update);
    });
    var nShown = 0, eShown = 0;
    data.nodes.forEach(function (n) {
      // an entity stays without a visible relation only while no relation filter is narrowed (as kg view --type)
      var visible = f.cls.has(n.cls) && ((degree.get(n.id) || 0) > 0 ||
        (allRel && allMod && f.min <= 0 && (f.article < 0 || n.articles.indexOf(f.article) >= 0)));
      if (visible) nShown++;
      if (visible !== shown.nodes.get(n.id)) { nodeUpdates.push({id: n.id, hidden: !visible}); shown.nodes.set(n.id, visible); }
    });
    shown.edges.forEach(function (v) { if (v) eShown++; });
    if (nodeUpdates.length) nodes.update(nodeUpdates);
    if (edgeUpdates.length) edges.update(edgeUpdates);
    $("shown").textContent = "Showing " + nShown + " of " + data.nodes.length + " entities \u00b7 " +
      eShown + " of " + data.edges.length + " relations";
    if (focused !== null && !shown.nodes.get(focused)) { network.unselectAll(); highlight(null); showHint(); }
    else highlight(focused);
  }
  nkg.apply = apply;
  nkg.shown = shown;

  // ---------------------------------------------------------------- neighbourhood
  // Drawn over the frame, not by restyling thousands of items: a white veil over everything, then
  // the entity, its visible relations and its neighbours drawn again on top of it.
  var lit = {nodes: [], edges: []};
  function highlight(id) {
    focused = id;
    var near = new Set(), incident = [];
    if (id !== null) {
      near.add(id);
      adjacency.get(id).forEach(function (e) {
        if (!shown.edges.get(e.id)) return;
        near.add(e.from); near.add(e.to); incident.push(e.id);
      });
    }
    lit.nodes = Array.from(near);
    lit.edges = incident;
    nkg.highlighted = lit.nodes.slice().sort(byLabel);
    network.redraw();
  }
  network.on("afterDrawing", function (ctx) {
    var body = network.body;
    if (focused === null || !body) return;
    var a = network.DOMtoCanvas({x: -50, y: -50});
    var b = network.DOMtoCanvas({x: container.clientWidth + 50, y: container.clientHeight + 50});
    ctx.save();
    ctx.fillStyle = "rgba(255, 255, 255, 0.8)";
    ctx.fillRect(a.x, a.y, b.x - a.x, b.y - a.y);
    ctx.restore();
    lit.edges.forEach(function (id) {
      var e = body.edges[id];
      if (e && e.connected) { e.draw(ctx); e.drawArrows(ctx); }
    });
    var labels = [];
    lit.nodes.forEach(function (id) {
      var n = body.nodes[id];
      if (!n || n.options.hidden) return;
      var drawn = n.draw(ctx);
      if (drawn && drawn.drawExternalLabel) labels.push(drawn.drawExternalLabel);
    });
    labels.forEach(function (draw) { draw(); });
  });

  // ---------------------------------------------------------------- details panel
  var details = $("details");
  function clear() { while (details.firstChild) details.removeChild(details.firstChild); }
  function showHint() {
    clear();
    details.appendChild(el("p", "Click an entity to highlight its neighbourhood, or a relation to read its evidence.", "hint"));
  }
  function articleLine(index) {
    var a = articles[index];
    return a.date ? a.date + " \u00b7 " + a.title : a.title;
  }
  function showNode(id) {
    var n = nodeById.get(id);
    clear();
    details.setAttribute("data-kind", "entity");
    details.appendChild(el("h2", n.label));
    var cls = el("p", null, "cls");
    var glyph = el("span", data.classes[n.cls].glyph, "glyph");
    glyph.style.color = data.classes[n.cls].color;
    cls.appendChild(glyph);
    cls.appendChild(document.createTextNode(" " + n.cls));
    details.appendChild(cls);
    if (!shown.nodes.get(id)) details.appendChild(el("p", "Hidden by the current filters.", "muted"));
    if (n.aliases.length) details.appendChild(el("p", "Also called: " + n.aliases.join("; ")));
    n.sameAs.forEach(function (s) {
      details.appendChild(el("p", (s.indexOf(data.wikidata) === 0 ? "Wikidata: " : "Same as: ") + s, "muted"));
    });
    var rels = adjacency.get(id);
    details.appendChild(el("h3", rels.length === 1 ? "1 relation" : rels.length + " relations"));
    var list = el("ul", null, "relations");
    rels.forEach(function (e) {
      var li = el("li");
      var button = el("button", relationText(e), "link");
      button.type = "button";
      button.style.borderLeftColor = e.color;
      button.addEventListener("click", function () { selectEdge(e.id); });
      li.appendChild(button);
      if (!shown.edges.get(e.id)) li.appendChild(el("span", " (hidden by filters)", "muted"));
      list.appendChild(li);
    });
    details.appendChild(list);
    if (n.articles.length) {
      details.appendChild(el("h3", "Mentioned in"));
      var arts = el("ul");
      n.articles.forEach(function (i) { arts.appendChild(el("li", articleLine(i))); });
      details.appendChild(arts);
    }
  }
  function showEdge(id) {
    var e = edgeById.get(id), f = filters();
    clear();
    details.setAttribute("data-kind", "relation");
    details.appendChild(el("h2", relationText(e)));
    details.appendChild(el("p", "Modality: " + e.modality + " (" + data.modalityLines[e.modality] + " line)", "modality"));
    details.appendChild(el("h3", e.evidence.length === 1 ? "1 evidence sentence" : e.evidence.length + " evidence sentences"));
    if (!e.evidence.length) details.appendChild(el("p", "No evidence sentence recorded.", "muted"));
    e.evidence.forEach(function (ev) {
      var fig = el("figure", null, passes(ev, f) ? "evidence" : "evidence muted");
      fig.appendChild(el("blockquote", ev.sentence));
      fig.appendChild(el("figcaption", facts(ev)));
      details.appendChild(fig);
    });
  }
  function selectEdge(id) {
    highlight(null);
    if (shown.edges.get(id)) network.selectEdges([id]); else network.unselectAll();
    showEdge(id);
  }
  function selectNode(id) {
    if (shown.nodes.get(id)) {
      network.selectNodes([id]);
      network.focus(id, {scale: Math.max(network.getScale(), 1.0), animation: false});
      highlight(id);
    } else {
      network.unselectAll();
      highlight(null);
    }
    showNode(id);
  }
  nkg.selectNode = selectNode; nkg.selectEdge = selectEdge;
  network.on("click", function (params) {
    if (params.nodes.length) { highlight(params.nodes[0]); showNode(params.nodes[0]); }
    else if (params.edges.length) { highlight(null); showEdge(params.edges[0]); }
    else { highlight(null); showHint(); }
  });

  // ---------------------------------------------------------------- search
  var index = [];
  data.nodes.forEach(function (n) {
    [n.label].concat(n.aliases).forEach(function (name) { index.push({key: fold(name), name: name, node: n}); });
  });
  function search(query) {
    var q = fold(query);
    if (!q) return [];
    var best = new Map();
    index.forEach(function (item) {
      var k = item.key;
      var rank = k === q ? 0 : k.indexOf(q) === 0 ? 1 : (" " + k).indexOf(" " + q) >= 0 ? 2 : k.indexOf(q) >= 0 ? 3 : -1;
      if (rank < 0) return;
      var viaAlias = item.name === item.node.label ? 0 : 1;
      var prev = best.get(item.node.id);
      if (!prev || rank < prev.rank || (rank === prev.rank && viaAlias < prev.viaAlias))
        best.set(item.node.id, {rank: rank, viaAlias: viaAlias, name: item.name, node: item.node});
    });
    return Array.from(best.values()).sort(function (a, b) {
      return a.rank - b.rank || a.viaAlias - b.viaAlias || byLabel(a.node.label, b.node.label) || byLabel(a.node.id, b.node.id);
    });
  }
  nkg.search = search;
  var results = $("results"), status = $("search-status");
  function showResults() {
    while (results.firstChild) results.removeChild(results.firstChild);
    var query = $("search").value, found = search(query);
    status.textContent = !fold(query) ? "" : found.length === 0 ? "No entity has that name." :
      found.length === 1 ? "1 match" : found.length + " matches";
    found.slice(0, 15).forEach(function (r) {
      var li = el("li"), button = el("button", r.node.label, "link");
      button.type = "button";
      button.setAttribute("data-id", r.node.id);
      if (r.viaAlias) button.appendChild(el("span", " \u201c" + r.name + "\u201d", "muted"));
      button.appendChild(el("span", " " + r.node.cls + (shown.nodes.get(r.node.id) ? "" : ", hidden by filters"), "muted"));
      button.addEventListener("click", function () { selectNode(r.node.id); });
      li.appendChild(button);
      results.appendChild(li);
    });
    return found;
  }
  $("search").addEventListener("input", showResults);
  $("search").addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    event.preventDefault();
    var found = showResults();
    if (found.length) selectNode(found[0].node.id);
  });

  // ---------------------------------------------------------------- controls
  var select = $("article");
  articles.forEach(function (a, i) {
    var option = el("option", articleLine(i));
    option.value = String(i);
    select.appendChild(option);
  });
  $("controls").addEventListener("submit", function (event) { event.preventDefault(); });
  $("controls").addEventListener("change", apply);
  $("confidence").addEventListener("input", apply);
  $("reset").addEventListener("click", function () {
    document.querySelectorAll("#controls input[type=checkbox]").forEach(function (box) { box.checked = true; });
    select.value = "";
    $("confidence").value = "0";
    $("search").value = "";
    showResults();
    network.unselectAll();
    focused = null;
    apply();
    showHint();
    network.fit({animation: false});
  });
  apply();
  if (data.focus) selectNode(data.focus); else showHint();
  timing.controls = performance.now();
})();
"""

_PAGE_CSS = """
* { box-sizing: border-box; }
body { font-family: system-ui, sans-serif; margin: 0; color: #222; font-size: 14px; }
header { padding: .6rem 1rem .2rem; }
h1 { margin: 0 0 .2rem; font-size: 1.3rem; }
h2 { font-size: 1.05rem; margin: 0 0 .4rem; }
h3 { font-size: .9rem; margin: .8rem 0 .3rem; }
.counts, .empty, .scope { margin: 0 0 .4rem; color: #555; }
.layout { display: grid; grid-template-columns: 15rem minmax(0, 1fr) 21rem; gap: .8rem; padding: 0 1rem 1rem; }
#graph { height: calc(100vh - 6.5rem); min-height: 380px; border: 1px solid #ccc; border-radius: 4px; }
aside { max-height: calc(100vh - 6.5rem); overflow: auto; }
fieldset { border: 1px solid #ddd; border-radius: 4px; margin: 0 0 .6rem; padding: .3rem .6rem .5rem; }
legend { font-weight: 600; padding: 0 .2rem; }
fieldset label { display: block; margin: .15rem 0; white-space: nowrap; }
label.block { display: block; font-weight: 600; margin: .3rem 0 .2rem; }
input[type=search], select { width: 100%; font: inherit; padding: .2rem; }
input[type=range] { width: 100%; }
.n, .muted, .hint { color: #777; }
.glyph { font-size: 1.15em; display: inline-block; width: 1.2em; text-align: center; }
.line { display: inline-block; width: 2em; height: 0; border-top: 3px solid; vertical-align: middle; margin-right: .2em; }
.line.reported { border-top-style: dashed; } .line.alleged { border-top-style: dotted; }
.line.hypothetical { border-top-style: dotted; opacity: .45; }
#results, .relations { list-style: none; margin: .3rem 0; padding: 0; }
button.link { background: none; border: 0; border-left: 3px solid transparent; padding: .15rem .3rem; margin: 0;
  font: inherit; color: #1a4f8b; cursor: pointer; text-align: left; }
button.link:hover { text-decoration: underline; }
#reset { font: inherit; margin-top: .2rem; }
figure.evidence { margin: .5rem 0; padding: .4rem .6rem; background: #f6f6f6; border-radius: 4px; }
figure.evidence.muted { opacity: .55; }
blockquote { margin: 0 0 .3rem; white-space: pre-wrap; }
figcaption { color: #555; font-size: .85rem; }
.tip { white-space: pre-wrap; max-width: 36em; font-family: system-ui, sans-serif; font-size: 13px; }
@media (max-width: 1000px) { .layout { grid-template-columns: 1fr; } aside { max-height: none; } }
"""


def render_html(graph, title: str = "newskg", *, focus: str | None = None, depth: int = 1, relations=None,
                types=None, min_confidence: float | None = None, since: date | str | None = None) -> str:
    """One self-contained HTML page for the graph: no CDN, no remote file, the same bytes for the same graph.

    graph is an rdflib Graph (or a networkx graph from kg.analytics.to_networkx); the keyword
    arguments select part of it as kg.analytics.select does.
    """
    G = graph if isinstance(graph, nx.MultiDiGraph) else to_networkx(graph)
    filtered = focus is not None or relations or types or min_confidence is not None or since
    if filtered:
        G = select(G, relations=relations, types=types, min_confidence=min_confidence, since=since,
                   focus=focus, depth=depth)
    data = page_data(G)
    js, css = _vis_assets()
    n_nodes, n_edges = len(data["nodes"]), len(data["edges"])
    counts = f"{_count(n_nodes, 'entity', 'entities')} \u00b7 {_count(n_edges, 'relation', 'relations')}"
    scope = _scope(G, focus, depth, relations, types, min_confidence, since) if filtered else ""
    if n_nodes:
        body = f"""<div class="layout">
<aside class="controls" aria-label="Search and filters">{_controls(data)}</aside>
<main><div id="graph" role="application" aria-label="Graph"></div></main>
<aside id="details" aria-live="polite"></aside>
</div>"""
    else:
        body = '<p class="empty">Nothing to show: the graph has no entities or relations' + \
               (" that match the filters" if filtered else "") + ".</p>"
    # The policy makes the browser itself refuse any remote load and any script but these two.
    csp = (f"default-src 'none'; script-src {_csp_hash(js)} {_csp_hash(_APP_JS)}; "
           "style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'")
    heading = html.escape(title)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{heading}</title>
<style>{css}</style>
<style>{_PAGE_CSS}</style>
</head>
<body>
<header>
<h1>{heading}</h1>
<p class="counts">{counts}</p>
{'<p class="counts" id="shown"></p>' if n_nodes else ''}
{f'<p class="scope">{html.escape(scope)}</p>' if scope else ''}
</header>
{body}
<script type="application/json" id="graph-data">{_script_json(data)}</script>
<script>{js}</script>
<script>{_APP_JS}</script>
</body>
</html>
"""


def page_data(G: nx.MultiDiGraph) -> dict:
    """What the page's script draws: nodes at fixed positions, styled edges with all their evidence, the articles."""
    article_ids = list(G.graph.get("articles", {}))
    article_index = {a: i for i, a in enumerate(article_ids)}
    positions = layout(G)
    degree = {n: 0 for n in G}
    for u, v in G.edges():
        degree[u] += 1
        degree[v] += 1
    large = G.number_of_nodes() >= LARGE_GRAPH
    nodes = []
    for node, d in G.nodes(data=True):
        colour, shape, _glyph = CLASS_STYLES[d["cls"]]
        x, y = positions[node]
        nodes.append({"id": node, "label": d["label"], "cls": d["cls"], "shape": shape, "color": colour,
                      "size": round(12 + 4 * math.sqrt(degree[node])), "x": x, "y": y, "degree": degree[node],
                      "aliases": d["aliases"], "sameAs": d["same_as"],
                      "articles": sorted(article_index[a] for a in d["articles"] if a in article_index)})
    edges = []
    parallel: dict[frozenset, int] = {}
    for i, (u, v, key, d) in enumerate(G.edges(keys=True, data=True)):
        label, colour = RELATION_STYLES[key]
        edge = {"id": f"e{i}", "from": u, "to": v, "rel": key, "color": colour, "modality": d["modality"],
                "arrows": "" if key in SYMMETRIC_RELATIONS else "to",
                "evidence": [{"sentence": e["sentence"], "confidence": e["confidence"], "modality": e["modality"],
                              "article": article_index.get(e["article"], -1)} for e in d["evidence"]]}
        pair = frozenset((u, v))
        if parallel.get(pair):  # bend the 2nd, 3rd... edge between two nodes so they do not overlap
            edge["smooth"] = {"enabled": True, "type": "curvedCW", "roundness": 0.25 * parallel[pair]}
        parallel[pair] = parallel.get(pair, 0) + 1
        edges.append(edge)
    articles = [{"id": a, "title": info["title"], "date": info["date"]}
                for a, info in G.graph.get("articles", {}).items()]
    return {
        "nodes": nodes, "edges": edges, "articles": articles, "focus": G.graph.get("focus"),
        "classes": {name: {"color": c, "glyph": g} for name, (c, _s, g) in CLASS_STYLES.items()},
        "relations": {name: {"label": label, "symmetric": name in SYMMETRIC_RELATIONS}
                      for name, (label, _c) in RELATION_STYLES.items()},
        "modalities": {name: dashes for name, (dashes, _line) in MODALITY_STYLES.items()},
        "modalityLines": {name: line for name, (_dashes, line) in MODALITY_STYLES.items()},
        "modalityOrder": list(MODALITIES), "maxEvidence": MAX_EVIDENCE, "wikidata": str(WD),
        "options": _options(large),
    }


def _options(large: bool) -> dict:
    """vis-network options: positions are fixed, so physics stays off and the first frame is the final one."""
    return {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": large, "hideEdgesOnZoom": large,
                        "multiselect": False},
        "nodes": {"borderWidth": 1, "font": {"size": 14, "color": "#343434"}},
        "edges": {"width": 1.5, "selectionWidth": 2, "arrowStrikethrough": False,
                  "smooth": False if large else {"enabled": True, "type": "continuous", "roundness": 0.5},
                  "font": {"size": 11, "strokeWidth": 3, "align": "middle"}},
    }


# ------------------------------------------------------------------ layout

def layout(G: nx.MultiDiGraph) -> dict[str, tuple[int, int]]:
    """Seeded force-directed positions in pixels, computed once here so the page draws its final frame at once.

    Small graphs use networkx's spring_layout (Fruchterman-Reingold). From LARGE_GRAPH nodes on,
    networkx would need scipy (or take ~20 s at 2,000 nodes with its dense solver), so the same
    algorithm runs here on numpy, blockwise: about a second for 2,000 nodes.
    """
    order = sorted(G)
    if not order:
        return {}
    pairs = sorted({tuple(sorted((u, v))) for u, v in G.edges() if u != v})
    spread = math.sqrt(len(order))
    scale = 150 * spread
    if len(order) < LARGE_GRAPH:
        S = nx.Graph()
        S.add_nodes_from(order)
        S.add_edges_from(pairs)
        # k twice networkx's default spreads linked nodes far enough apart for their labels
        positions = nx.spring_layout(S, seed=42, k=2 / spread, scale=scale)
        return {n: (round(float(positions[n][0])), round(float(positions[n][1]))) for n in order}
    index = {n: i for i, n in enumerate(order)}
    xy = _fruchterman_reingold(len(order), [(index[u], index[v]) for u, v in pairs], k=2 / spread)
    xy -= xy.mean(axis=0)
    xy *= scale / max(float(np.abs(xy).max()), 1e-9)
    return {n: (round(float(xy[i, 0])), round(float(xy[i, 1]))) for i, n in enumerate(order)}


def _fruchterman_reingold(n: int, pairs: list[tuple[int, int]], k: float, iterations: int = 50,
                          seed: int = 42, block: int = 512) -> np.ndarray:
    """networkx's Fruchterman-Reingold (repulsion k²/d between all pairs, attraction d²/k along edges, a cooling
    step), vectorised in float32 blocks of rows so memory stays at a few MB whatever n."""
    rng = np.random.default_rng(seed)
    x = rng.random(n).astype(np.float32)
    y = rng.random(n).astype(np.float32)
    src = np.array([p[0] for p in pairs], dtype=np.int64)
    dst = np.array([p[1] for p in pairs], dtype=np.int64)
    k = np.float32(k)
    k2 = k * k
    t = np.float32(0.1)
    dt = t / np.float32(iterations + 1)
    dx = np.empty((block, n), np.float32)
    dy = np.empty((block, n), np.float32)
    d2 = np.empty((block, n), np.float32)
    fx = np.empty(n, np.float32)
    fy = np.empty(n, np.float32)
    for _ in range(iterations):
        for lo in range(0, n, block):
            hi = min(n, lo + block)
            bx, by, bd = dx[: hi - lo], dy[: hi - lo], d2[: hi - lo]
            np.subtract(x[lo:hi, None], x[None, :], out=bx)
            np.subtract(y[lo:hi, None], y[None, :], out=by)
            np.multiply(bx, bx, out=bd)
            bd += by * by
            np.maximum(bd, np.float32(1e-6), out=bd)
            np.divide(k2, bd, out=bd)
            fx[lo:hi] = np.einsum("ij,ij->i", bx, bd)
            fy[lo:hi] = np.einsum("ij,ij->i", by, bd)
        if len(src):
            ex, ey = x[src] - x[dst], y[src] - y[dst]
            pull = np.sqrt(ex * ex + ey * ey) / k
            ax, ay = ex * pull, ey * pull
            fx += (np.bincount(dst, ax, n) - np.bincount(src, ax, n)).astype(np.float32)
            fy += (np.bincount(dst, ay, n) - np.bincount(src, ay, n)).astype(np.float32)
        length = np.sqrt(fx * fx + fy * fy)
        np.maximum(length, np.float32(1e-9), out=length)
        step = np.minimum(length, t) / length
        x += fx * step
        y += fy * step
        t -= dt
    return np.stack([x, y], axis=1).astype(np.float64)


# ------------------------------------------------------------------ page parts

def _controls(data: dict) -> str:
    """Search and filter controls; the checkboxes are the legend. Only constants go into this markup."""
    class_counts: dict[str, int] = {}
    for n in data["nodes"]:
        class_counts[n["cls"]] = class_counts.get(n["cls"], 0) + 1
    relation_counts: dict[str, int] = {}
    modality_counts: dict[str, int] = {}
    for e in data["edges"]:
        relation_counts[e["rel"]] = relation_counts.get(e["rel"], 0) + 1
        modality_counts[e["modality"]] = modality_counts.get(e["modality"], 0) + 1
    classes = "".join(
        f'<label><input type="checkbox" data-class="{name}" checked> <span class="glyph" style="color:{colour}">'
        f'{glyph}</span>{name} <span class="n">{class_counts.get(name, 0)}</span></label>'
        for name, (colour, _shape, glyph) in CLASS_STYLES.items())
    relations = "".join(
        f'<label><input type="checkbox" data-relation="{name}" checked> <span class="line" '
        f'style="border-top-color:{colour}"></span>{html.escape(label)}{"" if name in SYMMETRIC_RELATIONS else " →"} '
        f'<span class="n">{relation_counts.get(name, 0)}</span></label>'
        for name, (label, colour) in RELATION_STYLES.items())
    modalities = "".join(
        f'<label><input type="checkbox" data-modality="{name}" checked> <span class="line {name}">'
        f'</span>{name} <span class="n">{modality_counts.get(name, 0)}</span></label>'
        for name, (_dashes, line) in MODALITY_STYLES.items())
    return f"""<form id="controls" autocomplete="off">
<label class="block" for="search">Find an entity</label>
<input id="search" type="search" placeholder="any name or alias" spellcheck="false">
<p id="search-status" class="muted" aria-live="polite"></p>
<ol id="results"></ol>
<div class="legend" aria-label="Legend and filters">
<fieldset><legend>Entity class</legend>{classes}</fieldset>
<fieldset><legend>Relation</legend>{relations}</fieldset>
<fieldset><legend>Modality</legend>{modalities}</fieldset>
</div>
<label class="block" for="article">Article</label>
<select id="article"><option value="">All articles</option></select>
<label class="block" for="confidence">Minimum confidence <output id="confidence-value" for="confidence">0.00</output></label>
<input id="confidence" type="range" min="0" max="1" step="0.05" value="0">
<button type="button" id="reset">Show everything</button>
</form>"""


def _scope(G, focus, depth, relations, types, min_confidence, since) -> str:
    parts = []
    if focus is not None and G.graph.get("focus") in G:
        parts.append(f"around {G.nodes[G.graph['focus']]['label']}, {_count(depth, 'relation', 'relations')} deep")
    if relations:
        parts.append("relations: " + ", ".join(sorted(relations)))
    if types:
        parts.append("classes: " + ", ".join(sorted(types)))
    if min_confidence is not None:
        parts.append(f"confidence \u2265 {min_confidence:g}")
    if since:
        parts.append(f"articles published since {since.isoformat() if isinstance(since, date) else since}")
    return "Showing " + "; ".join(parts)


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


# ------------------------------------------------------------------ files and notebooks

def write_view(graph, path: Path, title: str = "newskg", **selection) -> None:
    """Write render_html to path atomically, so a browser or a crash never sees half a page."""
    path = Path(path)
    page = render_html(graph, title, **selection).encode("utf-8")
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


class View:
    """A rendered view: shows itself inline in Jupyter (a sandboxed iframe), or `.save(path)` as a page."""

    def __init__(self, page: str, height: int = 640):
        self.html = page
        self.height = height

    def _repr_html_(self) -> str:
        # srcdoc keeps the page's own CSP; sandbox without allow-same-origin shuts it off from the notebook
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" sandbox="allow-scripts" '
                f'style="width:100%;height:{int(self.height)}px;border:1px solid #ddd" '
                f'title="newskg graph view"></iframe>')

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        from .store import write_atomic
        write_atomic(path, self.html.encode("utf-8"))
        return path

    def __repr__(self) -> str:
        return f"<kg.view.View: {len(self.html):,} bytes of HTML; display it in Jupyter or .save(path)>"


def show(graph, title: str = "newskg", height: int = 640, **selection) -> View:
    """The view of a graph (an rdflib Graph, or the path of a graph file) for Jupyter: `kg.view(graph)`.

    selection takes render_html's keywords: focus, depth, relations, types, min_confidence, since.
    """
    if isinstance(graph, (str, Path)):
        from .store import load_graph
        title = title if title != "newskg" else Path(graph).name
        graph = load_graph(graph)
    return View(render_html(graph, title, **selection), height=height)


class _CallableModule(_types.ModuleType):
    """`kg.view(graph)` calls show(); `kg.view.render_html` etc. stay as they are."""

    def __call__(self, graph, title: str = "newskg", height: int = 640, **selection) -> View:
        return show(graph, title, height, **selection)


sys.modules[__name__].__class__ = _CallableModule
