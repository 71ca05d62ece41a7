"""The graph as a networkx graph, and what it says: counts, central actors, camps, connections.

`to_networkx` is the one reading of the RDF that the view, `kg stats` and the GraphML/GEXF export
share: a MultiDiGraph with one node per entity and one edge per asserted relation (a symmetric
relation is one edge whichever way it was stated), each edge carrying the evidence of its
rdf:Statement nodes. Denied statements assert nothing and are not evidence.
"""
from __future__ import annotations

import io
import re
import unicodedata
from collections import Counter, deque
from datetime import date

import networkx as nx
import rdflib
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from .errors import KgError
from .namespace import ENTITY_CLASSES, NKG, PROV, RELATION_PREDICATES, SCHEMA, SYMMETRIC_RELATIONS

#: of two entity classes on one node the more specific wins (an armed group is an organisation, a country a location)
CLASS_PRIORITY = ("Person", "ArmedGroup", "Country", "Organization", "Location")
#: the classes that can back, fight or be spoken for (nkg:Actor)
ACTOR_CLASSES = ("Person", "Organization", "ArmedGroup", "Country")
#: strongest first: an edge stated as fact once is asserted, whatever else reported it
MODALITIES = ("asserted", "reported", "alleged", "hypothetical")
RELATION_LABELS = {"backedBy": "backed by", "fighting": "fighting", "locatedNear": "near",
                   "spokesmanOf": "spokesman of"}
#: above this many nodes betweenness is estimated from a seeded sample of sources
EXACT_BETWEENNESS_NODES = 1000
BETWEENNESS_SAMPLE = 300

_RELATION_NAMES = {predicate: name for name, predicate in RELATION_PREDICATES.items()}


# ------------------------------------------------------------------ reading the RDF

def to_networkx(graph: rdflib.Graph) -> nx.MultiDiGraph:
    """Entities and asserted relations, with names, classes, articles and evidence as attributes.

    Node attributes: label, cls, aliases (sorted), same_as, articles (article IRIs).
    Edge key: the relation name. Edge attributes: relation, evidence (list of dicts with sentence,
    confidence (-1 when none recorded), modality, article; best first), confidence (the best),
    modality (the strongest). ``G.graph["articles"]`` maps article IRI -> title, date, path.
    Everything is inserted in sorted order, so the same graph gives the same networkx graph.
    """
    kinds = entity_classes(graph)
    edges: dict[tuple, list[dict]] = {}
    for name, predicate in RELATION_PREDICATES.items():
        for s, o in graph.subject_objects(predicate):
            if s in kinds and o in kinds:
                edges.setdefault(_edge_key(name, s, o), [])
    for statement in graph.subjects(RDF.type, RDF.Statement):
        name = _RELATION_NAMES.get(_first(graph, statement, RDF.predicate))
        if name is None or (statement, NKG.polarity, NKG.negative) in graph:
            continue
        key = _edge_key(name, _first(graph, statement, RDF.subject), _first(graph, statement, RDF.object))
        if key in edges:
            edges[key].append(_evidence(graph, statement))

    in_edges = {n for _, s, o in edges for n in (s, o)}
    nodes = sorted((n for n in kinds if n in in_edges or _first(graph, n, RDFS.label) is not None), key=str)
    articles = {}
    for article in sorted(graph.subjects(RDF.type, NKG.Article), key=str):
        articles[str(article)] = _article_info(graph, article)

    G = nx.MultiDiGraph(articles=articles)
    for node in nodes:
        mentioned = sorted({str(a) for a in graph.objects(node, NKG.mentionedIn)})
        for article in mentioned:
            articles.setdefault(article, _article_info(graph, rdflib.URIRef(article)))
        label = label_of(graph, node)
        G.add_node(str(node), label=label, cls=kinds[node],
                   aliases=sorted({str(a) for a in graph.objects(node, SKOS.altLabel)} - {label}),
                   same_as=sorted(str(x) for x in graph.objects(node, OWL.sameAs)), articles=mentioned)
    for (name, s, o), evidence in sorted(edges.items(), key=lambda item: tuple(map(str, item[0]))):
        evidence = sorted(set(map(_freeze, evidence)), key=lambda e: (-e[1], e[0], e[2], e[3]))
        evidence = [dict(zip(("sentence", "confidence", "modality", "article"), e)) for e in evidence]
        for e in evidence:
            if e["article"] and e["article"] not in articles:
                articles[e["article"]] = _article_info(graph, rdflib.URIRef(e["article"]))
        G.add_edge(str(s), str(o), key=name, relation=name, evidence=evidence,
                   confidence=max((e["confidence"] for e in evidence), default=-1.0),
                   modality=strongest_modality(e["modality"] for e in evidence))
    G.graph["articles"] = dict(sorted(articles.items(), key=lambda item: (item[1]["date"], item[1]["title"], item[0])))
    return G


