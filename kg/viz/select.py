"""Which nodes and edges go on the page: the topic map, a neighbourhood, and the node cap.

Views are :class:`networkx.Graph` objects over item IRIs. Node attributes: ``kind`` ("Topic",
"Paper", an entity kind, or "More" for an aggregate), ``tier`` (what the cap keeps first: 0 for
topics in the topic map, the hop distance in a neighbourhood) and ``score`` (which nodes of a
tier and kind the cap keeps first). Edge attributes: ``kind`` ("topic-link", "subject",
"relation", "entity-relation", "bridge" or "more"), ``w`` (the weight that sets the edge's
width) and details for the tooltip (``shared``, ``relation``, ``papers``, ``subject``,
``object``).
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx

from kg.errors import KGError
from kg.viz.index import GraphIndex, fold
from kg.vocab import RELATIONS_BY_STRENGTH

#: Default page cap: enough to see structure, small enough to open in a second or two.
DEFAULT_MAX_NODES = 300
#: The topic map draws each topic's strongest links to other topics, not all of them.
LINKS_PER_TOPIC = 5
#: Entities that can bridge topics in the topic map, and how many topic links each draws.
BRIDGE_KINDS = ("Method", "Model")
BRIDGES_PER_ENTITY = 4
#: An aggregate ("+N more papers") node links to at most this many shown nodes.
MORE_EDGES = 12
MORE = "More"
MORE_PREFIX = "kg-viz:more/"


@dataclass
class Selection:
    graph: nx.Graph
    mode: str  # "topic map" or "neighbourhood"
    focus: list[str] = field(default_factory=list)
    topics: list[str] | None = None  # the --topics restriction, as topic IRIs
    hops: int | None = None
    max_nodes: int = DEFAULT_MAX_NODES
    total_nodes: int = 0  # before the cap
    total_edges: int = 0
    left_out: dict[str, int] = field(default_factory=dict)  # kind -> nodes aggregated away
    left_out_edges: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def nodes(self) -> int:
        return self.graph.number_of_nodes()

    @property
    def edges(self) -> int:
        return self.graph.number_of_edges()


# --- names --------------------------------------------------------------------------------


def match_items(index: GraphIndex, name: str, kinds: Iterable[str] | None = None) -> list[str]:
    """IRIs of the items one of whose surface forms is ``name`` (case-insensitive)."""
    allowed = set(kinds) if kinds is not None else None
    hits = [
        iri
        for iri in index.by_surface_form().get(fold(name), [])
        if allowed is None or index.items[iri].kind in allowed
    ]
    return sorted(hits, key=lambda i: (index.items[i].kind != "Topic", index.items[i].label, i))


def _suggest(index: GraphIndex, name: str, kinds: Iterable[str] | None = None) -> str:
    allowed = set(kinds) if kinds is not None else None
    index.load_aliases()
    forms = {
        fold(f): f
        for iri, item in index.items.items()
        if allowed is None or item.kind in allowed
        for f in index.surface_forms(iri)
        if len(f) <= 80
    }
    close = difflib.get_close_matches(fold(name), list(forms), n=5, cutoff=0.6)
    return f" (did you mean: {', '.join(forms[c] for c in close)}?)" if close else ""


def _as_iri(name: str) -> str | None:
    """``name`` as an IRI when it is one, or a prefixed name of the graph's prefixes
    ("paper:2405.19086", what ``kg query`` prints), else None."""
    from kg.vocab import PREFIXES

    if name.startswith(("http://", "https://")):
        return name.strip("<>")
    prefix, colon, local = name.partition(":")
    if colon and prefix in PREFIXES and local:
        return PREFIXES[prefix] + local
    return None


def resolve_focus(index: GraphIndex, name: str) -> list[str]:
    iri = _as_iri(name.strip().strip("<>"))
    if iri is not None and iri in index.items:
        return [iri]
    hits = match_items(index, name)
    if not hits:
        raise KGError(
            f"--focus {name!r}: no topic, paper or entity has that name or alias"
            + _suggest(index, name)
        )
    return hits


def resolve_topics(index: GraphIndex, names: Iterable[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        name = name.strip()
        if not name:
            continue
        hits = match_items(index, name, kinds=["Topic"])
        if not hits:
            known = ", ".join(sorted(index.items[t].notation or "" for t in index.topics))
            raise KGError(
                f"--topics: unknown topic {name!r}{_suggest(index, name, ['Topic'])}"
                f"; known topics: {known}"
            )
        out += [h for h in hits if h not in out]
    if not out:
        raise KGError("--topics: no topic names given")
    return out


# --- views --------------------------------------------------------------------------------


def _add_item(view: nx.Graph, index: GraphIndex, iri: str, tier: int, score: tuple) -> None:
    item = index.items[iri]
    view.add_node(iri, kind=item.kind, label=item.label, tier=tier, score=score)


def topic_map(
    index: GraphIndex,
    topics: list[str] | None = None,
    links_per_topic: int = LINKS_PER_TOPIC,
    bridges_per_entity: int = BRIDGES_PER_ENTITY,
) -> tuple[nx.Graph, list[str]]:
    """Topics, the papers about two or more of them and the methods their papers share.

    Returns the view and notes for the page (what the view leaves out by design).
    """
    topic_papers = index.topic_papers()
    if topics is None:
        chosen = [t for t in index.topics if topic_papers.get(t)]
    else:
        chosen = list(topics)
    chosen_set = set(chosen)
    need = 2 if len(chosen) >= 2 else 1  # a single topic: show its papers
    view = nx.Graph()
    for t in chosen:
        _add_item(view, index, t, 0, (len(topic_papers.get(t, ())),))

    # topic <-> topic: each topic's strongest links (by shared papers)
    candidates = sorted(
        (
            (a, b, s, w)
            for (a, b), (s, w) in index.topic_links.items()
            if a in chosen_set and b in chosen_set and s > 0
        ),
        key=lambda x: (-x[2], -x[3], x[0], x[1]),
    )
    per_topic: Counter[str] = Counter()
    skipped = 0
    for a, b, shared, weight in candidates:
        if per_topic[a] < links_per_topic or per_topic[b] < links_per_topic:
            view.add_edge(a, b, kind="topic-link", w=shared, shared=shared, weight=weight)
            per_topic[a] += 1
            per_topic[b] += 1
        else:
            skipped += 1

    # papers about `need` or more of the chosen topics
    papers: dict[str, set[str]] = {}
    for paper, subjects in index.paper_topics.items():
        inside = subjects & chosen_set
        if inside:
            papers[paper] = inside
    for paper, inside in sorted(papers.items()):
        if len(inside) < need:
            continue
        _add_item(view, index, paper, 1, (len(inside), len(index.links.get(paper, ()))))
        for t in sorted(inside):
            view.add_edge(paper, t, kind="subject", w=1)

    # methods whose papers (in the chosen topics) span `need` or more of them
    per_entity: dict[str, dict[str, int]] = defaultdict(dict)  # (a Counter each: 0.2 s)
    entity_papers: dict[str, set[str]] = defaultdict(set)
    for paper, inside in papers.items():
        for entity in index.links.get(paper, {}):
            if index.items[entity].kind in BRIDGE_KINDS:
                entity_papers[entity].add(paper)
                spread = per_entity[entity]
                for t in inside:
                    spread[t] = spread.get(t, 0) + 1
    hidden_bridges = 0
    bridges = [
        e for e in sorted(per_entity) if len(per_entity[e]) >= need and len(entity_papers[e]) >= 2
    ]
    index.load_labels(bridges)  # a lazily read index: only these entities' labels are needed
    for entity in bridges:
        spread = per_entity[entity]
        _add_item(view, index, entity, 1, (len(entity_papers[entity]), len(spread)))
        strongest = sorted(spread.items(), key=lambda kv: (-kv[1], kv[0]))
        for t, n in strongest[:bridges_per_entity]:
            view.add_edge(entity, t, kind="bridge", w=n, papers=n)
        hidden_bridges += max(0, len(strongest) - bridges_per_entity)
    notes = []
    shown = sum(1 for inside in papers.values() if len(inside) >= need)
    if need >= 2 and shown < len(papers):
        notes.append(
            f"{shown:,} of the {len(papers):,} papers of these topics are about two or more of "
            "them and are drawn, with the methods, models and datasets papers of two or more "
            "topics share; papers of one topic only are not (--focus TOPIC shows a topic's own)"
        )
    if skipped:
        notes.append(
            f"{skipped:,} weaker topic-to-topic links are not drawn "
            f"(each topic keeps its {links_per_topic} strongest)"
        )
    if hidden_bridges:
        notes.append(
            f"{hidden_bridges:,} weaker method-to-topic links are not drawn (each method "
            f"keeps its {bridges_per_entity} strongest; its tooltip lists all)"
        )
    return view, notes


def _strongest(relations: set[str]) -> str:
    return min(
        relations,
        key=lambda r: (
            RELATIONS_BY_STRENGTH.index(r)
            if r in RELATIONS_BY_STRENGTH
            else len(RELATIONS_BY_STRENGTH)
        ),
    )


def neighbourhood(
    index: GraphIndex, focus: list[str], hops: int, topics: list[str] | None = None
) -> nx.Graph:
    """Everything within ``hops`` links of the focus nodes, and the links among it.

    A hop goes paper -> its topics and entities, topic -> its papers, entity -> its papers
    and the entities it has a relation with (kg:usedFor, kg:evaluates, ...), so a walk from a
    topic reaches its methods, their datasets and their baselines.
    """
    if hops < 0:
        raise KGError("--hops must be 0 or more")
    index.load_links()  # a walk may go anywhere
    index.load_labels()
    allowed_topics = set(topics) if topics is not None else None
    topic_papers = index.topic_papers()

    def paper_ok(paper: str) -> bool:
        return allowed_topics is None or bool(index.paper_topics.get(paper, set()) & allowed_topics)

    def topic_ok(topic: str) -> bool:
        return allowed_topics is None or topic in allowed_topics

    def neighbours(iri: str) -> Iterable[str]:
        # topic -> related topic is drawn on the page but not walked: that hop would pull in
        # all of the related topic's papers
        kind = index.items[iri].kind
        if kind == "Topic":
            yield from (p for p in topic_papers.get(iri, ()) if paper_ok(p))
        elif kind == "Paper":
            yield from (t for t in index.paper_topics.get(iri, ()) if topic_ok(t))
            yield from index.links.get(iri, {})
        else:
            yield from (p for p in index.entity_papers.get(iri, ()) if paper_ok(p))
            yield from sorted(index.related_entities.get(iri, ()))

    hop: dict[str, int] = {f: 0 for f in focus}
    frontier = list(focus)
    for depth in range(1, hops + 1):
        nxt = []
        for node in frontier:
            for n in neighbours(node):
                if n not in hop:
                    hop[n] = depth
                    nxt.append(n)
        frontier = sorted(nxt)

    view = nx.Graph()
    for iri in sorted(hop, key=lambda i: (hop[i], i)):
        _add_item(view, index, iri, hop[iri], ())
    # links among what was reached, from the paper side (papers have few links; a popular
    # entity or topic has thousands)
    for (a, b), (shared, weight) in sorted(index.topic_links.items()):
        if shared > 0 and a in hop and b in hop:
            view.add_edge(a, b, kind="topic-link", w=shared, shared=shared, weight=weight)
    for paper in sorted(p for p in hop if index.items[p].kind == "Paper"):
        for t in sorted(index.paper_topics.get(paper, ())):
            if t in hop:
                view.add_edge(paper, t, kind="subject", w=1)
        for entity, rels in sorted(index.links.get(paper, {}).items()):
            if entity in hop:
                view.add_edge(paper, entity, kind="relation", w=1, relation=_strongest(rels))
    for (a, b), (rel, papers, subj, obj) in sorted(index.entity_relations.items()):
        if a in hop and b in hop:
            view.add_edge(
                a, b, kind="entity-relation", w=papers, relation=rel, papers=papers,
                subject=subj, object=obj,
            )  # fmt: skip
    for iri in view.nodes:
        view.nodes[iri]["score"] = (view.degree(iri, weight="w"), view.degree(iri))
    return view


# --- the cap ------------------------------------------------------------------------------


def _quota(counts: dict[str, int], budget: int) -> dict[str, int]:
    """Split ``budget`` slots fairly among kinds: equal shares, a kind with fewer nodes than its
    share keeps them all and the rest is shared again (so 17,000 papers do not crowd out the
    300 methods). Leftover single slots go to the larger kinds."""
    out = {k: 0 for k in counts}
    open_kinds = sorted((k for k in counts if counts[k] > 0), key=lambda k: (counts[k], k))
    while budget > 0 and open_kinds:
        share = budget // len(open_kinds)
        if share == 0:
            for k in sorted(open_kinds, key=lambda k: (-counts[k], k))[:budget]:
                out[k] += 1
            break
        small = [k for k in open_kinds if counts[k] - out[k] <= share]
        if not small:
            for k in open_kinds:
                out[k] += share
            budget -= share * len(open_kinds)
            continue
        for k in small:
            budget -= counts[k] - out[k]
            out[k] = counts[k]
        open_kinds = [k for k in open_kinds if k not in small]
    return out


def _spread(view: nx.Graph, nodes: list[str], rank, tiers: dict[str, int]) -> list[str]:
    """``nodes`` best first, taking turns between groups of nodes that link to the same
    lower-tier nodes (papers about the same topics, say), so the page shows many different
    bridges rather than many copies of the strongest one."""
    groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
    adj = view.adj
    for n in nodes:
        tier = tiers[n]
        key = tuple(sorted(m for m in adj[n] if tiers[m] < tier))
        groups[key].append(n)
    ordered_groups = []
    for key, members in groups.items():
        members.sort(key=rank)
        ordered_groups.append((rank(members[0]), key, members))
    ordered_groups.sort(key=lambda g: (g[0], g[1]))
    out: list[str] = []
    depth = 0
    while len(out) < len(nodes):
        layer = [g[2][depth] for g in ordered_groups if depth < len(g[2])]
        out += sorted(layer, key=rank)
        depth += 1
    return out


class _Chooser:
    """Which nodes to keep for a budget: whole tiers, lowest first; the tier that overflows is
    shared among node kinds (:func:`_quota`), each kind keeping its highest-score nodes,
    spread over the nodes they link to (:func:`_spread`). Orders are computed once, so trying
    several budgets (to make room for the "+N more" nodes) is cheap."""

    def __init__(self, view: nx.Graph):
        self.view = view
        self.tiers: dict[int, list[str]] = defaultdict(list)
        self.tier_of: dict[str, int] = {}
        self.keys: dict[str, tuple] = {}
        for n, data in view.nodes(data=True):
            self.tiers[data["tier"]].append(n)
            self.tier_of[n] = data["tier"]
            self.keys[n] = (tuple(-x for x in data["score"]), data["label"].casefold(), n)
        self._orders: dict[int, dict[str, list[str]]] = {}

    def _by_kind(self, tier: int) -> dict[str, list[str]]:
        if tier not in self._orders:
            by_kind: dict[str, list[str]] = defaultdict(list)
            for n in self.tiers[tier]:
                by_kind[self.view.nodes[n]["kind"]].append(n)
            rank = self.keys.__getitem__
            self._orders[tier] = {
                kind: _spread(self.view, nodes, rank, self.tier_of)
                for kind, nodes in sorted(by_kind.items())
            }
        return self._orders[tier]

    def choose(self, budget: int) -> list[str]:
        kept: list[str] = []
        for tier in sorted(self.tiers):
            nodes = self.tiers[tier]
            room = budget - len(kept)
            if room <= 0:
                break
            if len(nodes) <= room:
                kept += sorted(nodes, key=self.keys.__getitem__)
                continue
            by_kind = self._by_kind(tier)
            quota = _quota({k: len(v) for k, v in by_kind.items()}, room)
            for kind, ordered in by_kind.items():
                kept += ordered[: quota[kind]]
            break
        return kept


def _plural(kind: str, n: int) -> str:
    word = {
        "Paper": "paper",
        "Topic": "topic",
        "Method": "method",
        "Model": "model",
        "Dataset": "dataset",
        "Task": "task",
        "Metric": "metric",
        "Concept": "concept",
    }.get(kind, kind.lower())
    return word if n == 1 else word + "s"


def cap(
    view: nx.Graph, max_nodes: int, more_edges: int = MORE_EDGES
) -> tuple[nx.Graph, dict[str, int], int]:
    """Keep at most ``max_nodes`` nodes; each kind of left-out node becomes one "+N more" node.

    Returns (capped view, left-out node counts by kind, left-out edge count).
    """
    if max_nodes < 2:
        raise KGError("--max-nodes must be at least 2")
    if view.number_of_nodes() <= max_nodes:
        return view, {}, 0
    kinds_present = {d["kind"] for _, d in view.nodes(data=True)}
    chooser = _Chooser(view)
    for reserve in range(0, len(kinds_present) + 1):
        kept = chooser.choose(max_nodes - reserve)
        kept_set = set(kept)
        dropped_kinds = {d["kind"] for n, d in view.nodes(data=True) if n not in kept_set}
        if len(dropped_kinds) <= reserve:
            break
    out = nx.Graph()
    for n in sorted(kept, key=lambda n: (view.nodes[n]["tier"], n)):
        out.add_node(n, **view.nodes[n])
    for a, b, data in view.edges(data=True):
        if a in kept_set and b in kept_set:
            out.add_edge(a, b, **data)

    dropped: dict[str, list[str]] = defaultdict(list)
    for n, d in view.nodes(data=True):
        if n not in kept_set:
            dropped[d["kind"]].append(n)
    left_out = {k: len(v) for k, v in sorted(dropped.items())}
    for kind, members in sorted(dropped.items()):
        agg = MORE_PREFIX + kind
        members.sort(
            key=lambda n: (
                tuple(-x for x in view.nodes[n]["score"]),
                view.nodes[n]["label"].casefold(),
                n,
            )
        )
        out.add_node(
            agg,
            kind=MORE,
            label=f"+{len(members):,} more {_plural(kind, len(members))}",
            tier=max(view.nodes[m]["tier"] for m in members),
            score=(len(members),),
            of_kind=kind,
            count=len(members),
            examples=[view.nodes[m]["label"] for m in members[:5]],
        )
        links: Counter[str] = Counter()
        for m in members:
            for n in view.neighbors(m):
                if n in kept_set:
                    links[n] += 1
        for n, count in sorted(links.items(), key=lambda kv: (-kv[1], kv[0]))[:more_edges]:
            out.add_edge(agg, n, kind="more", w=count, count=count, of_kind=kind)
    shown_real = sum(1 for _a, _b, d in out.edges(data=True) if d["kind"] != "more")
    return out, left_out, view.number_of_edges() - shown_real


# --- the public entry point ---------------------------------------------------------------


def select(
    index: GraphIndex,
    *,
    focus: str | None = None,
    hops: int = 2,
    topics: list[str] | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> Selection:
    """The view ``kg viz`` draws: the topic map, or the neighbourhood of ``focus``; capped."""
    topic_iris = resolve_topics(index, topics) if topics is not None else None
    notes: list[str] = []
    if focus is None:
        view, notes = topic_map(index, topic_iris)
        mode, focus_iris = "topic map", []
    else:
        focus_iris = resolve_focus(index, focus)
        if topic_iris is not None:
            focus_iris = [
                f for f in focus_iris if index.items[f].kind != "Topic" or f in topic_iris
            ]
            if not focus_iris:
                raise KGError(f"--focus {focus!r} is a topic outside --topics")
        view = neighbourhood(index, focus_iris, hops, topic_iris)
        mode = "neighbourhood"
    if view.number_of_nodes() == 0:
        raise KGError("nothing to draw: the view is empty (no topics with papers?)")
    total_nodes, total_edges = view.number_of_nodes(), view.number_of_edges()
    capped, left_out, left_out_edges = cap(view, max_nodes)
    return Selection(
        capped,
        mode,
        focus_iris,
        topic_iris,
        hops if focus else None,
        max_nodes,
        total_nodes,
        total_edges,
        left_out,
        left_out_edges,
        notes,
    )
