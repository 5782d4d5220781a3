"""Draw a :class:`~kg.viz.select.Selection` as one self-contained HTML page (vis-network).

:class:`Network` holds the nodes, edges and vis-network options as pyvis's Network would
(the same dicts); pyvis itself is not imported, because ``import pyvis`` imports IPython (0.3-0.5
s of every ``kg viz``) and its per-edge scans are quadratic. The page comes from our own
template (``templates/page.html``) rather than pyvis's, because pyvis's loads bootstrap (and, in
some modes, vis-network and tom-select) from CDNs. The template embeds vis-network itself
(:mod:`kg.viz.assets`), a legend, a search box, a note on what the node cap left out, and
physics that stabilises once and then switches off.
"""

from __future__ import annotations

import copy
import heapq
import json
import math
from collections import Counter
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from kg.errors import KGError
from kg.viz import assets
from kg.viz.index import GraphIndex, Item
from kg.viz.select import MORE, Selection
from kg.vocab import ENTITY_KINDS, RELATIONS_BY_STRENGTH, SYMMETRIC_RELATIONS

#: Colour by node kind (Tableau 10); the legend shows the same.
COLOURS = {
    "Topic": "#e15759",
    "Paper": "#4e79a7",
    "Method": "#59a14f",
    "Model": "#b07aa1",
    "Dataset": "#f28e2b",
    "Task": "#edc948",
    "Metric": "#76b7b2",
    "Concept": "#9c755f",
    MORE: "#bab0ac",
}
LEGEND_NAMES = {
    "Topic": "Topic",
    "Paper": "Paper",
    "Method": "Method",
    "Model": "Model",
    "Dataset": "Dataset",
    "Task": "Task",
    "Metric": "Metric",
    "Concept": "Concept",
    MORE: "Left out (grouped)",
}
KIND_ORDER = ("Topic", "Paper", *ENTITY_KINDS, MORE)
RELATION_WORDS = {
    "proposes": "proposes",
    "usesDataset": "uses dataset",
    "addressesTask": "addresses task",
    "usesMethod": "uses method",
    "usesMetric": "reports metric",
    "mentions": "mentions",
}
#: Entity relations (kg:EntityRelation) -> the label drawn on their edges.
ENTITY_RELATION_WORDS = {
    "usedFor": "used for",
    "evaluates": "evaluates",
    "comparedWith": "compared with",
    "partOf": "part of",
    "hyponymOf": "kind of",
    "featureOf": "feature of",
    "conjunction": "and",
}
#: Relations drawn without an arrow (symmetric).
PAPERS_IN_TIP = 3
ALIASES_IN_TIP = 8