def entity_classes(graph: rdflib.Graph) -> dict:
    """Entity -> class name, the most specific class winning whatever the triple order."""
    kinds: dict = {}
    for name in CLASS_PRIORITY:
        for entity in graph.subjects(RDF.type, ENTITY_CLASSES[name]):
            kinds.setdefault(entity, name)
    return kinds


def strongest_modality(modalities) -> str:
    """asserted beats reported beats alleged; an edge with no recorded modality is asserted (its triple is)."""
    ranks = [MODALITIES.index(m) for m in modalities if m in MODALITIES]
    return MODALITIES[min(ranks)] if ranks else "asserted"


def label_of(graph: rdflib.Graph, node) -> str:
    return str(_first(graph, node, RDFS.label) or _local_name(node))


def _edge_key(name: str, s, o) -> tuple:
    if name in SYMMETRIC_RELATIONS:
        s, o = sorted((s, o), key=str)
    return name, s, o


def _evidence(graph: rdflib.Graph, statement) -> dict:
    confidence = _first(graph, statement, NKG.confidence)
    modality = _first(graph, statement, NKG.modality)
    article = _first(graph, statement, PROV.wasDerivedFrom)
    try:
        confidence = float(confidence) if confidence is not None else -1.0
    except ValueError:
        confidence = -1.0
    return {"sentence": " ".join(str(_first(graph, statement, NKG.evidence) or "").split()),
            "confidence": confidence, "modality": _local_name(modality) if modality is not None else "",
            "article": str(article) if article is not None else ""}


def _freeze(e: dict) -> tuple:
    return e["sentence"], e["confidence"], e["modality"], e["article"]


def _article_info(graph: rdflib.Graph, article) -> dict:
    published = _first(graph, article, SCHEMA.datePublished)
    return {"title": str(_first(graph, article, DCTERMS.title) or _first(graph, article, NKG.sourcePath)
                         or _local_name(article)),
            "date": _iso_date(published),
            "path": str(_first(graph, article, NKG.sourcePath) or "")}


def _iso_date(value) -> str:
    """YYYY-MM-DD of an xsd:date or xsd:dateTime literal (or a plain string starting so); '' otherwise."""
    if value is None:
        return ""
    match = re.match(r"\s*(\d{4}-\d{2}-\d{2})", str(value))
    return match.group(1) if match else ""


def _first(graph: rdflib.Graph, subject, predicate):
    """The smallest value, not graph.value's arbitrary one: results must not change between runs."""
    return min(graph.objects(subject, predicate), key=str, default=None)


def _local_name(iri) -> str:
    return re.split(r"[#/]", str(iri))[-1]


# ------------------------------------------------------------------ finding and selecting

