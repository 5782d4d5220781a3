"""``kg.viz``: interactive, offline HTML views of a built graph (``kg viz``).

One job per module: :mod:`~kg.viz.source` opens what is drawn (a store, a file, an rdflib
Graph) as a pyoxigraph Store, :mod:`~kg.viz.index` reads it with SPARQL into dicts
(:mod:`~kg.viz.rows`: the results as plain strings),
:mod:`~kg.viz.select` chooses nodes and edges with networkx (topic map, neighbourhood, node
cap), :mod:`~kg.viz.render` draws them (as pyvis's node and edge dicts, without importing
pyvis) into our page template, and
:mod:`~kg.viz.assets` embeds vis-network so the page loads nothing from the network.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kg.viz.index import GraphIndex, read_index
from kg.viz.render import left_out_lines, render_html, write_html
from kg.viz.select import DEFAULT_MAX_NODES, Selection, select
from kg.viz.source import Source, open_path

__all__ = [
    "DEFAULT_MAX_NODES",
    "GraphIndex",
    "Selection",
    "Source",
    "VizResult",
    "open_path",
    "read_index",
    "render_html",
    "select",
    "visualize",
    "write_html",
]


@dataclass
class VizResult:
    path: Path
    selection: Selection
    nodes: int  # on the page (including "+N more" aggregates)
    edges: int
    bytes: int
    select_seconds: float
    render_seconds: float

    def describe(self) -> str:
        sel = self.selection
        lines = [
            f"wrote {self.path}: {self.nodes:,} nodes, {self.edges:,} links "
            f"({sel.mode}; {self.bytes / 1e6:.1f} MB, works offline)"
        ]
        lines += ["  " + line for line in left_out_lines(sel)]
        return "\n".join(lines)


def visualize(
    graph: Graph | Source | ox.Store | GraphIndex,
    out: str | Path,
    *,
    focus: str | None = None,
    hops: int = 2,
    topics: list[str] | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
    title: str | None = None,
) -> VizResult:
    """Write the topic map (or the neighbourhood of ``focus``) of ``graph`` to ``out``.

    ``graph``: anything :func:`read_index` reads (``open_path(path)`` for a build directory
    or a file), or an index already read."""
    started = time.perf_counter()
    # for a topic map, what it does not need is read when asked for (names looked up, nodes
    # drawn); a neighbourhood needs all
    lazy = focus is None
    index = graph if isinstance(graph, GraphIndex) else read_index(graph, lazy=lazy)
    sel = select(index, focus=focus, hops=hops, topics=topics, max_nodes=max_nodes)
    selected = time.perf_counter()
    path = write_html(index, sel, out, title)
    done = time.perf_counter()
    return VizResult(
        path,
        sel,
        sel.nodes,
        sel.edges,
        path.stat().st_size,
        round(selected - started, 3),
        round(done - selected, 3),
    )