def _clip(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def short_title(title: str, n: int = 28) -> str:
    """A paper's short name: the part before the colon when there is one ("ExpertRAG")."""
    head = title.split(":", 1)[0].strip()
    if ":" in title and 2 <= len(head) <= n:
        return head
    return _clip(title, n)


def node_label(index: GraphIndex, iri: str, data: dict) -> str:
    if data["kind"] == MORE:
        return data["label"]
    item = index.items[iri]
    if item.kind == "Topic":
        if item.notation and len(item.notation) <= 5:
            return item.notation  # RAG, MoE, PEFT read better than their long names
        return item.label
    if item.kind == "Paper":
        return short_title(item.label)
    return _clip(item.label, 32)


def _sorted_papers(index: GraphIndex, papers, prefer: set[str]) -> list[str]:
    """The first few papers to list: those on the page first, then by title."""
    return heapq.nsmallest(
        PAPERS_IN_TIP, papers, key=lambda p: (p not in prefer, index.items[p].label.casefold(), p)
    )


def _aliases_line(
    aliases: tuple[str, ...], word: str = "Also written", label: str = ""
) -> list[str]:
    """Aliases, one per spelling that differs from the label and each other beyond case."""
    seen = {label.casefold()}
    aliases = tuple(a for a in aliases if not (a.casefold() in seen or seen.add(a.casefold())))
    if not aliases:
        return []
    shown = ", ".join(_clip(a, 40) for a in aliases[:ALIASES_IN_TIP])
    more = f" (+{len(aliases) - ALIASES_IN_TIP} more)" if len(aliases) > ALIASES_IN_TIP else ""
    return [f"{word}: {shown}{more}"]


def _papers_lines(index: GraphIndex, papers: list[str]) -> list[str]:
    return [f"  • {_clip(index.items[p].label, 90)}" for p in papers[:PAPERS_IN_TIP]]


def node_tooltip(index: GraphIndex, sel: Selection, iri: str, data: dict) -> str:
    """A node's hover text: one part per kind of node."""
    if data["kind"] == MORE:
        return "\n".join(_more_tip(sel, data))
    item = index.items[iri]
    shown = set(sel.graph.nodes)
    if item.kind == "Topic":
        lines = _topic_tip(index, item, shown)
    elif item.kind == "Paper":
        lines = _paper_tip(index, item, shown)
    else:
        lines = _entity_tip(index, item, shown)
    return "\n".join(lines)


def _more_tip(sel: Selection, data: dict) -> list[str]:
    """A "+N more" node: how many it stands for, why, and its highest-ranked members."""
    kind_word = data["label"].split(" ", 2)[-1]
    lines = [
        f"{data['count']:,} {kind_word} not shown one by one",
        f"The page is capped at {sel.max_nodes:,} nodes (--max-nodes); these rank lowest.",
        "Highest-ranked of them:",
    ]
    return lines + [f"  • {_clip(x, 80)}" for x in data["examples"]]


def _topic_tip(index: GraphIndex, item: Item, shown: set[str]) -> list[str]:
    """A topic: names, paper count, the topics it shares most papers with, a few papers."""
    papers = index.topic_papers().get(item.iri, set())
    lines = [f"{item.label} ({item.notation})", f"Type: topic · {len(papers):,} papers"]
    lines += _aliases_line(item.aliases, "Also called", item.label)
    related = sorted(
        (
            (s, b if a == item.iri else a)
            for (a, b), (s, _w) in index.topic_links.items()
            if item.iri in (a, b) and s > 0
        ),
        key=lambda x: (-x[0], x[1]),
    )
    if related:
        lines.append(
            "Shares papers with: "
            + ", ".join(f"{index.items[t].notation} ({s})" for s, t in related[:6])
        )
    lines.append("Papers:")
    return lines + _papers_lines(index, _sorted_papers(index, papers, shown))


def _paper_tip(index: GraphIndex, item: Item, shown: set[str]) -> list[str]:
    """A paper: title, arXiv id, topics, what it proposes and mentions, its best evidence."""
    meta = "Type: paper" + (f" · arXiv {item.extra['arXiv']}" if "arXiv" in item.extra else "")
    lines = [_clip(item.label, 200), meta]
    topics = sorted(
        index.items[t].notation or index.items[t].label
        for t in index.paper_topics.get(item.iri, ())
    )
    if topics:
        lines.append("Topics: " + ", ".join(topics))
    links = index.links.get(item.iri, {})
    proposed = sorted(index.items[e].label for e, rels in links.items() if "proposes" in rels)
    if proposed:
        lines.append("Proposes: " + ", ".join(_clip(x, 40) for x in proposed[:6]))
    others = sorted(index.items[e].label for e, rels in links.items() if "proposes" not in rels)
    if others:
        more = f" (+{len(others) - 8} more)" if len(others) > 8 else ""
        lines.append("Mentions: " + ", ".join(_clip(x, 30) for x in others[:8]) + more)
    ranked = sorted(links, key=lambda e: (_strongest_rank(links[e]), e not in shown, e))
    for e in ranked[:1]:
        ev = index.evidence(item.iri, e)
        if ev:
            lines.append(
                f"Evidence ({RELATION_WORDS.get(ev[0], ev[0])} {index.items[e].label}): "
                f"“{_clip(ev[1], 300)}”"
            )
    return lines


def _entity_tip(index: GraphIndex, item: Item, shown: set[str]) -> list[str]:
    """An entity: names, kind, paper count, the topics of its papers, a few papers (strongest
    link first) and the first evidence sentence among them."""
    papers = index.entity_papers.get(item.iri, set())
    lines = [item.label, f"Type: {item.kind.lower()} · {len(papers):,} papers"]
    lines += _aliases_line(item.aliases, label=item.label)
    lines += _topic_spread_line(index, papers)
    ordered = heapq.nsmallest(
        PAPERS_IN_TIP + 3,
        papers,
        key=lambda p: (
            _strongest_rank(index.links[p][item.iri]),
            p not in shown,
            index.items[p].label.casefold(),
            p,
        ),
    )
    if not ordered:
        return lines
    lines.append("Papers:")
    lines += _papers_lines(index, ordered)
    for p in ordered[:3]:
        ev = index.evidence(p, item.iri)
        if ev:
            lines.append(
                f"Evidence ({short_title(index.items[p].label)}, "
                f"{RELATION_WORDS.get(ev[0], ev[0])}): “{_clip(ev[1], 300)}”"
            )
            break
    return lines


def _topic_spread_line(index: GraphIndex, papers: set[str]) -> list[str]:
    """The topics of ``papers`` with how many of them each has, most first (at most 12)."""
    spread = Counter(t for p in papers for t in index.paper_topics.get(p, ()))
    if not spread:
        return []
    ranked = sorted(spread.items(), key=lambda kv: (-kv[1], index.items[kv[0]].label))
    more = f" (+{len(ranked) - 12} more)" if len(ranked) > 12 else ""
    return [
        "Topics (papers): "
        + ", ".join(
            f"{index.items[t].notation or index.items[t].label} ({n})" for t, n in ranked[:12]
        )
        + more
    ]


def _strongest_rank(relations: set[str]) -> int:
    """The rank in RELATIONS_BY_STRENGTH of the strongest of ``relations`` (0: proposes)."""
    return min(RELATIONS_BY_STRENGTH.index(r) for r in relations)


def edge_tooltip(index: GraphIndex, a: str, b: str, data: dict, labels: dict[str, str]) -> str:
    kind = data["kind"]
    if kind == "topic-link":
        return (
            f"{labels[a]} ↔ {labels[b]}\n{data['shared']:,} shared papers "
            f"(overlap {data['weight']:.2f})"
        )
    if kind == "subject":
        paper, topic = (a, b) if index.items[a].kind == "Paper" else (b, a)
        return f"{labels[paper]} is about {index.items[topic].label}"
    if kind == "bridge":
        entity, topic = (a, b) if index.items[b].kind == "Topic" else (b, a)
        n = data["papers"]
        papers = f"{n:,} paper{'s' if n != 1 else ''}"
        return f"{labels[entity]} in {labels[topic]}\n{papers} about {index.items[topic].label}"
    if kind == "relation":
        paper, entity = (a, b) if index.items[a].kind == "Paper" else (b, a)
        ev = index.evidence(paper, entity)
        rel = ev[0] if ev else data.get("relation", "mentions")
        text = f"{labels[paper]} {RELATION_WORDS.get(rel, rel)} {index.items[entity].label}"
        return text + (f"\n“{_clip(ev[1], 300)}”" if ev else "")
    if kind == "entity-relation":
        n = data["papers"]
        word = ENTITY_RELATION_WORDS.get(data["relation"], data["relation"])
        return (
            f"{labels[data['subject']]} {word} {labels[data['object']]}\n"
            f"{n:,} paper{'s' if n != 1 else ''} (kg:{data['relation']})"
        )
    if kind == "more":
        shown = b if a.startswith("kg-viz:") else a
        return f"{data['count']:,} of the left-out nodes link to {labels[shown]}"
    return ""


def _node_value(kind: str, degree: int) -> float:
    return round(math.sqrt(max(degree, 1)) * (3.0 if kind == "Topic" else 1.0), 3)


def vis_options(node_count: int) -> dict:
    iterations = 400 if node_count > 150 else 250
    return {
        "autoResize": True,
        "layout": {"randomSeed": 7, "improvedLayout": node_count <= 100},
        "nodes": {
            "shape": "dot",
            "borderWidth": 1,
            "scaling": {
                "min": 5,
                "max": 46,
                "label": {
                    "enabled": True,
                    "min": 11,
                    "max": 30,
                    "maxVisible": 30,
                    "drawThreshold": 7,
                },
            },
            "font": {
                "face": "system-ui, DejaVu Sans, sans-serif",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
            },
        },
        "edges": {
            "smooth": False,
            "color": {"inherit": False},
            "scaling": {"min": 0.6, "max": 9, "label": {"enabled": False}},
            "selectionWidth": 1.5,
        },
        "groups": {
            kind: {
                "color": {
                    "background": c,
                    "border": _darker(c),
                    "highlight": {"background": c, "border": "#222"},
                    "hover": {"background": c, "border": "#222"},
                }
            }
            for kind, c in COLOURS.items()
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": True,
            "hideEdgesOnZoom": node_count > 400,
            "multiselect": False,
        },
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -100,
                "centralGravity": 0.02,
                "springLength": 95,
                "springConstant": 0.05,
                "damping": 0.5,
                "avoidOverlap": 0.6,
            },
            "maxVelocity": 60,
            "minVelocity": 1.0,
            "timestep": 0.45,
            "stabilization": {
                "enabled": True,
                "iterations": iterations,
                "updateInterval": 20,
                "fit": True,
            },
        },
    }


