"""What ``kg viz`` reads, as a pyoxigraph Store: a build directory's store, an RDF file, or an
rdflib Graph.

One store type means one indexing code path (:mod:`kg.viz.index` runs SPARQL SELECTs on it).
A build directory's store is opened read-only and queried where it lies: indexing it through
oxrdflib's rdflib API cost 28 of the 30 s of ``kg viz`` on the corpus. A Turtle or N-Triples
file is parsed by pyoxigraph into an in-memory store (seconds where rdflib takes minutes); other
formats, and files pyoxigraph cannot parse, go through rdflib's reader (which also gives the
one-line error) and are copied in.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from kg.errors import KGError
from kg.rdf.version import check_graph
from kg.store.core import GRAPH_FILE, is_store, open_store, store_of

#: Files pyoxigraph parses itself (suffix -> format); the rest go through rdflib.
_NATIVE_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ntriples": ox.RdfFormat.N_TRIPLES,
}


@dataclass
class Source:
    """A store to query, and what must stay referenced while it is queried (the
    :class:`kg.store.StoreHandle` that keeps a store generation locked, or the rdflib Graph)."""

    store: ox.Store
    keep: Any = None


def open_path(path: str | Path) -> Source:
    """A build directory (its store, else its ``graph.ttl``) or an RDF file."""
    path = Path(path)
    if path.is_dir():
        if is_store(path):
            handle = open_store(path)
            return Source(handle.store, handle)
        if not (path / GRAPH_FILE).is_file():
            raise KGError(
                f"{path}: is a directory but neither a kg store nor a build output "
                f"(no {GRAPH_FILE})"
            )
        path = path / GRAPH_FILE
    fmt = _NATIVE_FORMATS.get(path.suffix.lower())
    if fmt is not None and path.is_file():
        store = ox.Store()
        try:
            store.bulk_load(path=str(path), format=fmt)
        except (SyntaxError, ValueError, OSError, UnicodeDecodeError):
            pass  # rdflib's reader below says what is wrong, in one line
        else:
            check_graph(store, str(path))
            return Source(store)
    from kg.rdf.validate import load_graph_file

    graph = load_graph_file(path)
    check_graph(graph, str(path))
    return of_graph(graph)


def of_graph(graph: Graph) -> Source:
    """An rdflib Graph: the Oxigraph store under it when it has one, else a copy of it.

    A Graph over an Oxigraph store whose own context is empty (how ``kg.store.open_graph`` and
    oxrdflib open a store: the data sits in the store's default graph) is read through that
    default graph, as ``kg query`` does.
    """
    native = store_of(graph)
    if native is not None:
        return Source(native, graph)
    inner = _oxigraph_under(graph)
    if inner is not None and (
        graph.identifier == DATASET_DEFAULT_GRAPH_ID
        or next(iter(graph.triples((None, None, None))), None) is None
    ):
        return Source(inner, graph)
    store = ox.Store()
    data = graph.serialize(format="nt", encoding="utf-8")
    if data.strip():
        store.bulk_load(input=data, format=ox.RdfFormat.N_TRIPLES)
    return Source(store)


def _oxigraph_under(graph: Graph) -> ox.Store | None:
    try:
        from oxrdflib import OxigraphStore
    except ImportError:  # pragma: no cover - oxrdflib is a core dependency
        return None
    if isinstance(graph.store, OxigraphStore):
        return graph.store._inner
    return None
