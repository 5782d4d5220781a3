"""The persistent graph store (Oxigraph): build output, incremental adds, export.

Persistence only; running SPARQL on a store is :mod:`kg.sparql`'s job and serving it over HTTP
:mod:`kg.serve`'s. Modules, one job each:

* :mod:`kg.store.lock` - the writer lock and readers' generation locks;
* :mod:`kg.store.core` - directory layout, opening for reading, atomic publishing (bulk load);
* :mod:`kg.store.extractions` - extraction records as JSON Lines (what ``kg add`` re-links);
* :mod:`kg.store.staleness` - what a SPARQL update leaves out of date, and the note saying so;
* :mod:`kg.store.export` - ``kg export`` (Turtle, N-Triples, N-Quads, TriG, JSON-LD).

Reading a build directory as a graph (:func:`load_directory`, :func:`read_directory`,
:func:`read_graph`) is here, not in :mod:`kg.rdf.validate`, which reads files only: the store
layer knows its own layout and hands validation a graph.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import KGError
from kg.store.core import (
    GRAPH_FILE,
    Manifest,
    StoreHandle,
    build_dir_of,
    check_no_writer,
    is_store,
    open_graph,
    open_store,
    read_manifest,
    store_of,
)
from kg.store.lock import StoreBusy, WriterLock

if TYPE_CHECKING:
    from rdflib import Graph

__all__ = [
    "GRAPH_FILE",
    "Manifest",
    "StoreBusy",
    "StoreHandle",
    "WriterLock",
    "build_dir_of",
    "check_no_writer",
    "is_store",
    "load_directory",
    "open_graph",
    "open_store",
    "read_directory",
    "read_graph",
    "read_manifest",
    "store_of",
]


def load_directory(path: str | Path) -> Graph:
    """A build directory as an rdflib Graph: its store if it has one (read-only, queried natively
    by :func:`kg.sparql.query.run_query`), else its ``graph.ttl``. Its ``store/`` names it too."""
    path = build_dir_of(path)
    if is_store(path):
        return open_graph(path)
    if (path / GRAPH_FILE).is_file():
        from kg.rdf.validate import load_graph_file  # rdflib parsing: only without a store
        from kg.rdf.version import check_graph

        graph = load_graph_file(path / GRAPH_FILE)
        check_graph(graph, str(path / GRAPH_FILE))
        return graph
    raise KGError(
        f"{path}: is a directory but neither a kg store nor a build output (no {GRAPH_FILE})"
    )


def read_directory(path: str | Path) -> Graph:
    """A build directory's graph as a new in-memory rdflib Graph the caller may change.

    The store's current content (SPARQL updates included) if it has one, else ``graph.ttl``.
    """
    path = build_dir_of(path)
    if not is_store(path):
        return load_directory(path)
    import pyoxigraph as ox
    from rdflib import Graph

    from kg.vocab import PREFIXES

    with open_store(path) as handle:
        data = handle.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    graph = Graph()
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True)
    return graph.parse(data=data.decode("utf-8"), format="nt")


def read_graph(path: str | Path) -> Graph:
    """A graph file or a build directory as a new in-memory Graph the caller owns (what
    ``kg validate`` checks): :func:`read_directory` for a directory, else the file parsed."""
    if Path(path).is_dir():
        return read_directory(path)
    from kg.rdf.validate import load_graph_file

    return load_graph_file(path)