def _darker(hex_colour: str, f: float = 0.72) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"#{int(r * f):02x}{int(g * f):02x}{int(b * f):02x}"


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


#: Per-kind node options: topics get big, always-readable labels; papers' labels appear when
#: zoomed in (vis hides labels drawn smaller than ``drawThreshold`` pixels).
NODE_STYLE = {
    "Topic": {
        "borderWidth": 2,
        "mass": 2,  # pushes topics (and their labels) apart
        "font": {"size": 26, "color": "#5a1a1b"},
        "scaling": {"label": {"enabled": True, "min": 21, "max": 34, "drawThreshold": 4}},
    },
    "Paper": {
        "font": {"size": 11, "color": "#1f3b5a"},
        "scaling": {"label": {"enabled": True, "min": 10, "max": 13, "drawThreshold": 9}},
    },
    MORE: {
        "shape": "box",
        "font": {"size": 26, "color": "#333"},
        "margin": 10,
        "shapeProperties": {"borderDashes": [4, 3]},
    },
}
for _kind in ENTITY_KINDS:
    NODE_STYLE[_kind] = {
        "font": {"size": 14, "color": "#2d4a22"},
        "scaling": {"label": {"enabled": True, "min": 14, "max": 22, "drawThreshold": 9}},
    }

#: Edge kind -> (colour, opacity on the page, legend text).
EDGE_KINDS = {
    "topic-link": (COLOURS["Topic"], 0.55, "topics sharing papers"),
    "subject": (COLOURS["Paper"], 0.35, "paper is about topic"),
    "bridge": (COLOURS["Method"], 0.3, "method used in topic's papers"),
    "relation": ("#787878", 0.25, "paper proposes / uses"),
    "entity-relation": ("#b0306a", 0.75, "entity relation (used for, evaluates, compared with)"),
    "more": ("#969696", 0.55, "links of left-out nodes"),
}
EDGE_STYLE = {
    kind: {"color": _rgba(colour, alpha), **({"dashes": True} if kind == "more" else {})}
    for kind, (colour, alpha, _text) in EDGE_KINDS.items()
}