def normalize(name: str) -> str:
    """Lower case, no accents, single spaces: how names are compared when a person types one."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


def find_entity(G: nx.MultiDiGraph, name: str) -> str:
    """The node a person means by name: its label or any alias, ignoring case and accents.

    A label match beats an alias match; two equally good matches, or none, raise KgError naming
    the candidates.
    """
    wanted = normalize(name)
    if not wanted:
        raise KgError("empty entity name")
    by_label = [n for n, d in G.nodes(data=True) if normalize(d["label"]) == wanted]
    by_alias = [n for n, d in G.nodes(data=True) if wanted in {normalize(a) for a in d["aliases"]}]
    for found in (by_label, by_alias):
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            names = ", ".join(f"{G.nodes[n]['label']} ({G.nodes[n]['cls']})" for n in sorted(found))
            raise KgError(f"'{name}' is ambiguous: {names}")
    near = sorted({d["label"] for _, d in G.nodes(data=True)
                   if wanted in normalize(d["label"]) or any(wanted in normalize(a) for a in d["aliases"])})
    hint = f" (did you mean: {', '.join(near[:8])}?)" if near else ""
    raise KgError(f"no entity named '{name}' in the graph{hint}")


def select(G: nx.MultiDiGraph, *, relations=None, types=None, min_confidence: float | None = None,
           since: date | str | None = None, focus: str | None = None, depth: int = 1) -> nx.MultiDiGraph:
    """The part of the graph a person asked for.

    relations / types keep edges of those relations / nodes of those classes; min_confidence keeps
    the evidence at or above it and since the evidence from articles published on or after the
    date (articles without a schema:datePublished do not count); an edge with no evidence left goes.
    When a relation, confidence or date filter is given, entities left without any relation go too
    (a class filter alone keeps every entity of those classes).
    focus (a name or alias) then keeps the entities within depth relations of that entity.
    """
    since_text = since.isoformat() if isinstance(since, date) else (since or "")
    articles = G.graph.get("articles", {})
    edge_filter = bool(relations) or min_confidence is not None or bool(since_text)
    H = nx.MultiDiGraph(**G.graph)
    for node, data in G.nodes(data=True):
        if not types or data["cls"] in types:
            H.add_node(node, **data)
    for u, v, key, data in G.edges(keys=True, data=True):
        if u not in H or v not in H or (relations and data["relation"] not in relations):
            continue
        evidence = data["evidence"]
        if min_confidence is not None or since_text:
            if not evidence:
                continue
            evidence = [e for e in evidence
                        if (min_confidence is None or e["confidence"] >= min_confidence)
                        and (not since_text or _published_since(articles, e["article"], since_text))]
            if not evidence:
                continue
        H.add_edge(u, v, key=key, **dict(data, evidence=evidence,
                                          confidence=max((e["confidence"] for e in evidence), default=-1.0),
                                          modality=strongest_modality(e["modality"] for e in evidence)))
    if edge_filter:
        H.remove_nodes_from([n for n in list(H) if H.degree(n) == 0])
    if focus is not None:
        if depth < 0:
            raise KgError("--depth must be 0 or more")
        try:
            centre = find_entity(H, focus)
        except KgError:
            find_entity(G, focus)  # a name not in the graph at all gets that message
            raise KgError(f"'{focus}' has no relations left after the filters") from None
        keep = nx.single_source_shortest_path_length(H.to_undirected(as_view=True), centre, cutoff=depth)
        H = H.subgraph(sorted(keep)).copy()
        H.graph["focus"] = centre
    return H


def _published_since(articles: dict, article: str, since: str) -> bool:
    published = articles.get(article, {}).get("date", "")
    return bool(published) and published >= since


# ------------------------------------------------------------------ statistics

def simple_graph(G: nx.MultiDiGraph) -> nx.Graph:
    """Undirected, one edge per related pair, nodes and edges inserted in sorted order (for determinism)."""
    S = nx.Graph()
    S.add_nodes_from(sorted(G))
    S.add_edges_from(sorted({tuple(sorted((u, v))) for u, v in G.edges() if u != v}))
    return S


def centrality(G: nx.MultiDiGraph, top: int = 10) -> dict:
    """The most central actors by degree (related entities) and by betweenness (on the paths between others)."""
    S = simple_graph(G)
    actors = [n for n in S if G.nodes[n]["cls"] in ACTOR_CLASSES]
    exact = len(S) <= EXACT_BETWEENNESS_NODES
    between = nx.betweenness_centrality(S, normalized=True, seed=None if exact else 0,
                                        k=None if exact else min(BETWEENNESS_SAMPLE, len(S)))
    label = lambda n: G.nodes[n]["label"]
    by_degree = sorted(actors, key=lambda n: (-S.degree(n), label(n), n))[:top]
    by_between = sorted((n for n in actors if between[n] > 0), key=lambda n: (-between[n], label(n), n))[:top]
    row = lambda n: {"id": n, "label": label(n), "class": G.nodes[n]["cls"], "degree": S.degree(n),
                     "betweenness": round(between[n], 4)}
    return {"degree": [row(n) for n in by_degree], "betweenness": [row(n) for n in by_between],
            "betweenness_sampled": None if exact else min(BETWEENNESS_SAMPLE, len(S))}


def camps(G: nx.MultiDiGraph) -> dict:
    """Who is on which side: backed-by puts two actors in one camp, fighting sets two camps against each other.

    Actors joined by backing form blocs; blocs that fight are placed on opposite sides of a front
    (a two-colouring of the blocs, then flips that leave fewer fights inside a side). Fights the
    sides cannot explain are listed as tensions. Returns fronts (each with two sides, biggest first),
    allied blocs that fight nobody, and the tensions.
    """
    parent: dict[str, str] = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    fights = []
    for u, v, data in sorted(G.edges(data=True), key=lambda e: (e[0], e[1], e[2]["relation"])):
        if u == v:
            continue
        if data["relation"] == "backedBy":
            a, b = find(u), find(v)
            if a != b:
                parent[max(a, b)] = min(a, b)
        elif data["relation"] == "fighting":
            find(u), find(v)
            fights.append((u, v))
    blocs: dict[str, list[str]] = {}
    for node in sorted(parent):
        blocs.setdefault(find(node), []).append(node)

    conflict = nx.MultiGraph()
    conflict.add_nodes_from(sorted(blocs))
    tensions = []
    for u, v in fights:
        a, b = find(u), find(v)
        if a == b:
            tensions.append((u, v))
        else:
            conflict.add_edge(*sorted((a, b)))

    label = lambda n: G.nodes[n]["label"]
    members = lambda bloc_ids: sorted((n for b in bloc_ids for n in blocs[b]), key=lambda n: (label(n), n))
    fronts, allied = [], []
    components = sorted(nx.connected_components(conflict), key=lambda c: (-sum(len(blocs[b]) for b in c), min(c)))
    for component in components:
        if len(component) == 1:
            [bloc] = component
            if len(blocs[bloc]) > 1:
                allied.append([label(n) for n in members([bloc])])
            continue
        side = _two_sides(conflict.subgraph(component), {b: len(blocs[b]) for b in component})
        sides = [members([b for b in sorted(component) if side[b] == s]) for s in (0, 1)]
        sides.sort(key=lambda s: (-len(s), [label(n) for n in s]))
        for u, v in conflict.subgraph(component).edges():
            if side[u] == side[v]:
                tensions.extend((x, y) for x, y in fights if {find(x), find(y)} == {u, v})
        fronts.append({"sides": [[label(n) for n in s] for s in sides]})
    tensions = sorted({tuple(sorted((label(u), label(v)))) for u, v in tensions})
    return {"fronts": fronts, "allied": allied, "tensions": [list(t) for t in tensions]}


def _two_sides(conflict: nx.MultiGraph, sizes: dict) -> dict:
    """Blocs -> 0/1 so that as many fights as possible cross sides: BFS colouring, then improving flips."""
    side: dict = {}
    for start in sorted(conflict, key=lambda b: (-sizes[b], b)):
        if start in side:
            continue
        side[start] = 0
        queue = deque([start])
        while queue:
            bloc = queue.popleft()
            for other in sorted(conflict[bloc]):
                if other not in side:
                    side[other] = 1 - side[bloc]
                    queue.append(other)
    for _ in range(len(conflict)):
        improved = False
        for bloc in sorted(conflict):
            same = sum(len(conflict[bloc][o]) for o in conflict[bloc] if side[o] == side[bloc])
            other = sum(len(conflict[bloc][o]) for o in conflict[bloc] if side[o] != side[bloc])
            if same > other:
                side[bloc] = 1 - side[bloc]
                improved = True
        if not improved:
            break
    return side


def connection(G: nx.MultiDiGraph, source: str, target: str) -> dict:
    """The shortest chain of relations between two named entities, with the evidence for every step."""
    a, b = find_entity(G, source), find_entity(G, target)
    S = simple_graph(G)
    try:
        path = nx.shortest_path(S, a, b)
    except nx.NetworkXNoPath:
        return {"from": G.nodes[a]["label"], "to": G.nodes[b]["label"], "path": None, "steps": []}
    articles = G.graph.get("articles", {})
    steps = []
    for x, y in zip(path, path[1:]):
        relations = []
        for u, v in ((x, y), (y, x)):
            for key, data in sorted(G.get_edge_data(u, v, default={}).items()):
                best = data["evidence"][0] if data["evidence"] else None
                relations.append({
                    "subject": G.nodes[u]["label"], "relation": key, "object": G.nodes[v]["label"],
                    "modality": data["modality"], "statements": len(data["evidence"]),
                    "evidence": None if best is None else dict(
                        best, title=articles.get(best["article"], {}).get("title", ""),
                        date=articles.get(best["article"], {}).get("date", ""))})
        steps.append(relations)
    return {"from": G.nodes[a]["label"], "to": G.nodes[b]["label"],
            "path": [G.nodes[n]["label"] for n in path], "steps": steps}


def stats(G: nx.MultiDiGraph, top: int = 10, paths=()) -> dict:
    """Everything `kg stats` prints, as plain data."""
    evidence = [e for _, _, d in G.edges(data=True) for e in d["evidence"]]
    S = simple_graph(G)
    return {
        "articles": len(G.graph.get("articles", {})),
        "entities": G.number_of_nodes(),
        "relations": G.number_of_edges(),
        "statements": len(evidence),
        "components": nx.number_connected_components(S) if len(S) else 0,
        "classes": dict(sorted(Counter(d["cls"] for _, d in G.nodes(data=True)).items())),
        "relation_counts": {name: sum(1 for *_, k in G.edges(keys=True) if k == name) for name in RELATION_PREDICATES},
        "modalities": dict(sorted(Counter(d["modality"] for _, _, d in G.edges(data=True)).items(),
                                  key=lambda item: MODALITIES.index(item[0]))),
        "central": centrality(G, top),
        "camps": camps(G),
        "connections": [connection(G, a, b) for a, b in paths],
    }


def format_stats(result: dict, source: str = "") -> str:
    """The human-readable report of `kg stats`."""
    out = []
    w = out.append
    w(f"{source}: " if source else "")
    out[-1] += (f"{_count(result['articles'], 'article')}, {_count(result['entities'], 'entity', 'entities')}, "
                f"{_count(result['relations'], 'relation')} ({_count(result['statements'], 'statement')}), "
                f"{_count(result['components'], 'connected part')}")
    w("")
    w("Entities by class")
    for name, n in result["classes"].items():
        w(f"  {name:<14}{n:>6}")
    w("Relations")
    for name, n in result["relation_counts"].items():
        w(f"  {name:<14}{n:>6}")
    if result["modalities"]:
        w("  (" + ", ".join(f"{m} {n}" for m, n in result["modalities"].items()) + ")")
    central = result["central"]
    w("")
    w("Most central actors by degree (entities related to)")
    for i, row in enumerate(central["degree"], 1):
        w(f"  {i:>2}. {row['label']} ({row['class']}): {row['degree']}")
    sampled = central["betweenness_sampled"]
    w("Most central actors by betweenness (share of shortest paths through them"
      + (f", estimated from {sampled} sources" if sampled else "") + ")")
    for i, row in enumerate(central["betweenness"], 1):
        w(f"  {i:>2}. {row['label']} ({row['class']}): {row['betweenness']:.3f}")
    if not central["betweenness"]:
        w("  (none: no actor lies between two others)")
    camps_ = result["camps"]
    w("")
    w("Camps (backed-by puts actors on one side, fighting on opposite sides)")
    for i, front in enumerate(camps_["fronts"], 1):
        w(f"  front {i}")
        for letter, side in zip("AB", front["sides"]):
            w(f"    side {letter}: " + ", ".join(side))
    for bloc in camps_["allied"]:
        w("  allied, fighting no one recorded: " + ", ".join(bloc))
    if not camps_["fronts"] and not camps_["allied"]:
        w("  (no backed-by or fighting relations)")
    for a, b in camps_["tensions"]:
        w(f"  tension: {a} fighting {b}, although on one side")
    for conn in result["connections"]:
        w("")
        if conn["path"] is None:
            w(f"How is {conn['from']} connected to {conn['to']}? Not at all: no chain of relations joins them.")
            continue
        steps = len(conn["path"]) - 1
        chain = " \u2013 ".join(conn["path"])
        w(f"How is {conn['from']} connected to {conn['to']}? {chain} ({steps} step{'s' if steps != 1 else ''})")
        for relations in conn["steps"]:
            for r in relations:
                arrow = "--" if r["relation"] in SYMMETRIC_RELATIONS else "-->"
                w(f"  {r['subject']} --{RELATION_LABELS.get(r['relation'], r['relation'])}{arrow} {r['object']}"
                  f"  [{r['modality']}, {r['statements']} statement{'s' if r['statements'] != 1 else ''}]")
                e = r["evidence"]
                if e:
                    facts = [f"confidence {e['confidence']:.2f}" if e["confidence"] >= 0 else "", e["modality"],
                             e["title"], e["date"]]
                    w(f"    \u201c{e['sentence']}\u201d ({', '.join(f for f in facts if f)})")
    return "\n".join(out) + "\n"


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


# ------------------------------------------------------------------ export for Gephi and Cytoscape

def export_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Only scalar attributes (GraphML and GEXF have no lists): labels, classes, counts, the best evidence."""
    articles = G.graph.get("articles", {})
    X = nx.MultiDiGraph()
    for node, d in G.nodes(data=True):
        X.add_node(node, label=d["label"], name=d["label"], **{"class": d["cls"]}, aliases="; ".join(d["aliases"]),
                   same_as=" ".join(d["same_as"]), articles=len(d["articles"]))
    for i, (u, v, key, d) in enumerate(G.edges(keys=True, data=True)):
        best = d["evidence"][0] if d["evidence"] else {}
        X.add_edge(u, v, key=f"e{i}", label=RELATION_LABELS.get(key, key), relation=key,
                   symmetric=key in SYMMETRIC_RELATIONS, confidence=float(d["confidence"]), modality=d["modality"],
                   statements=len(d["evidence"]), evidence=best.get("sentence", ""),
                   article=articles.get(best.get("article", ""), {}).get("title", ""))
    return X


def to_graphml(G: nx.MultiDiGraph) -> bytes:
    buffer = io.BytesIO()
    nx.write_graphml(export_graph(G), buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def to_gexf(G: nx.MultiDiGraph) -> bytes:
    buffer = io.BytesIO()
    nx.write_gexf(export_graph(G), buffer, encoding="utf-8", prettyprint=True)
    # the writer stamps today's date: drop it, so the same graph always gives the same bytes
    return re.sub(rb' lastmodifieddate="[^"]*"', b"", buffer.getvalue(), count=1)