class Network:
    """What pyvis's ``Network`` keeps of an undirected graph drawn with node groups: a node is
    its options plus ``id``, ``label`` (the id when the label is empty) and ``shape``, an edge
    its options plus ``from`` and ``to``, in pyvis's key order, so the page's JSON is what
    pyvis wrote. No per-edge scans of all nodes and edges (pyvis's are quadratic on big pages):
    the selection already guarantees that both ends exist and that node pairs are unique."""

    def __init__(self) -> None:
        self.nodes: list[dict] = []
        self.edges: list[dict] = []
        self.options: dict = {}

    def add_node(self, n_id: str, label: str, shape: str = "dot", **options) -> None:
        options.update(id=n_id, label=label or n_id, shape=shape)
        self.nodes.append(options)

    def add_edge(self, source: str, to: str, **options) -> None:
        options.update({"from": source, "to": to})
        self.edges.append(options)


def build_network(index: GraphIndex, sel: Selection) -> Network:
    """The selection as a :class:`Network` (nodes and edges with styles and tooltips)."""
    net = Network()
    view = sel.graph
    index.load_aliases(view.nodes)  # tooltips and the search box show them
    index.load_links(view.nodes)  # an entity's tooltip: its papers, strongest link first
    # a paper's tooltip names all its entities
    index.load_labels([*view.nodes, *(e for n in view.nodes for e in index.links.get(n, ()))])
    index.load_evidence(n for n, d in view.nodes(data=True) if d["kind"] == "Paper")
    labels = {n: node_label(index, n, d) for n, d in view.nodes(data=True)}
    focus = set(sel.focus)
    for n, d in view.nodes(data=True):
        kind = d["kind"]
        options = {
            "group": kind,
            "value": _node_value(kind, view.degree(n)),
            "title": node_tooltip(index, sel, n, d),
        }
        options.update(copy.deepcopy(NODE_STYLE.get(kind, {})))
        if kind == MORE:
            options.pop("value")
        if n in focus:  # the node the page is about: its label readable from the first view
            options["borderWidth"] = 4
            options["color"] = {"border": "#111", "background": COLOURS.get(kind, "#ccc")}
            options["font"] = {**options.get("font", {}), "size": 30}
            label = {"enabled": True, "min": 26, "max": 36, "drawThreshold": 1}
            options["scaling"] = {"label": label}
            options["value"] = max(options.get("value", 1), 30)
        shape = options.pop("shape", "dot")
        net.add_node(n, label=labels[n], shape=shape, **options)
    for i, (a, b, d) in enumerate(sorted(view.edges(data=True), key=lambda e: (e[0], e[1]))):
        style = dict(EDGE_STYLE.get(d["kind"], {}))
        if d["kind"] == "entity-relation":  # labelled by type, subject -> object
            a, b = d["subject"], d["object"]
            style["label"] = ENTITY_RELATION_WORDS.get(d["relation"], d["relation"])
            style["font"] = {"size": 10, "align": "middle"}
            if d["relation"] not in SYMMETRIC_RELATIONS:
                style["arrows"] = "to"
        net.add_edge(
            a,
            b,
            id=f"e{i}",
            value=d.get("w", 1),
            title=edge_tooltip(index, a, b, d, labels),
            **style,
        )
    net.options = vis_options(view.number_of_nodes())
    return net


def _edge_legend(view) -> list[dict]:
    kinds = {d["kind"] for _, _, d in view.edges(data=True)}
    return [
        {
            "name": text,
            "colour": _rgba(colour, 0.85),
            "dashed": kind == "more",
            "width": 3 if kind == "topic-link" else 2,
        }
        for kind, (colour, _alpha, text) in EDGE_KINDS.items()
        if kind in kinds
    ]


def _legend(view) -> list[dict]:
    counts = Counter(d["kind"] for _, d in view.nodes(data=True))
    return [
        {
            "name": LEGEND_NAMES.get(k, k),
            "colour": COLOURS.get(k, "#ccc"),
            "count": f"{counts[k]:,}",
            "box": k == MORE,
        }
        for k in KIND_ORDER
        if counts.get(k)
    ]


def left_out_lines(sel: Selection) -> list[str]:
    lines = []
    if sel.left_out:
        parts = ", ".join(f"{n:,} {_kind_plural(k, n)}" for k, n in sel.left_out.items())
        lines.append(
            f"Showing {sel.nodes - len(sel.left_out):,} of {sel.total_nodes:,} nodes "
            f"(cap --max-nodes {sel.max_nodes:,}). Left out, grouped into the grey "
            f"“+N more” boxes: {parts}."
        )
        lines.append(
            f"{sel.left_out_edges:,} of {sel.total_edges:,} links touch left-out nodes "
            "and are summarised by the dashed links."
        )
    lines += [n[0].upper() + n[1:] + "." for n in sel.notes]
    return lines


def _kind_plural(kind: str, n: int) -> str:
    word = kind.lower()
    return word if n == 1 else word + "s"


def _title(index: GraphIndex, sel: Selection) -> str:
    if sel.mode == "topic map":
        scope = ""
        if sel.topics is not None:
            scope = ": " + ", ".join(
                index.items[t].notation or index.items[t].label for t in sel.topics
            )
        return "kg topic map" + scope
    names = ", ".join(node_label(index, f, {"kind": index.items[f].kind}) for f in sel.focus[:3])
    hops = f"{sel.hops} hop{'s' if sel.hops != 1 else ''}"
    return f"kg: neighbourhood of {names} ({hops})"


def summary_text(index: GraphIndex, sel: Selection) -> str:
    papers = sum(1 for it in index.items.values() if it.kind == "Paper")
    return (
        f"{sel.nodes:,} nodes, {sel.edges:,} links on this page · "
        f"graph: {papers:,} papers, {len(index.topics):,} topics"
    )


def _search_pairs(index: GraphIndex, sel: Selection, labels: dict[str, str]) -> list[list[str]]:
    index.load_aliases(sel.graph.nodes)
    pairs: list[list[str]] = []
    for n, d in sel.graph.nodes(data=True):
        forms = [labels[n]]
        if d["kind"] != MORE:
            forms += index.surface_forms(n)
        for f in dict.fromkeys(" ".join(f.split()).lower() for f in forms):
            pairs.append([f, n])
    return pairs


_ENV: Environment | None = None


def _env() -> Environment:
    global _ENV
    if _ENV is None:
        _ENV = Environment(
            loader=PackageLoader("kg.viz", "templates"), autoescape=select_autoescape(["html"])
        )
    return _ENV


def _search_example(sel: Selection, labels: dict[str, str]) -> str:
    """A short name to suggest in the search box: the focus, else the best-linked topic."""
    for f in sel.focus:
        if len(labels.get(f, "")) <= 24:
            return labels[f]
    topics = sorted(
        (n for n, d in sel.graph.nodes(data=True) if d["kind"] == "Topic"),
        key=lambda n: (len(labels[n]) > 12, -sel.graph.degree(n), n),
    )
    return labels[topics[0]] if topics else "RAG"


def render_html(index: GraphIndex, sel: Selection, title: str | None = None) -> str:
    net = build_network(index, sel)
    nodes, edges = net.nodes, net.edges
    labels = {n["id"]: n["label"] for n in nodes}
    example = _search_example(sel, labels)
    data = {
        "nodes": nodes,
        "edges": edges,
        "options": json.loads(json.dumps(net.options)),  # as pyvis passed them: JSON types
        "search": _search_pairs(index, sel, labels),
        "expected": {"nodes": len(nodes), "edges": len(edges)},
    }
    html = (
        _env()
        .get_template("page.html")
        .render(
            title=title or _title(index, sel),
            summary=summary_text(index, sel),
            legend=_legend(sel.graph),
            edge_legend=_edge_legend(sel.graph),
            left_out=left_out_lines(sel),
            node_count=f"{len(nodes):,}",
            search_example=example,
            data=data,
            vis_js=assets.vis_network_js(),
            vis_css=assets.vis_network_css(),
            vis_version=assets.VIS_VERSION,
            vis_licence=assets.VIS_LICENCE,
        )
    )
    assets.ensure_offline(html)
    return html


def write_html(
    index: GraphIndex, sel: Selection, path: str | Path, title: str | None = None
) -> Path:
    """Write the page to ``path`` (making its directory); an unwritable path is a KGError naming
    it, in one line (the CLI checks up front too; this catches the rest: races, odd mounts)."""
    path = Path(path)
    html = render_html(index, sel, title)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
    except FileExistsError:  # mkdir met a file where one of the directories should be
        raise KGError(f"cannot write {path}: Not a directory") from None
    except OSError as err:
        raise KGError(f"cannot write {path}: {err.strerror or err}") from None
    return path
